#!/usr/bin/env bash
# Brings the whole broker up on this machine with the simulator as its controller:
# Postgres and Redis (installed and started if missing), the schema, the build, then the Simulator, the Silo and
# the WebGateway. Prints the URLs and the administrator's credentials. Ctrl-C stops everything it started.
# A second run reuses the data under .data/.
#   VDI_SILOS=2 VDI_GATEWAYS=2 scripts/run.sh   two silos and two gateways, to show a failover: kill -9 one of them
#   (its pid is in .data/run/), and the others go on serving; scripts/svc.sh starts it again.
#   VDI_NO_BUILD=1   skip the build (the Release build is already there: the topology test runs this script)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ensure_services
[ "${VDI_NO_BUILD:-0}" = 1 ] || build_solution

started_apps=()
cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  echo
  local i
  for (( i=${#started_apps[@]}-1; i>=0; i-- )); do stop_app "${started_apps[$i]}"; done
  [ "$VDI_STARTED_REDIS" = 1 ] && stop_redis
  [ "$VDI_STARTED_POSTGRES" = 1 ] && stop_postgres
  exit "$rc"
}
trap cleanup INT TERM EXIT

silos="${VDI_SILOS:-1}"; gateways="${VDI_GATEWAYS:-1}"
[[ "$silos" =~ ^[12]$ && "$gateways" =~ ^[12]$ ]] || die "VDI_SILOS and VDI_GATEWAYS must be 1 or 2"
gateway_name="gateway"; [ "$VDI_GATEWAY_PORT" = 8080 ] || gateway_name="gateway-$VDI_GATEWAY_PORT"
apps=(simulator "$(silo_name)" "$gateway_name")
[ "$silos" = 2 ] && apps+=("silo-$((VDI_SILO_HTTP_PORT + 1))")
[ "$gateways" = 2 ] && apps+=("gateway-$((VDI_GATEWAY_PORT + 1))")
for app in "${apps[@]}"; do
  app_running "$app" || started_apps+=("$app")
done

start_simulator
wait_healthy simulator "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live" 60
start_silo
wait_healthy "$(silo_name)" "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready" 90
if [ "$silos" = 2 ]; then
  ( VDI_SILO_HTTP_PORT=$((VDI_SILO_HTTP_PORT + 1)) VDI_SILO_PORT=$((VDI_SILO_PORT + 1)) VDI_SILO_GATEWAY_PORT=$((VDI_SILO_GATEWAY_PORT + 1))
    start_silo; wait_healthy "$(silo_name)" "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready" 90 )
fi
start_gateway
wait_healthy "$gateway_name" "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" 60
if [ "$gateways" = 2 ]; then
  ( VDI_GATEWAY_PORT=$((VDI_GATEWAY_PORT + 1)); start_gateway; wait_healthy "gateway-$VDI_GATEWAY_PORT" "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" 60 )
fi

cat <<INFO

  VDI broker is up.

  Admin panel                           http://127.0.0.1:$VDI_GATEWAY_PORT/admin/
  WebGateway (thin clients, admin API)  http://127.0.0.1:$VDI_GATEWAY_PORT       health: /health/ready
  Orleans dashboard (operators)         http://127.0.0.1:$VDI_SILO_HTTP_PORT/dashboard/
  Simulated ECP VeiL controller         http://127.0.0.1:$VDI_SIMULATOR_PORT      integration key: $(stored_secret simulator-token)
  PostgreSQL                            127.0.0.1:$VDI_PG_PORT  database $VDI_PG_DB  (broker role vdi_broker; superuser password in .data/secrets/pg-password)
  Redis                                 127.0.0.1:$VDI_REDIS_PORT  (password in .data/secrets/redis-password)

  Administrator: ${Admin__Username:-vdiadmin}  password: $(stored_secret admin-password)
  (the initial administrator's password is kept in .data/secrets/admin-password)
  Demo user:     demo  password: $(stored_secret demo-password)   pool "demo" (VeiL Connect: broker 127.0.0.1:$VDI_GATEWAY_PORT)

  Logs: $VDI_LOG_DIR/   Press Ctrl-C to stop everything this script started.

INFO

# Stay in the foreground until Ctrl-C. A process that dies is reported once; the others keep serving (a silo's
# grains move to the other silo, a gateway's thin clients reconnect to the other), and scripts/svc.sh starts it again.
declare -A reported=()
while true; do
  for app in "${apps[@]}"; do
    if ! app_running "$app"; then
      if [ -z "${reported[$app]:-}" ]; then
        log "$app exited; the others keep serving. Last lines of its log:"
        tail -n 20 "$(app_logfile "$app")" >&2 || true
        reported[$app]=1
      fi
    else
      unset "reported[$app]"
    fi
  done
  sleep 2
done
