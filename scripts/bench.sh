#!/usr/bin/env bash
# Benchmarks, each against the real system (Postgres, Redis, simulator, silo, gateway) on its own database and
# ports, next to a reference measured in the same run. Prints its figures and the command that produced them.
#   scripts/bench.sh logon-storm [clients=2000] [arrivals-per-second=200]
#   scripts/bench.sh disconnect-storm [vms=5000] [spread-seconds=60] [timeout-seconds=30]
#   scripts/bench.sh admin-lists [vms=10000] [journal-events=100000] [sessions=0]   (issue 17's target: 10000 10000000 1000000)
#   scripts/bench.sh idle [seconds=60]   CPU of an idle broker with the demo pool (3 VMs), per process, after a 60 s settle
#   scripts/bench.sh chaos [clients=500]   faults one after another under clients in their desktops (scripts/bench/chaos.sh)
# BENCH_HASH_ITERATIONS sets the PBKDF2 iterations of the users the logon storm creates (default: the product's);
# BENCH_WARMUP, how many extra clients log in and get a VM before the storm, not counted (default 200; 0: cold start).
# BENCH_DIRECTORY=openldap: the storm's users live in the private slapd (ou=storm, salted SHA passwords) and log in
# with "ldap": true; a mapping of their OU puts them in a group entitled to the pool, each created at its first login.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

what="${1:-logon-storm}"
[ "$what" = chaos ] && exec "$(dirname "$0")/bench/chaos.sh" run "${2:-500}"
case "$what" in
  logon-storm) clients="${2:-2000}"; rate="${3:-200}"; tool=LogonStorm ;;
  disconnect-storm) vms="${2:-5000}"; spread="${3:-60}"; timeout="${4:-30}"; tool=DisconnectStorm ;;
  admin-lists) vms="${2:-10000}"; events="${3:-100000}"; sessions="${4:-0}"; tool="" ;;
  idle) seconds="${2:-60}"; tool="" ;;
  *) die "unknown benchmark '$what' (known: logon-storm, disconnect-storm, admin-lists, idle)" ;;
esac

export VDI_PG_DB=vdi_bench VDI_SIMULATOR_PORT=8110 VDI_SILO_HTTP_PORT=8092 VDI_SILO_PORT=11131 VDI_SILO_GATEWAY_PORT=30020 VDI_GATEWAY_PORT=8082
ensure_packages
mkdir -p "$VDI_DATA_DIR"
ensure_postgres
ensure_redis
export_connection_strings
ensure_key_certificate
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "drop database if exists vdi_bench with (force)" -c "create database vdi_bench" >/dev/null
apply_schema
build_solution
[ -z "$tool" ] || dotnet build "$VDI_ROOT/scripts/bench/$tool" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || die "bench tool build failed"

cleanup() {
  for app in bench-gateway bench-silo bench-simulator; do stop_app "$app"; done
  if [ "${VDI_STARTED_SLAPD:-}" = 1 ]; then stop_slapd; fi
}
trap cleanup EXIT INT TERM

token="bench-token-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')"
admin_pw="bench-admin-$(head -c 6 /dev/urandom | base64 | tr -d '/+=')"
export Cluster__ClusterId=bench
( export Simulator__Token="$token"
  start_app bench-simulator Simulator "$VDI_SIMULATOR_PORT" --Simulator:Name=bench --Simulator:TaskMilliseconds=50 \
    --Simulator:ClonePerVmMilliseconds=1 --Simulator:GuestAgentMilliseconds=100 --Logging:LogLevel:Default=Warning )
wait_healthy bench-simulator "http://127.0.0.1:$VDI_SIMULATOR_PORT/health/live" 60
( export Admin__Password="$admin_pw" DefaultController__Address="http://127.0.0.1:$VDI_SIMULATOR_PORT" DefaultController__Token="$token" Demo__Enabled="$([ "$what" = idle ] && echo true || echo false)" Demo__Password="bench-demo-password"
  start_app bench-silo Silo "$VDI_SILO_HTTP_PORT" --Silo:SiloPort="$VDI_SILO_PORT" --Silo:GatewayPort="$VDI_SILO_GATEWAY_PORT" --Ecp:AllowPlainHttp=true \
    --Ecp:TaskPollInterval=00:00:00.100 --Logging:LogLevel:Default=Warning \
    ${BENCH_HASH_ITERATIONS:+--Security:PasswordHashIterations=$BENCH_HASH_ITERATIONS} )
wait_healthy bench-silo "http://127.0.0.1:$VDI_SILO_HTTP_PORT/health/ready" 90
# the load generator logs thousands of users in from one address: the per-address and per-username login limits
# (a real site's protection) are lifted for it
start_app bench-gateway WebGateway "$VDI_GATEWAY_PORT" --Logging:LogLevel:Default=Warning \
  --Broker:LoginsPerMinutePerAddress=1000000 --Broker:LoginsPerMinutePerUsername=1000000
wait_healthy bench-gateway "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" 60

q() { psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d vdi_bench -tAc "$1"; }
controller=""
for _ in $(seq 1 60); do controller="$(q "select id from vdi_controllers where status = 'ACTIVE' limit 1")"; [ -n "$controller" ] && break; sleep 1; done
[ -n "$controller" ] || die "the simulator was not registered as a controller"

log "reference: pgbench -N (simple-update transactions) on the same Postgres server"
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "drop database if exists vdi_pgbench" -c "create database vdi_pgbench" >/dev/null
"$PG_BIN/pgbench" -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -i -q -s 2 vdi_pgbench >/dev/null 2>&1
pgbench_tps="$("$PG_BIN/pgbench" -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -N -c 4 -j 2 -T 10 vdi_pgbench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)"
# one client's mean latency per simple-update transaction: what an admin list's p95 is compared with
pgbench_latency="$("$PG_BIN/pgbench" -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -N -c 1 -T 5 vdi_pgbench 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' | head -n 1)"

# peak memory (VmHWM) of one of the broker's processes
peak() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$(cat "$(app_pidfile "$1")")/status" 2>/dev/null || echo "n/a"; }

# CPU seconds (utime + stime) of one of the broker's processes
cpu_of() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$(cat "$(app_pidfile "$1")")/stat"; }
# CPU seconds of the Postgres server: live processes plus what the postmaster collected from exited backends
cpu_of_postgres() {
  { for p in $(pgrep -x postgres); do awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null; done
    awk '{ print $16 + $17 }' "/proc/$(head -n 1 "$VDI_DATA_DIR/pg/postmaster.pid")/stat" 2>/dev/null; } \
    | awk -v t="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f", s / t }'
}

if [ "$what" = idle ]; then
  # the demo pool's 3 VMs are made and started; then nobody does anything
  log "idle: waiting for the demo pool, then 60 s to settle"
  for _ in $(seq 1 120); do
    [ "$(q "select count(*) from vdi_vms v join vdi_pools p on p.id = v.pool_id where p.verbose_name = 'demo' and v.status = 'ACTIVE'")" -ge 3 ] && break
    sleep 1
  done
  sleep 60
  commits() { q "select xact_commit + xact_rollback from pg_stat_database where datname = 'vdi_bench'"; }
  before=("$(cpu_of bench-silo)" "$(cpu_of bench-gateway)" "$(cpu_of bench-simulator)" "$(cpu_of_postgres)" "$(commits)")
  log "measuring $seconds s of idleness"
  sleep "$seconds"
  after=("$(cpu_of bench-silo)" "$(cpu_of bench-gateway)" "$(cpu_of bench-simulator)" "$(cpu_of_postgres)" "$(commits)")
  pct() { awk -v a="$1" -v b="$2" -v s="$seconds" 'BEGIN { printf "%.2f %% of a core", 100 * (b - a) / s }'; }
  echo "== an idle broker with the demo pool, $seconds s"
  echo "   silo:      $(pct "${before[0]}" "${after[0]}")"
  echo "   gateway:   $(pct "${before[1]}" "${after[1]}")"
  echo "   simulator: $(pct "${before[2]}" "${after[2]}")"
  echo "   postgres:  $(pct "${before[3]}" "${after[3]}"), $(( after[4] - before[4] )) transactions ($(awk -v a="${before[4]}" -v b="${after[4]}" -v s="$seconds" 'BEGIN { printf "%.1f", (b - a) / s }') per second)"
  echo "   command: scripts/bench.sh idle $seconds   ($(nproc) cores, $(date -u +%Y-%m-%d))"
  exit 0
fi

if [ "$what" = admin-lists ]; then
  pool="$(cat /proc/sys/kernel/random/uuid)"
  log "seeding a pool of $vms VMs (half assigned), $events journal events over 36 months and $sessions thin-client sessions over 13 months"
  q "insert into vdi_pools (id, verbose_name, pool_type, status, controller_id, total_size, reserve_size, created, updated)
     values ('$pool', 'bench-lists', 'AUTOMATED', 'ACTIVE', '$controller', $vms, 1, now(), now())" >/dev/null
  q "insert into vdi_vms (id, controller_id, pool_id, verbose_name, status, power_state, created_by_broker, updated)
     select gen_random_uuid(), '$controller', '$pool', 'bench-' || lpad(i::text, 6, '0'), 'ACTIVE', (i % 3) + 1, true, now()
     from generate_series(1, $vms) i" >/dev/null
  q "insert into vdi_vm_owners (vm_id, user_id, pool_id) select id, gen_random_uuid(), pool_id from vdi_vms where pool_id = '$pool' and verbose_name < 'bench-' || lpad(($vms / 2)::text, 6, '0')" >/dev/null
  # the journal's months, as the retention job makes them, then the events spread over 36 months (a million at a time)
  q "select vdi_journal_month_partition((date_trunc('month', now() at time zone 'UTC') - make_interval(months => i))::date) from generate_series(0, 36) i" >/dev/null
  seed_started="$(date +%s)"
  for ((first = 1; first <= events; first += 1000000)); do
    last=$(( first + 999999 < events ? first + 999999 : events ))
    q "insert into vdi_journal (event_type, message, description, entity_type, entity_id, username, created)
       select (i % 4 = 3)::int * 2 + (i % 7 = 0)::int, 'Bench event ' || i, 'details ' || i, (array['POOL','VM','USER','CONTROLLER'])[1 + i % 4],
              gen_random_uuid(), 'user-' || (i % 50), now() - (i::double precision * 94608000 / $events) * interval '1 second'
       from generate_series($first, $last) i" >/dev/null
  done
  # the administrator has read every tenth event (the unread filter's anti-join has rows to skip)
  admin_id="$(q "select id from vdi_users where username = 'vdiadmin'")"
  q "insert into vdi_journal_reads (event_id, user_id) select id, '$admin_id' from vdi_journal where id % 10 = 0" >/dev/null
  if [ "$sessions" -gt 0 ]; then
    # closed sessions of 5,000 users over 13 months, 1 to 8 hours each, a VM connection each (one in twenty failed);
    # the newest 500 still connected
    q "insert into vdi_tk_sessions (id, user_id, username, veil_connect_version, tk_ip, tk_os, connected, data_received, last_interaction, disconnected, close_reason)
       select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad(to_hex(i % 5000), 12, '0'))::uuid,
              'tk-user-' || (i % 5000), (array['1.14.9','1.14.8','1.13.2'])[1 + i % 3], '10.0.' || (i % 250) || '.' || (i % 200), (array['Windows','Linux','Linux'])[1 + i % 3],
              c, c, c, case when i <= 500 then null else c + (1 + i % 8) * interval '1 hour' end, case when i <= 500 then null else 1 end
       from generate_series(1, $sessions) i, lateral (select now() - (i::double precision * 33696000 / $sessions) * interval '1 second' as c) t" >/dev/null
    q "insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, connection_type, connected_to_vm, disconnected_from_vm)
       select gen_random_uuid(), s.id, v.a[1 + abs(hashtext(s.id::text)) % $vms], (row_number() over () % 20) <> 0, 'SPICE', s.connected + interval '20 seconds', s.disconnected
       from vdi_tk_sessions s, (select array_agg(id order by verbose_name) as a from vdi_vms where pool_id = '$pool') v
       where s.username like 'tk-user-%'" >/dev/null
  fi
  log "seeded in $(( $(date +%s) - seed_started )) s; vacuum analyze"
  q "vacuum analyze" >/dev/null

  token="$(curl -s "http://127.0.0.1:$VDI_GATEWAY_PORT/api/auth/" -H 'Content-Type: application/json' \
    -d "{\"username\":\"vdiadmin\",\"password\":\"$admin_pw\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  [ -n "$token" ] || die "could not log in as the administrator"
  since="$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)"
  measure() {
    local label="$1" path="$2" calls="${3:-40}" i times=()
    for i in $(seq 1 "$calls"); do
      times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: JWT $token" "http://127.0.0.1:$VDI_GATEWAY_PORT$path")")
    done
    local bad; bad="$(printf '%s\n' "${times[@]}" | awk '$1 != 200' | wc -l)"
    printf '%s\n' "${times[@]}" | awk '{ printf "%.1f\n", $2 * 1000 }' | sort -n | awk -v label="$label" -v bad="$bad" '
      { t[NR] = $1 }
      END { printf "   %-44s p50 %6.1f ms   p95 %6.1f ms   max %6.1f ms   (%d calls, %d not 200)", label, t[int(NR*0.5)], t[int(NR*0.95)], t[NR], NR, bad }'
    if [ -n "${pgbench_latency:-}" ]; then
      printf '%s\n' "${times[@]}" | awk '{ printf "%.1f\n", $2 * 1000 }' | sort -n | awk -v ref="$pgbench_latency" '{ t[NR] = $1 } END { printf "   p95 = %.0f x pgbench\n", t[int(NR*0.95)] / ref }'
    else
      echo
    fi
  }
  echo "== admin lists at $vms VMs in one pool, $events journal events and $sessions sessions (40 calls each unless said, sequential, through the gateway)"
  measure "pool VMs, first page of 100" "/api/admin/pools/$pool/vms?limit=100"
  measure "pool VMs, last page of 100" "/api/admin/pools/$pool/vms?limit=100&offset=$((vms - 100))"
  measure "pool list (with VM and user counts)" "/api/admin/pools"
  measure "journal, newest 50" "/api/admin/journal?limit=50"
  measure "journal, errors only" "/api/admin/journal?event_type=2&limit=50"
  measure "journal, one user, last 2 hours" "/api/admin/journal?username=user-7&from=$since&limit=50"
  measure "journal, entity type VM, unread" "/api/admin/journal?entity_type=VM&unread=true&limit=50"
  measure "journal, page 1,000 (offset 50,000)" "/api/admin/journal?limit=50&offset=50000"
  cursor="$(curl -s -H "Authorization: JWT $token" "http://127.0.0.1:$VDI_GATEWAY_PORT/api/admin/journal?limit=50&offset=49950" \
    | python3 -c 'import json,sys,urllib.parse; r=json.load(sys.stdin)["results"][-1]; print("before=" + urllib.parse.quote(r["created"]) + "&before_id=" + str(r["id"]))')"
  measure "journal, page 1,000 by keyset cursor" "/api/admin/journal?limit=50&$cursor"
  measure "dashboard summary" "/api/admin/summary"
  measure "tasks, newest 100" "/api/admin/tasks?limit=100"
  measure "users, first 100" "/api/admin/users?limit=100"
  measure "thin clients, connected" "/api/admin/thin-clients?limit=100"
  measure "thin clients, with closed ones, page 1" "/api/admin/thin-clients?get_disconnected=true&limit=100"
  measure "thin clients, with closed ones, page 100" "/api/admin/thin-clients?get_disconnected=true&limit=100&offset=9900"
  year="/api/admin/statistics?from=$(date -u -d '-1 year' +%Y-%m-01T00:00:00Z)&to=$(date -u -d '+1 month' +%Y-%m-01T00:00:00Z)&interval=month"
  measure "statistics, a year from the rows (3 calls)" "$year" 3
  # the retention job rolls the settled days up (a run answers when it is done, or the poll below sees it end)
  log "rolling the statistics of settled days up (a retention run)"
  rollup_started="$(date +%s.%N)"
  curl -s -m 900 -o /dev/null -X POST -H "Authorization: JWT $token" "http://127.0.0.1:$VDI_GATEWAY_PORT/api/admin/retention/run" || true
  rolled=""
  for _ in $(seq 1 900); do
    rolled="$(curl -s -H "Authorization: JWT $token" "http://127.0.0.1:$VDI_GATEWAY_PORT/api/admin/retention" | python3 -c '
import json, sys
run = json.load(sys.stdin).get("last_run") or {}
print(run.get("statistics_days_rolled_up", "") if run.get("finished") else "")' 2>/dev/null)"
    [ -n "$rolled" ] && [ "$rolled" != 0 ] && break
    sleep 1
  done
  rollup_seconds="$(echo "$(date +%s.%N) - $rollup_started" | bc)"
  measure "statistics, last 24 hours by hour" "/api/admin/statistics?from=$(date -u -d '-24 hours' +%Y-%m-%dT%H:00:00Z)&to=$(date -u -d '+1 hour' +%Y-%m-%dT%H:00:00Z)&interval=hour"
  measure "statistics, last 30 days by day" "/api/admin/statistics?from=$(date -u -d '-30 days' +%Y-%m-%dT00:00:00Z)&to=$(date -u -d '+1 day' +%Y-%m-%dT00:00:00Z)&interval=day"
  measure "statistics, a year by month (10 calls)" "$year" 10
  printf '   statistics rolled up: %s days in %.1f s (%s)\n' "${rolled:-?}" "$rollup_seconds" "$(q "select pg_size_pretty(pg_total_relation_size('vdi_stats_days') + pg_total_relation_size('vdi_stats_day_keys') + pg_total_relation_size('vdi_stats_day_users') + pg_total_relation_size('vdi_stats_user_names'))")"
  echo "== sizes"
  echo "   journal $(q "select pg_size_pretty(pg_total_relation_size('vdi_journal'::regclass) + coalesce((select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'vdi_journal'::regclass), 0))") in $(q "select count(*) from pg_inherits where inhparent = 'vdi_journal'::regclass") partitions; sessions $(q "select pg_size_pretty(pg_total_relation_size('vdi_tk_sessions'))"), VM connections $(q "select pg_size_pretty(pg_total_relation_size('vdi_tk_vm_connections'))")"
  echo "== machine"
  echo "   pgbench -N: ${pgbench_tps:-n/a} tps; one client: ${pgbench_latency:-n/a} ms per transaction (the lists' reference)"
  echo "   command: scripts/bench.sh admin-lists $vms $events $sessions   ($(nproc) cores, $(date -u +%Y-%m-%d))"
  exit 0
fi

if [ "$what" = disconnect-storm ]; then
  log "disconnect storm: $vms VMs, users leave over $spread s, SHUTDOWN $timeout s after each"
  dotnet "$VDI_ROOT/scripts/bench/DisconnectStorm/bin/Release/net10.0/disconnect-storm.dll" "$Redis__ConnectionString" bench \
    "$Postgres__ConnectionString" "$controller" "$vms" "$spread" "$timeout"
  echo "== machine"
  echo "   peak memory: silo $(peak bench-silo)"
  echo "   pgbench -N: ${pgbench_tps:-n/a} tps; the actions' rate: $(awk -v n="$vms" -v s="$spread" 'BEGIN { printf "%.0f", n/s }') per second"
  echo "   command: scripts/bench.sh disconnect-storm $vms $spread $timeout   ($(nproc) cores, $(date -u +%Y-%m-%d))"
  exit 0
fi

log "logon storm: $clients clients, burst then $rate per second${BENCH_DIRECTORY:+, users in $BENCH_DIRECTORY}"
out="$(mktemp)"
if [ "${BENCH_DIRECTORY:-}" = openldap ]; then
  ensure_slapd
  total=$((clients + ${BENCH_WARMUP:-200}))
  log "adding $total users to slapd (ou=storm)"
  ldif="$(mktemp)"; hash="$(slappasswd -s storm-password)"
  { printf 'dn: ou=storm,ou=people,%s\nobjectClass: organizationalUnit\nou: storm\n\n' "$VDI_LDAP_BASE"
    for i in $(seq -w 1 "$total"); do
      printf 'dn: uid=storm-%s,ou=storm,ou=people,%s\nobjectClass: inetOrgPerson\nuid: storm-%s\ncn: storm %s\nsn: Storm\nuserPassword: %s\n\n' "$i" "$VDI_LDAP_BASE" "$i" "$i" "$hash"
    done; } > "$ldif"
  ldapdelete -x -r -H "$Ldap__Url" -D "$Ldap__AdminDn" -w "$Ldap__AdminPassword" "ou=storm,ou=people,$VDI_LDAP_BASE" >/dev/null 2>&1 || true
  ldapadd -x -H "$Ldap__Url" -D "$Ldap__AdminDn" -w "$Ldap__AdminPassword" -f "$ldif" >/dev/null || die "ldapadd: the storm's users"
  rm -f "$ldif"
  export STORM_LDAP_URL="$Ldap__Url" STORM_LDAP_BASE="$VDI_LDAP_BASE" STORM_LDAP_SERVICE_DN="$Ldap__ServiceDn" STORM_LDAP_SERVICE_PASSWORD="$Ldap__ServicePassword"
fi
# CPU seconds each process has used so far (utime + stime from /proc), to split the storm's cost between them
cpu_seconds() {
  local name
  for name in silo gateway simulator; do echo "bench-$name $(cpu_of "bench-$name")"; done
  echo "postgres $(cpu_of_postgres)"
  if [ -n "${STORM_LDAP_URL:-}" ]; then awk -v t="$(getconf CLK_TCK)" '{ printf "slapd %.2f\n", ($14 + $15) / t }' "/proc/$(cat "$VDI_DATA_DIR/slapd/slapd.pid")/stat"; fi
}
# the tool reads the machine's counters at each shape's start and end through this probe (see Probe in the tool):
# the processes' CPU as cpu_seconds reads it, the silo's password-hashing threads, Postgres' commits and statements
probe="$(mktemp)"
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d vdi_bench -qc "create extension if not exists pg_stat_statements" >/dev/null 2>&1 || true
{ printf 'VDI_DATA_DIR=%q VDI_RUN_DIR=%q VDI_PG_PORT=%q PGPASSWORD=%q silo=%q\n' "$VDI_DATA_DIR" "$VDI_RUN_DIR" "$VDI_PG_PORT" "$PGPASSWORD" "$(cat "$(app_pidfile bench-silo)")"
  declare -f app_pidfile cpu_of cpu_of_postgres
  cat <<'PROBE'
for name in silo gateway simulator; do echo "$name $(cpu_of "bench-$name")"; done
echo "postgres $(cpu_of_postgres)"
# the silo's password-hashing threads (named password-hashing-N; Linux keeps 15 characters of a thread's name)
for task in /proc/"$silo"/task/*; do
  grep -q '^password-hash' "$task/comm" 2>/dev/null && awk '{ print $14 + $15 }' "$task/stat"
done | awk -v t="$(getconf CLK_TCK)" '{ s += $1 } END { printf "hash %.3f\n", s / t }'
export PGPASSWORD
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d vdi_bench -tAc "select 'commits ' || xact_commit from pg_stat_database where datname = 'vdi_bench'"
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d vdi_bench -tAc "select 'statements ' || coalesce(sum(calls), 0) from pg_stat_statements where dbid = (select oid from pg_database where datname = 'vdi_bench')" 2>/dev/null
true
PROBE
} > "$probe"
export STORM_PROBE="$probe"
( dotnet "$VDI_ROOT/scripts/bench/LogonStorm/bin/Release/net10.0/logon-storm.dll" "http://127.0.0.1:$VDI_GATEWAY_PORT" vdiadmin "$admin_pw" "$controller" "$clients" "$rate" "${BENCH_WARMUP:-200}" | tee "$out" ) &
storm=$!
until grep -q '^setup: .* in ' "$out" 2>/dev/null || ! kill -0 "$storm" 2>/dev/null; do sleep 0.2; done
cpu_seconds > "$out.before"; started="$(date +%s.%N)"
wait "$storm"
cpu_seconds > "$out.after"; storm_seconds="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')"

per_second="$(sed -n 's/.*assignments_per_second=\([0-9.]*\).*/\1/p' "$out")"
echo "== machine"
echo "   peak memory: silo $(peak bench-silo), gateway $(peak bench-gateway)"
echo "   CPU used while the clients ran ($storm_seconds s, both shapes, $(nproc) cores): $(paste "$out.before" "$out.after" | awk '{ printf "%s%s %.1f s", (NR > 1 ? ", " : ""), $1, $4 - $2 }')"
echo "   pgbench -N: ${pgbench_tps:-n/a} tps; VM assignments per second / pgbench tps = $(awk -v a="$per_second" -v b="$pgbench_tps" 'BEGIN { if (b > 0) printf "%.1f%%", 100*a/b; else print "n/a" }')"
echo "   command: ${BENCH_DIRECTORY:+BENCH_DIRECTORY=$BENCH_DIRECTORY }${BENCH_HASH_ITERATIONS:+BENCH_HASH_ITERATIONS=$BENCH_HASH_ITERATIONS }${BENCH_WARMUP:+BENCH_WARMUP=$BENCH_WARMUP }scripts/bench.sh logon-storm $clients $rate   ($(nproc) cores, $(date -u +%Y-%m-%d))"
rm -f "$out" "$out.before" "$out.after" "$probe"
