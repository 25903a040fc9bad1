#!/usr/bin/env bash
# Shared settings and service helpers for run.sh, test.sh and the bench tools.
# Everything binds to 127.0.0.1; data lives under $VDI_DATA_DIR (git-ignored).

VDI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export VDI_ROOT
export VDI_DATA_DIR="${VDI_DATA_DIR:-$VDI_ROOT/.data}"
export VDI_PG_PORT="${VDI_PG_PORT:-55432}"
export VDI_PG_DB="${VDI_PG_DB:-vdi}"
export VDI_REDIS_PORT="${VDI_REDIS_PORT:-56379}"
export VDI_GATEWAY_PORT="${VDI_GATEWAY_PORT:-8080}"
export VDI_SILO_HTTP_PORT="${VDI_SILO_HTTP_PORT:-8090}"
export VDI_SILO_PORT="${VDI_SILO_PORT:-11111}"
export VDI_SILO_GATEWAY_PORT="${VDI_SILO_GATEWAY_PORT:-30000}"
export VDI_SIMULATOR_PORT="${VDI_SIMULATOR_PORT:-8100}"
export VDI_CONFIGURATION="${VDI_CONFIGURATION:-Release}"
# set to 1 by ensure_postgres / ensure_redis when this shell started the server
VDI_STARTED_POSTGRES=0
VDI_STARTED_REDIS=0
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

log() { printf '\033[1;34m[vdi]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[vdi] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as the unprivileged owner of the Postgres cluster (initdb refuses root).
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Chromium from Debian's archive for the browser tests (Playwright drives it; it never downloads a browser).
ensure_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "chromium is missing: install it (apt-get install chromium) or run as root"
  log "installing chromium (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  # the tests' reverse proxy (the shipped nginx site) and the package tests' tools
  if [ "${VDI_TEST_TOOLS:-0}" = 1 ]; then
    [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg)
    command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
    command -v zstd >/dev/null 2>&1 || missing+=(zstd)
    [ -x /usr/bin/python3.11 ] || missing+=(python3.11)
    # the notification tests' SMTP server (a real one on loopback: aiosmtpd storing mail in a Maildir)
    /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
    log "installing ${missing[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    # no service of these packages is started by their installation (the scripts start what they need, on loopback)
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
  if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

# The Postgres superuser password: generated once, kept under .data (mode 600).
pg_password() {
  local f="$VDI_DATA_DIR/secrets/pg-password"
  if [ ! -s "$f" ]; then
    mkdir -p "$VDI_DATA_DIR/secrets"
    chmod 700 "$VDI_DATA_DIR/secrets"
    head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$f"
    chmod 600 "$f"
  fi
  cat "$f"
}

# The certificate that encrypts the Data Protection key ring (controller tokens) at rest; made once with openssl.
ensure_key_certificate() {
  local dir="$VDI_DATA_DIR/secrets" pfx="$VDI_DATA_DIR/secrets/dataprotection.pfx"
  local pw; pw="$(stored_secret dataprotection-password)"
  if [ ! -s "$pfx" ]; then
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to create the key-encryption certificate (apt-get install openssl)"
    local tmp; tmp="$(mktemp -d)"
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=vdi-broker data protection" \
      -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || die "openssl could not create the certificate"
    openssl pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -out "$pfx" -passout "pass:$pw" >/dev/null 2>&1 \
      || die "openssl could not write $pfx"
    rm -rf "$tmp"
    chmod 600 "$pfx"
    log "created the key-encryption certificate $pfx"
  fi
  export DataProtection__CertificatePath="$pfx"
  export DataProtection__CertificatePassword="$pw"
  ensure_cluster_certificates
}

# The cluster's mutual TLS: a CA of this installation and one certificate it issued, shown by every silo and gateway;
# a peer without a certificate of this CA cannot join the cluster or call a grain (ClusterTls:*).
ensure_cluster_certificates() {
  local dir="$VDI_DATA_DIR/secrets" ca="$VDI_DATA_DIR/secrets/cluster-ca.pem" pfx="$VDI_DATA_DIR/secrets/cluster.pfx"
  local pw; pw="$(stored_secret cluster-tls-password)"
  if [ ! -s "$pfx" ] || [ ! -s "$ca" ]; then
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to create the cluster certificates (apt-get install openssl)"
    local tmp; tmp="$(mktemp -d)"
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=vdi-broker cluster CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$tmp/ca.key" -out "$tmp/ca.pem" >/dev/null 2>&1 || die "openssl could not create the cluster CA"
    openssl req -newkey rsa:3072 -nodes -subj "/CN=vdi-cluster" -keyout "$tmp/node.key" -out "$tmp/node.csr" >/dev/null 2>&1 \
      || die "openssl could not create the cluster certificate request"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:vdi-cluster\n' > "$tmp/ext"
    openssl x509 -req -in "$tmp/node.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 3650 \
      -extfile "$tmp/ext" -out "$tmp/node.pem" >/dev/null 2>&1 || die "openssl could not sign the cluster certificate"
    openssl pkcs12 -export -inkey "$tmp/node.key" -in "$tmp/node.pem" -out "$pfx" -passout "pass:$pw" >/dev/null 2>&1 \
      || die "openssl could not write $pfx"
    cp "$tmp/ca.pem" "$ca"
    rm -rf "$tmp" # the CA's key is not kept: a new node certificate means a new CA (scripts), or the site's own CA
    chmod 600 "$pfx"
    log "created the cluster's CA and certificate ($ca, $pfx)"
  fi
  export ClusterTls__CertificatePath="$pfx"
  export ClusterTls__CertificatePassword="$pw"
  export ClusterTls__CaPath="$ca"
}

# The broker connects as vdi_broker, a role that reads and writes the tables and may do nothing else (no superuser,
# no DDL, no other database); the schema is applied by the cluster's superuser (apply_schema). The superuser's
# connection string is exported for the tests' own checks and fault injection only.
broker_pg_password() { stored_secret pg-broker-password; }

redis_password() { stored_secret redis-password; }

# Redis with its password; a TLS Redis takes ",ssl=true" (and sslHost=...) in Redis:ConnectionString.
redis_connection_string() { echo "127.0.0.1:$VDI_REDIS_PORT,password=$(redis_password)"; }

export_connection_strings() {
  local pw
  pw="$(pg_password)"
  export PGPASSWORD="$pw"
  export Postgres__ConnectionString="Host=127.0.0.1;Port=$VDI_PG_PORT;Database=$VDI_PG_DB;Username=vdi_broker;Password=$(broker_pg_password)"
  export PostgresAdmin__ConnectionString="Host=127.0.0.1;Port=$VDI_PG_PORT;Database=$VDI_PG_DB;Username=postgres;Password=$pw"
  export REDISCLI_AUTH; REDISCLI_AUTH="$(redis_password)"
  Redis__ConnectionString="$(redis_connection_string)"
  export Redis__ConnectionString
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$VDI_PG_PORT"; }

ensure_postgres() {
  local data="${VDI_PG_DATA:-$VDI_DATA_DIR/pg}"
  local pw
  pw="$(pg_password)"
  if pg_ready; then
    log "postgres already running on 127.0.0.1:$VDI_PG_PORT"
  else
    if [ ! -s "$data/PG_VERSION" ]; then
      log "creating the Postgres cluster in $data"
      mkdir -p "$data"
      local pwfile="$VDI_DATA_DIR/pg.pwfile"
      printf '%s\n' "$pw" > "$pwfile"
      if [ "$(id -u)" -eq 0 ]; then chown postgres "$data" "$pwfile"; fi
      chmod 700 "$data"
      as_pg_owner "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$pwfile"
    fi
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$data"
    log "starting postgres on 127.0.0.1:$VDI_PG_PORT"
    local logfile="${VDI_PG_LOG:-$VDI_DATA_DIR/postgres.log}"
    touch "$logfile"; [ "$(id -u)" -eq 0 ] && chown postgres "$logfile"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -l "$logfile" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $VDI_PG_PORT -c unix_socket_directories='' -c max_connections=300 -c shared_preload_libraries=pg_stat_statements" start >/dev/null \
      || die "postgres did not start; see $logfile"
    VDI_STARTED_POSTGRES=1
  fi
  export PGPASSWORD="$pw"
  if ! psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -tAc "select 1 from pg_database where datname='$VDI_PG_DB'" | grep -q 1; then
    log "creating database $VDI_PG_DB"
    psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d postgres -qc "create database \"$VDI_PG_DB\"" >/dev/null
  fi
}

stop_postgres() {
  local data="${VDI_PG_DATA:-$VDI_DATA_DIR/pg}"
  [ -s "$data/PG_VERSION" ] && pg_ready && as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null && log "postgres stopped"
  return 0
}

redis_ready() { REDISCLI_AUTH="$(redis_password)" redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  export REDISCLI_AUTH; REDISCLI_AUTH="$(redis_password)"
  if env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    # a Redis of an older run, answering without a password: it gets one now
    env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" config set requirepass "$(redis_password)" >/dev/null
    log "redis already running on 127.0.0.1:$VDI_REDIS_PORT (password set)"
    return
  fi
  if redis_ready; then
    log "redis already running on 127.0.0.1:$VDI_REDIS_PORT"
    return
  fi
  mkdir -p "$VDI_DATA_DIR/redis"
  log "starting redis on 127.0.0.1:$VDI_REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$VDI_REDIS_PORT" --protected-mode yes --daemonize yes --requirepass "$(redis_password)" \
    --dir "$VDI_DATA_DIR/redis" --pidfile "$VDI_DATA_DIR/redis/redis.pid" \
    --logfile "$VDI_DATA_DIR/redis/redis.log" --appendonly yes >/dev/null
  VDI_STARTED_REDIS=1
  for _ in $(seq 1 50); do redis_ready && return; sleep 0.1; done
  die "redis did not start; see $VDI_DATA_DIR/redis/redis.log"
}

stop_redis() {
  redis_ready && redis-cli -h 127.0.0.1 -p "$VDI_REDIS_PORT" shutdown nosave >/dev/null 2>&1 && log "redis stopped"
  return 0
}

# Applies every scripts/sql/NNN_*.sql in order. Each file is idempotent and runs in one transaction.
apply_schema() {
  local f
  for f in "$VDI_ROOT"/scripts/sql/[0-9][0-9][0-9]_*.sql; do
    PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d "$VDI_PG_DB" -q -v ON_ERROR_STOP=1 -1 -f "$f" >/dev/null \
      || die "schema file $(basename "$f") failed"
  done
  local v
  v="$(psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d "$VDI_PG_DB" -tAc 'select max(version) from vdi_schema_version')"
  log "schema at version $v"
  grant_broker_role
}

# The broker's own role: rows in, rows out, nothing more (tables, their sequences and the Orleans functions of this
# database). Idempotent; the password is the one in .data/secrets/pg-broker-password.
grant_broker_role() {
  local pw; pw="$(broker_pg_password)"
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$VDI_PG_PORT" -U postgres -d "$VDI_PG_DB" -q -v ON_ERROR_STOP=1 -v pw="$pw" >/dev/null <<SQL || die "could not create or grant the broker's Postgres role"
select format('create role vdi_broker login nosuperuser nocreatedb nocreaterole noinherit password %L', :'pw')
  where not exists (select 1 from pg_roles where rolname = 'vdi_broker') \\gexec
select format('alter role vdi_broker login nosuperuser nocreatedb nocreaterole noinherit password %L', :'pw') \\gexec
revoke all on database "$VDI_PG_DB" from public;
grant connect, temporary on database "$VDI_PG_DB" to vdi_broker;
revoke create on schema public from public;
grant usage on schema public to vdi_broker;
grant select, insert, update, delete on all tables in schema public to vdi_broker;
grant usage, select on all sequences in schema public to vdi_broker;
grant execute on all functions in schema public to vdi_broker;
SQL
}

ensure_services() {
  ensure_packages
  mkdir -p "$VDI_DATA_DIR"
  ensure_postgres
  ensure_redis
  export_connection_strings
  ensure_key_certificate
  apply_schema
}

# A secret generated once and kept under .data/secrets (mode 600): admin password, simulator token.
stored_secret() {
  local f="$VDI_DATA_DIR/secrets/$1"
  if [ ! -s "$f" ]; then
    mkdir -p "$VDI_DATA_DIR/secrets"
    chmod 700 "$VDI_DATA_DIR/secrets"
    head -c 18 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-16 > "$f"
    chmod 600 "$f"
  fi
  cat "$f"
}

build_solution() {
  log "building ($VDI_CONFIGURATION)"
  (cd "$VDI_ROOT" && dotnet build Orleans.sln -c "$VDI_CONFIGURATION" -nologo -clp:ErrorsOnly -v:q) || die "build failed"
}

# --- the broker's own processes, each with a pid file under .data/run and a log under .data/logs ---
# (VDI_RUN_DIR and VDI_LOG_DIR move them: the run.sh topology test runs a whole broker beside the other tests)
export VDI_RUN_DIR="${VDI_RUN_DIR:-$VDI_DATA_DIR/run}"
export VDI_LOG_DIR="${VDI_LOG_DIR:-$VDI_DATA_DIR/logs}"

app_pidfile() { echo "$VDI_RUN_DIR/$1.pid"; }
app_logfile() { echo "$VDI_LOG_DIR/$1.log"; }

app_running() {
  local pidfile; pidfile="$(app_pidfile "$1")"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_app NAME PROJECT PORT [ARGS...]: runs PROJECT's built dll in the background.
start_app() {
  local name="$1" project="$2" port="$3"; shift 3
  if app_running "$name"; then log "$name already running (pid $(cat "$(app_pidfile "$name")"))"; return; fi
  port_free "$port" || die "port $port is in use: cannot start $name (set the VDI_*_PORT variable or stop what holds it)"
  local dir="$VDI_ROOT/$project/bin/$VDI_CONFIGURATION/net10.0"
  local dll="$dir/Vdi.$project.dll"
  [ -f "$dll" ] || die "$project is not built ($dir): run dotnet build Orleans.sln -c $VDI_CONFIGURATION"
  mkdir -p "$VDI_RUN_DIR" "$VDI_LOG_DIR"
  (cd "$dir" && exec dotnet "$dll" --urls "http://127.0.0.1:$port" "$@" >>"$(app_logfile "$name")" 2>&1) &
  echo $! > "$(app_pidfile "$name")"
  log "$name starting on http://127.0.0.1:$port (log: $(app_logfile "$name"))"
}

stop_app() {
  local name="$1" pidfile; pidfile="$(app_pidfile "$1")"
  if app_running "$name"; then
    local pid; pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    log "$name stopped"
  fi
  rm -f "$pidfile"
}

# wait_healthy NAME URL SECONDS: polls URL until it answers 200; fails early if the process died.
wait_healthy() {
  local name="$1" url="$2" seconds="$3" i
  for i in $(seq 1 $((seconds * 5))); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && { log "$name healthy: $url"; return 0; }
    if ! app_running "$name"; then
      tail -n 20 "$(app_logfile "$name")" >&2
      die "$name exited during start; see $(app_logfile "$name")"
    fi
    sleep 0.2
  done
  tail -n 20 "$(app_logfile "$name")" >&2
  die "$name not healthy at $url after ${seconds}s; see $(app_logfile "$name")"
}

start_simulator() {
  ( export Simulator__Token; Simulator__Token="$(stored_secret simulator-token)"
    start_app simulator Simulator "$VDI_SIMULATOR_PORT" --Simulator:Name=simulator-1 --Simulator:StateFile="${VDI_SIMULATOR_STATE:-$VDI_DATA_DIR/simulator/state.json}" )
}

start_silo() {
  # secrets reach the silo through its environment, never its command line; the simulator becomes its first controller
  ( export Admin__Password DefaultController__Address DefaultController__Token Demo__Enabled Demo__Password
    Admin__Password="$(stored_secret admin-password)"
    Demo__Enabled="${VDI_DEMO:-true}"
    Demo__Password="$(stored_secret demo-password)"
    DefaultController__Address="http://127.0.0.1:$VDI_SIMULATOR_PORT"
    DefaultController__Token="$(stored_secret simulator-token)"
    # the simulator speaks plain HTTP: allowed for it here, refused by default (Ecp:AllowPlainHttp)
    start_app "$(silo_name)" Silo "$VDI_SILO_HTTP_PORT" --Silo:SiloPort="$VDI_SILO_PORT" --Silo:GatewayPort="$VDI_SILO_GATEWAY_PORT" --Ecp:AllowPlainHttp=true --Retention:ArchiveDirectory="$VDI_DATA_DIR/archive" )
}

# The first silo is "silo"; another (other ports) is named after its HTTP port, as gateways are.
silo_name() { if [ "$VDI_SILO_HTTP_PORT" = 8090 ]; then echo silo; else echo "silo-$VDI_SILO_HTTP_PORT"; fi; }

start_gateway() {
  local name="gateway"
  [ "$VDI_GATEWAY_PORT" = 8080 ] || name="gateway-$VDI_GATEWAY_PORT"
  start_app "$name" WebGateway "$VDI_GATEWAY_PORT" --Broker:DashboardUrl="http://127.0.0.1:$VDI_SILO_HTTP_PORT/dashboard/"
}
source "$(dirname "${BASH_SOURCE[0]}")/ldap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/samba.sh"
