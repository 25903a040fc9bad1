#!/usr/bin/env bash
# The chaos benchmark (scripts/bench.sh chaos [clients=500]): two silos, two gateways, a simulator, on a Postgres and
# a Redis of the benchmark's own (other ports, other folders), so that stopping them disturbs nothing else. The
# clients stay in their desktops while faults come one after another (see scripts/bench/Chaos/Program.cs).
#   scripts/bench/chaos.sh run [clients]   everything (what bench.sh calls)
#   scripts/bench/chaos.sh fault VERB      one fault step, as the tool calls it: kill-gateway, start-gateway,
#                                          stop-postgres, start-postgres, kill-silo, start-silo, stop-redis,
#                                          start-redis, hang-controller, free-controller
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

export VDI_PG_PORT=55435 VDI_PG_DATA="$VDI_DATA_DIR/pg-chaos" VDI_PG_LOG="$VDI_DATA_DIR/postgres-chaos.log" VDI_PG_DB=vdi_chaos
export VDI_REDIS_PORT=56381 VDI_SIMULATOR_PORT=8120
chaos_dir="$VDI_DATA_DIR/chaos"
mkdir -p "$chaos_dir" "$VDI_DATA_DIR/redis-chaos"
secret() { [ -s "$chaos_dir/$1" ] || head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$chaos_dir/$1"; cat "$chaos_dir/$1"; }
token="$(secret simulator-token)"
admin_pw="$(secret admin-password)"
export Cluster__ClusterId=chaos Cluster__ServiceId=chaos

redis_up() {
  redis-server --bind 127.0.0.1 --port "$VDI_REDIS_PORT" --protected-mode yes --daemonize yes --requirepass "$(redis_password)" --dir "$VDI_DATA_DIR/redis-chaos" \
    --pidfile "$VDI_DATA_DIR/redis-chaos/redis.pid" --logfile "$VDI_DATA_DIR/redis-chaos/redis.log" --appendonly yes >/dev/null
  for _ in $(seq 1 50); do redis_ready && return; sleep 0.1; done
  die "the chaos Redis did not start"
}

silo() { # silo N
  local n="$1"
  ( export Admin__Password="$admin_pw" DefaultController__Address="http://127.0.0.1:$VDI_SIMULATOR_PORT" DefaultController__Token="$token" Demo__Enabled=false
    start_app "chaos-silo-$n" Silo "$((8092 + n))" --Silo:SiloPort="$((11140 + n))" --Silo:GatewayPort="$((30040 + n))" --Ecp:AllowPlainHttp=true \
      --Ecp:TaskPollInterval=00:00:00.100 --Logging:LogLevel:Default=Warning \
      ${BENCH_HASH_ITERATIONS:+--Security:PasswordHashIterations=$BENCH_HASH_ITERATIONS} )
  wait_healthy "chaos-silo-$n" "http://127.0.0.1:$((8092 + n))/health/ready" 90
}

gateway() { # gateway N
  local n="$1"
  start_app "chaos-gateway-$n" WebGateway "$((8082 + n))" --Logging:LogLevel:Default=Warning \
    --Broker:LoginsPerMinutePerAddress=1000000 --Broker:LoginsPerMinutePerUsername=1000000
  wait_healthy "chaos-gateway-$n" "http://127.0.0.1:$((8082 + n))/health/ready" 60
}

kill9() { local pid; pid="$(cat "$(app_pidfile "$1")")"; kill -KILL "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; rm -f "$(app_pidfile "$1")"; }

sim_faults() {
  curl -fsS -X PUT -H "Authorization: jwt $token" -H 'Content-Type: application/json' \
    -d "{\"down\":false,\"unauthorized\":false,\"latency_ms\":$1,\"fail_paths\":[]}" "http://127.0.0.1:$VDI_SIMULATOR_PORT/sim/faults" >/dev/null
}

export_connection_strings
ensure_key_certificate

case "${1:-}" in
  fault)
    case "${2:-}" in
      kill-gateway) kill9 chaos-gateway-2 ;;
      start-gateway) gateway 2 ;;
      stop-postgres) as_pg_owner "$PG_BIN/pg_ctl" -D "$VDI_PG_DATA" -m immediate -w stop >/dev/null ;;
      start-postgres) ensure_postgres ;;
      kill-silo) kill9 chaos-silo-2 ;;
      start-silo) silo 2 ;;
      stop-redis) redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true ;;
      start-redis) redis_up ;;
      hang-controller) sim_faults 60000 ;;
      free-controller) sim_faults 0 ;;
      *) die "unknown fault step '${2:-}'" ;;
    esac
    exit 0 ;;
  run) clients="${2:-500}" ;;
  *) die "usage: $0 run [clients] | fault VERB" ;;
esac

ensure_packages
ensure_postgres
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "drop database if exists vdi_chaos with (force)" -c "create database vdi_chaos" >/dev/null
apply_schema
redis_ready || redis_up
redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" flushall >/dev/null
build_solution
dotnet build "$VDI_ROOT/scripts/bench/Chaos" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || die "the chaos tool did not build"

cleanup() {
  for app in chaos-gateway-2 chaos-gateway-1 chaos-silo-2 chaos-silo-1 chaos-simulator; do stop_app "$app"; done
  redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_postgres
}
trap cleanup EXIT INT TERM

( export Simulator__Token="$token"
  start_app chaos-simulator Simulator "$VDI_SIMULATOR_PORT" --Simulator:Name=chaos --Simulator:TaskMilliseconds=50 \
    --Simulator:ClonePerVmMilliseconds=1 --Simulator:GuestAgentMilliseconds=100 --Logging:LogLevel:Default=Warning )
wait_healthy chaos-simulator "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live" 60
silo 1
silo 2
gateway 1
gateway 2

q() { psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d vdi_chaos -tAc "$1"; }
controller=""
for _ in $(seq 1 60); do controller="$(q "select id from vdi_controllers where status = 'ACTIVE' limit 1")"; [ -n "$controller" ] && break; sleep 1; done
[ -n "$controller" ] || die "the simulator was not registered as a controller"

log "chaos: $clients clients in their desktops; faults one after another"
dotnet "$VDI_ROOT/scripts/bench/Chaos/bin/Release/net10.0/chaos.dll" "http://127.0.0.1:8083,http://127.0.0.1:8084" vdiadmin "$admin_pw" "$controller" \
  "$clients" "$Postgres__ConnectionString" "$VDI_ROOT/scripts/bench/chaos.sh"
echo "== machine"
echo "   command: ${BENCH_HASH_ITERATIONS:+BENCH_HASH_ITERATIONS=$BENCH_HASH_ITERATIONS }scripts/bench.sh chaos $clients   ($(nproc) cores, $(date -u +%Y-%m-%d))"
