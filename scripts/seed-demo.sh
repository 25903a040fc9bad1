#!/usr/bin/env bash
# Seeds the demo into a running broker that already has data, through the admin REST API: the simulator as a
# controller (if no controller has its address), an automated pool "demo" and a user "demo" entitled to it. Every
# step is skipped when its object exists, so it can run any number of times. (scripts/run.sh seeds the same at start;
# this is for a broker started otherwise, or after the demo was removed.)
#   scripts/seed-demo.sh            uses .data/secrets/admin-password; ADMIN_USERNAME / ADMIN_PASSWORD override
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

api="http://127.0.0.1:$VDI_GATEWAY_PORT/api"
sim="http://127.0.0.1:$VDI_SIMULATOR_PORT"
curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$VDI_GATEWAY_PORT/health/ready" || die "no broker answers at $api: start it first (scripts/run.sh or scripts/svc.sh)"
curl -fsS -o /dev/null --max-time 3 "$sim/health/live" || die "no simulator answers at $sim: start it first (scripts/svc.sh start simulator)"

user="${ADMIN_USERNAME:-vdiadmin}"
password="${ADMIN_PASSWORD:-$(cat "$VDI_DATA_DIR/secrets/admin-password" 2>/dev/null || true)}"
[ -n "$password" ] || die "the administrator's password is not in $VDI_DATA_DIR/secrets/admin-password: set ADMIN_PASSWORD"
token="$(curl -s "$api/auth/" -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}" \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || die "the administrator $user could not log in"

call() { # method path [json]
  local out code
  out="$(mktemp)"
  code="$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H "Authorization: JWT $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$api$2")"
  if [ "${code:0:1}" != 2 ]; then
    echo "$1 $2 answered $code: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}
first_id() { grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4; }

# the controller
controller="$(call GET /admin/controllers | grep -o "\"id\":\"[^\"]*\",\"verbose_name\":\"[^\"]*\",\"address\":\"$sim\"" | first_id || true)"
if [ -z "$controller" ]; then
  controller="$(call POST /admin/controllers "{\"verbose_name\":\"Simulator\",\"address\":\"$sim\",\"token\":\"$(stored_secret simulator-token)\",\"description\":\"demo\"}" | first_id)"
  log "registered the simulator as controller $controller"
else
  log "controller $controller already registered"
fi

# the pool
pool="$(call GET '/admin/pools?limit=1000' | grep -o '"id":"[^"]*","verbose_name":"demo"' | first_id || true)"
if [ -z "$pool" ]; then
  rp="$(call GET "/admin/controllers/$controller/resource-pools" | first_id)"
  dp="$(call GET "/admin/controllers/$controller/data-pools" | first_id)"
  tpl="$(call GET "/admin/controllers/$controller/templates" | first_id)"
  pool="$(call POST /admin/pools "{\"pool_type\":\"AUTOMATED\",\"verbose_name\":\"demo\",\"controller_id\":\"$controller\",
    \"resource_pool_id\":\"$rp\",\"datapool_id\":\"$dp\",\"template_id\":\"$tpl\",\"vm_name_template\":\"demo\",
    \"initial_size\":3,\"reserve_size\":1,\"total_size\":10,\"increase_step\":1,\"connection_types\":[\"SPICE\",\"RDP\"]}" | first_id)"
  log "created pool demo ($pool); its VMs are being prepared"
else
  log "pool demo already exists ($pool)"
fi

# the user, entitled to the pool
demo="$(call GET '/admin/users?q=demo&limit=1000' | grep -o '"id":"[^"]*","username":"demo"' | first_id || true)"
if [ -z "$demo" ]; then
  demo="$(call POST /admin/users "{\"username\":\"demo\",\"password\":\"$(stored_secret demo-password)\"}" | first_id)"
  log "created user demo"
else
  log "user demo already exists"
fi
call POST "/admin/pools/$pool/entitlements" "{\"users\":[\"$demo\"]}" >/dev/null
log "demo is entitled to pool demo; its password is in $VDI_DATA_DIR/secrets/demo-password: $(stored_secret demo-password)"
