# A private OpenLDAP (Debian's slapd) for the directory tests: its own configuration, database and TLS certificate
# under .data/slapd, listening on loopback only (ldap://127.0.0.1:$VDI_LDAP_PORT, ldaps://127.0.0.1:$VDI_LDAPS_PORT).
# The tree is scripts/ldap/seed.ldif; the service account's and the people's passwords come from .data/secrets.

VDI_LDAP_PORT="${VDI_LDAP_PORT:-56389}"
VDI_LDAPS_PORT="${VDI_LDAPS_PORT:-56636}"
VDI_LDAP_BASE="dc=vdi,dc=test"
VDI_LDAP_PARTNER_BASE="dc=partner,dc=test"

ldap_ready() { ldapsearch -x -H "ldap://127.0.0.1:$VDI_LDAP_PORT" -b "" -s base namingContexts >/dev/null 2>&1; }

ensure_slapd() {
  if ! command -v slapd >/dev/null 2>&1 && [ ! -x /usr/sbin/slapd ]; then
    [ "$(id -u)" -eq 0 ] || die "slapd is missing: install it (apt-get install slapd ldap-utils) or run as root"
    log "installing slapd and ldap-utils (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
  fi
  command -v ldapsearch >/dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ldap-utils >/dev/null; }

  local dir="$VDI_DATA_DIR/slapd" rootpw; rootpw="$(stored_secret ldap-admin-password)"
  export Ldap__Url="ldap://127.0.0.1:$VDI_LDAP_PORT" Ldap__SecureUrl="ldaps://127.0.0.1:$VDI_LDAPS_PORT" Ldap__BaseDn="$VDI_LDAP_BASE"
  export Ldap__ServiceDn="cn=vdi-service,$VDI_LDAP_BASE" Ldap__CaDirectory="$dir/cacerts"
  export Ldap__ServicePassword Ldap__UserPassword Ldap__AdminDn="cn=admin,$VDI_LDAP_BASE" Ldap__AdminPassword="$rootpw"
  Ldap__ServicePassword="$(stored_secret ldap-service-password)"
  Ldap__UserPassword="$(stored_secret ldap-user-password)"
  if ldap_ready; then
    log "slapd already running on 127.0.0.1:$VDI_LDAP_PORT"
    return
  fi

  rm -rf "$dir"; mkdir -p "$dir/db" "$dir/db2"
  # TLS: a CA of its own and the server's certificate for 127.0.0.1 (the tests trust the CA, nothing else)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=vdi test directory CA" \
    -addext "basicConstraints=critical,CA:TRUE" -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 || die "openssl: LDAP CA"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 || die "openssl: LDAP key"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$dir/ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 -extfile "$dir/ext" \
    -out "$dir/server.pem" >/dev/null 2>&1 || die "openssl: LDAP certificate"
  # the clients' trust: a directory of CA certificates named by their hash, as OpenSSL (and so libldap) reads them
  mkdir -p "$dir/cacerts" && cp "$dir/ca.pem" "$dir/cacerts/vdi-test-ca.pem" && openssl rehash "$dir/cacerts" >/dev/null 2>&1 \
    || die "openssl rehash: the LDAP CA directory"
  cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
TLSCACertificateFile $dir/ca.pem
TLSCertificateFile $dir/server.pem
TLSCertificateKeyFile $dir/server.key
database mdb
maxsize 104857600
suffix "$VDI_LDAP_BASE"
rootdn "cn=admin,$VDI_LDAP_BASE"
rootpw $(slappasswd -s "$rootpw")
directory $dir/db
# password policy: an account locked by the directory (pwdAccountLockedTime) cannot bind
overlay ppolicy
ppolicy_default "cn=default,ou=policies,$VDI_LDAP_BASE"
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
# a second domain the first trusts (the trusted-domain tests): its own suffix, readable by the first's service account
database mdb
maxsize 104857600
suffix "$VDI_LDAP_PARTNER_BASE"
rootdn "cn=admin,$VDI_LDAP_PARTNER_BASE"
rootpw $(slappasswd -s "$rootpw")
directory $dir/db2
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
CONF
  /usr/sbin/slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$VDI_LDAP_PORT/ ldaps://127.0.0.1:$VDI_LDAPS_PORT/" >/dev/null 2>&1 \
    || die "slapd did not start (configuration $dir/slapd.conf)"
  for _ in $(seq 1 50); do ldap_ready && break; sleep 0.1; done
  ldap_ready || die "slapd did not answer on 127.0.0.1:$VDI_LDAP_PORT"
  VDI_STARTED_SLAPD=1
  local admin=(-x -H "ldap://127.0.0.1:$VDI_LDAP_PORT" -D "cn=admin,$VDI_LDAP_BASE" -w "$rootpw")
  ldapadd "${admin[@]}" -f "$VDI_ROOT/scripts/ldap/seed.ldif" >/dev/null || die "the test directory could not be seeded"
  ldappasswd "${admin[@]}" -s "$Ldap__ServicePassword" "cn=vdi-service,$VDI_LDAP_BASE" >/dev/null || die "ldappasswd: service account"
  for person in "uid=ldap-alice,ou=people" "uid=ldap-bob,ou=accounting,ou=people" "uid=ldap-dan,ou=people" "uid=ipa-gina,cn=users,cn=accounts"; do
    ldappasswd "${admin[@]}" -s "$Ldap__UserPassword" "$person,$VDI_LDAP_BASE" >/dev/null || die "ldappasswd: $person"
  done
  local partner=(-x -H "ldap://127.0.0.1:$VDI_LDAP_PORT" -D "cn=admin,$VDI_LDAP_PARTNER_BASE" -w "$rootpw")
  ldapadd "${partner[@]}" -f "$VDI_ROOT/scripts/ldap/partner.ldif" >/dev/null || die "the trusted test domain could not be seeded"
  ldappasswd "${partner[@]}" -s "$Ldap__UserPassword" "uid=ldap-alice,ou=people,$VDI_LDAP_PARTNER_BASE" >/dev/null || die "ldappasswd: partner ldap-alice"
  # after its password (a password set by the administrator unlocks an account): ldap-dan is locked for ever
  printf 'dn: uid=ldap-dan,ou=people,%s\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' "$VDI_LDAP_BASE" \
    | ldapmodify "${admin[@]}" >/dev/null || die "ldapmodify: lock ldap-dan"
  log "slapd started on ldap://127.0.0.1:$VDI_LDAP_PORT and ldaps://127.0.0.1:$VDI_LDAPS_PORT ($VDI_LDAP_BASE)"
}

stop_slapd() {
  local pid="$VDI_DATA_DIR/slapd/slapd.pid"
  [ -s "$pid" ] && kill "$(cat "$pid")" 2>/dev/null && log "slapd stopped"
  return 0
}
