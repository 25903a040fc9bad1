#!/usr/bin/env bash
# Brings the whole broker up on this machine with the simulator as its controller:
# Postgres and Redis (installed and started if missing), the schema, the build, then the Simulator, the Silo and
# the WebGateway. Prints the URLs and the administrator's credentials. Ctrl-C stops everything it started.
# A second run reuses the data under .data/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ensure_services
build_solution

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

gateway_name="gateway"; [ "$VDI_GATEWAY_PORT" = 8080 ] || gateway_name="gateway-$VDI_GATEWAY_PORT"
for app in simulator silo "$gateway_name"; do
  app_running "$app" || started_apps+=("$app")
done

start_simulator
wait_healthy simulator "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live" 60
start_silo
wait_healthy silo "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready" 90
start_gateway
wait_healthy "$gateway_name" "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" 60

cat <<INFO

  VDI broker is up.

  Admin panel                           http://127.0.0.1:$VDI_GATEWAY_PORT/admin/
  WebGateway (thin clients, admin API)  http://127.0.0.1:$VDI_GATEWAY_PORT       health: /health/ready
  Orleans dashboard (operators)         http://127.0.0.1:$VDI_SILO_HTTP_PORT/dashboard/
  Simulated ECP VeiL controller         http://127.0.0.1:$VDI_SIMULATOR_PORT      integration key: $(stored_secret simulator-token)
  PostgreSQL                            127.0.0.1:$VDI_PG_PORT  database $VDI_PG_DB  (password in .data/secrets/pg-password)
  Redis                                 127.0.0.1:$VDI_REDIS_PORT

  Administrator: ${Admin__Username:-vdiadmin}  password: $(stored_secret admin-password)
  (the initial administrator's password is kept in .data/secrets/admin-password)
  Demo user:     demo  password: $(stored_secret demo-password)   pool "demo" (VeiL Connect: broker 127.0.0.1:$VDI_GATEWAY_PORT)

  Logs: .data/logs/   Press Ctrl-C to stop everything this script started.

INFO

# Stay in the foreground until Ctrl-C, or until one of the processes dies.
while true; do
  for app in simulator silo "$gateway_name"; do
    if ! app_running "$app"; then
      log "$app exited; last lines of its log:"
      tail -n 20 "$(app_logfile "$app")" >&2 || true
      exit 1
    fi
  done
  sleep 2
done
