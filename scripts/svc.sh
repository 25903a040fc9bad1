#!/usr/bin/env bash
# Checks, starts and stops the broker's services one by one (scripts/run.sh starts them all).
#   scripts/svc.sh status
#   scripts/svc.sh start|stop postgres|redis|simulator|silo|gateway
# VDI_GATEWAY_PORT=8081 scripts/svc.sh start gateway   starts a second gateway next to the first;
# VDI_SILO_HTTP_PORT=8091 VDI_SILO_PORT=11112 VDI_SILO_GATEWAY_PORT=30001 scripts/svc.sh start silo   a second silo.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

gateway_name() { if [ "$VDI_GATEWAY_PORT" = 8080 ]; then echo gateway; else echo "gateway-$VDI_GATEWAY_PORT"; fi; }

status_line() {
  local name="$1" state="$2" where="$3"
  printf '  %-16s %-8s %s\n' "$name" "$state" "$where"
}

http_state() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null && echo up || echo down; }

status() {
  status_line postgres "$(pg_ready && echo up || echo down)" "127.0.0.1:$VDI_PG_PORT"
  status_line redis "$(redis_ready && echo up || echo down)" "127.0.0.1:$VDI_REDIS_PORT"
  status_line simulator "$(http_state "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live")" "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live"
  status_line silo "$(http_state "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready")" "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready"
  status_line "$(gateway_name)" "$(http_state "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready")" "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready"
}

[ $# -ge 1 ] || usage
case "$1" in
  status) status ;;
  start)
    [ $# -eq 2 ] || usage
    case "$2" in
      postgres) ensure_packages; mkdir -p "$VDI_DATA_DIR"; ensure_postgres; export_connection_strings; apply_schema ;;
      redis) ensure_packages; ensure_redis ;;
      simulator) start_simulator; wait_healthy simulator "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live" 60 ;;
      silo) export_connection_strings; ensure_key_certificate; start_silo; wait_healthy "$(silo_name)" "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready" 90 ;;
      gateway) export_connection_strings; ensure_cluster_certificates; start_gateway; wait_healthy "$(gateway_name)" "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" 60 ;;
      *) usage ;;
    esac ;;
  stop)
    [ $# -eq 2 ] || usage
    case "$2" in
      postgres) stop_postgres ;;
      redis) stop_redis ;;
      simulator) stop_app simulator ;;
      silo) stop_app "$(silo_name)" ;;
      gateway) stop_app "$(gateway_name)" ;;
      *) usage ;;
    esac ;;
  *) usage ;;
esac
