#!/usr/bin/env bash
# The fault tests' own Postgres: a second cluster on another port (default 55433, database vdi_fault), so that
# stopping it for real (pg_ctl stop -m immediate, as a crash) disturbs no other test collection.
#   scripts/fault-pg.sh init    create/start it, recreate the database from scripts/sql
#   scripts/fault-pg.sh start   start it again (the data survives)
#   scripts/fault-pg.sh stop    stop it at once, as a crashed server would
#   scripts/fault-pg.sh url     print its connection string
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

export VDI_PG_PORT="${VDI_FAULT_PG_PORT:-55433}"
export VDI_PG_DATA="$VDI_DATA_DIR/pg-fault"
export VDI_PG_LOG="$VDI_DATA_DIR/postgres-fault.log"
export VDI_PG_DB=vdi_fault
mkdir -p "$VDI_DATA_DIR"

case "${1:-}" in
  init)
    ensure_postgres
    psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "drop database if exists \"$VDI_PG_DB\" with (force)" >/dev/null
    psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "create database \"$VDI_PG_DB\"" >/dev/null
    apply_schema
    ;;
  start)
    ensure_postgres
    ;;
  stop)
    pg_ready || exit 0
    as_pg_owner "$PG_BIN/pg_ctl" -D "$VDI_PG_DATA" -m immediate -w stop >/dev/null
    ;;
  url)
    echo "Host=127.0.0.1;Port=$VDI_PG_PORT;Database=$VDI_PG_DB;Username=vdi_broker;Password=$(broker_pg_password)"
    ;;
  *)
    echo "usage: $0 init|start|stop|url" >&2
    exit 2
    ;;
esac
