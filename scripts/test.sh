#!/usr/bin/env bash
# Runs every test of the solution against real Postgres and Redis (started here if they are not running).
# Tests use their own database (vdi_test, recreated on every run from scripts/sql) and Redis database 1, so the
# data of scripts/run.sh is never touched. Ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

export VDI_PG_DB="${VDI_TEST_PG_DB:-vdi_test}"
VDI_TEST_TOOLS=1 ensure_packages
ensure_chromium
mkdir -p "$VDI_DATA_DIR"
ensure_postgres
ensure_redis
export_connection_strings
ensure_key_certificate
ensure_slapd
ensure_samba_dc
Redis__ConnectionString="$(redis_connection_string),defaultDatabase=1"
export Redis__ConnectionString

log "recreating database $VDI_PG_DB from scripts/sql"
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "drop database if exists \"$VDI_PG_DB\" with (force)" >/dev/null
psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "create database \"$VDI_PG_DB\"" >/dev/null
apply_schema
redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" -n 1 flushdb >/dev/null
log "starting the fault tests' own Postgres (they stop and start it)"
"$VDI_ROOT/scripts/fault-pg.sh" init
export VDI_FAULT_PG_SCRIPT="$VDI_ROOT/scripts/fault-pg.sh"
FaultPostgres__ConnectionString="$("$VDI_ROOT/scripts/fault-pg.sh" url)"
export FaultPostgres__ConnectionString

results="$VDI_DATA_DIR/test-results"
rm -rf "$results"
cd "$VDI_ROOT"
log "building"
dotnet build Orleans.sln -c Release -nologo -clp:ErrorsOnly -v:q
log "running tests"
set +e
dotnet test Orleans.sln -c Release --no-build --nologo -v:q \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" \
  "$@"
status=$?
set -e
"$VDI_ROOT/scripts/fault-pg.sh" stop || true
stop_slapd
stop_samba_dc

trx="$(ls "$results"/*.trx 2>/dev/null | head -n 1 || true)"
if [ -z "$trx" ]; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
attr() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
total=$(attr total); passed=$(attr passed); failed=$(attr failed); errors=$(attr error)
failed=$(( ${failed:-0} + ${errors:-0} ))
skipped=$(( ${total:-0} - ${passed:-0} - failed ))
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
if [ "$failed" -gt 0 ] && [ -x /usr/bin/python3 ]; then
  # The failed tests' names and the first lines of their messages, just above the summary, so that the tail of a
  # CI log says which test failed and why.
  /usr/bin/python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
for r in root.iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") not in ("Failed", "Error"):
        continue
    msg = r.find(".//t:Message", ns)
    text = (msg.text or "").strip().splitlines() if msg is not None else []
    print("FAILED " + r.get("testName", "?") + " (" + r.get("duration", "") + ")")
    for line in text[:40]:
        print("    " + line[:300])
PY
fi
echo "${passed:-0} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
