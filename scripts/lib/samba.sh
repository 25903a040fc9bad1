# A private Active Directory domain controller (Debian's samba, provisioned with samba-tool) for the directory and
# Kerberos SSO tests: realm AD.VDI.TEST (NetBIOS VDIAD), its database and configuration under .data/samba, its LDAP
# (389) and KDC (88) on loopback only, nothing else started (no SMB, no RPC, no DNS). Provisioned once and kept while
# the seed below is unchanged; started on each run, stopped by stop_samba_dc.
#
# The tree: ad-carol in vdi-staff, itself a member of vdi-desktop-users (a nested group); ad-dave whose UPN has
# another suffix (dave@corp.vdi.test); ad-erin disabled; ad-frank in OU=Accounting; vdi-service (the broker's searches);
# vdi-http, the account of the gateway's service principal HTTP/localhost, whose keys are exported to a keytab.

VDI_AD_REALM="AD.VDI.TEST"
VDI_AD_DOMAIN="VDIAD"
VDI_AD_BASE="DC=ad,DC=vdi,DC=test"
VDI_AD_SEED_VERSION="3"

ad_ready() { ldapsearch -x -H "ldap://127.0.0.1:389" -b "" -s base defaultNamingContext 2>/dev/null | grep -q "^defaultNamingContext: $VDI_AD_BASE"; }

# apt-get must not start the distribution's smbd/nmbd/samba-ad-dc: a private policy-rc.d denies it while installing
install_samba_packages() {
  [ "$(id -u)" -eq 0 ] || die "samba is missing: install samba samba-ad-dc krb5-user, or run as root"
  log "installing samba (AD DC) and the Kerberos tools (apt-get)"
  local policy=/usr/sbin/policy-rc.d made=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends samba samba-ad-dc samba-ad-provision \
    samba-dsdb-modules samba-vfs-modules krb5-user libgssapi-krb5-2 attr >/dev/null || { [ "$made" = 1 ] && rm -f "$policy"; die "apt-get: samba"; }
  [ "$made" = 1 ] && rm -f "$policy"
  return 0
}

ensure_samba_dc() {
  if ! command -v samba-tool >/dev/null 2>&1 || [ ! -x /usr/sbin/samba ] || ! command -v kinit >/dev/null 2>&1; then
    install_samba_packages
  fi

  local dir="$VDI_DATA_DIR/samba" admin service user conf
  admin="Vdi-1$(stored_secret ad-admin-password)"
  export Ad__Url="ldap://127.0.0.1:389" Ad__BaseDn="$VDI_AD_BASE" Ad__Realm="$VDI_AD_REALM" Ad__Domain="$VDI_AD_DOMAIN"
  export Ad__ServiceDn="CN=vdi-service,CN=Users,$VDI_AD_BASE" Ad__Keytab="$dir/http.keytab" Ad__Krb5Config="$dir/krb5.conf"
  export Ad__ServicePassword Ad__UserPassword Ad__ComputersOu="OU=VDI,$VDI_AD_BASE"
  Ad__ServicePassword="Vdi-1$(stored_secret ad-service-password)"
  Ad__UserPassword="Vdi-1$(stored_secret ad-user-password)"
  conf="$dir/etc/smb.conf"
  # the tests' Kerberos clients (and the gateway's GSSAPI) read this realm's configuration, not the system's
  export KRB5_CONFIG="$dir/krb5.conf"
  if ad_ready; then
    log "the AD domain controller already answers on 127.0.0.1:389 ($VDI_AD_REALM)"
    return
  fi

  if [ "$(cat "$dir/seed-version" 2>/dev/null)" != "$VDI_AD_SEED_VERSION" ]; then
    log "provisioning the AD domain $VDI_AD_REALM in $dir (samba-tool)"
    rm -rf "$dir"; mkdir -p "$dir"
    samba-tool domain provision --targetdir="$dir" --realm="$VDI_AD_REALM" --domain="$VDI_AD_DOMAIN" --server-role=dc \
      --dns-backend=NONE --use-rfc2307 --host-name=dc1 --adminpass="$admin" \
      --option="interfaces=lo" --option="bind interfaces only=yes" > "$dir/provision.log" 2>&1 \
      || die "samba-tool domain provision failed (see $dir/provision.log)"
    # only the directory and the KDC; simple binds over plain LDAP allowed for the tests (LDAPS is slapd's case)
    sed -i -e '/^\s*server services\s*=/d' -e '/^\s*log file\s*=/d' "$conf"
    sed -i "/^\[global\]/a \\\tserver services = ldap, kdc\n\tldap server require strong auth = no\n\tlog file = $dir/log.%m\n\tlog level = 0" "$conf"
    local t=(-s "$conf")
    samba-tool domain passwordsettings set --max-pwd-age=0 --account-lockout-threshold=0 "${t[@]}" >/dev/null || die "samba-tool: password settings"
    samba-tool ou add "OU=Accounting" "${t[@]}" >/dev/null || die "samba-tool: OU"
    for u in ad-carol ad-dave ad-erin; do
      samba-tool user add "$u" --use-username-as-cn "$Ad__UserPassword" --given-name="${u#ad-}" --surname=Tester --mail-address="$u@ad.vdi.test" "${t[@]}" >/dev/null \
        || die "samba-tool: user $u"
    done
    samba-tool user add ad-frank --use-username-as-cn "$Ad__UserPassword" --userou="OU=Accounting" --given-name=frank --surname=Tester "${t[@]}" >/dev/null || die "samba-tool: ad-frank"
    samba-tool user add vdi-service --use-username-as-cn "$Ad__ServicePassword" "${t[@]}" >/dev/null || die "samba-tool: vdi-service"
    samba-tool user add vdi-http --use-username-as-cn "Vdi-1$(stored_secret ad-http-password)" "${t[@]}" >/dev/null || die "samba-tool: vdi-http"
    samba-tool user disable ad-erin "${t[@]}" >/dev/null || die "samba-tool: disable ad-erin"
    samba-tool group add vdi-staff "${t[@]}" >/dev/null && samba-tool group add vdi-desktop-users "${t[@]}" >/dev/null || die "samba-tool: groups"
    samba-tool group addmembers vdi-staff ad-carol "${t[@]}" >/dev/null && samba-tool group addmembers vdi-desktop-users vdi-staff "${t[@]}" >/dev/null \
      || die "samba-tool: group members"
    samba-tool spn add HTTP/localhost vdi-http "${t[@]}" >/dev/null || die "samba-tool: SPN"
    samba-tool domain exportkeytab "$dir/http.keytab" --principal="HTTP/localhost" "${t[@]}" >/dev/null || die "samba-tool: keytab"
    chmod 600 "$dir/http.keytab"
    cat > "$dir/krb5.conf" <<KRB
[libdefaults]
  default_realm = $VDI_AD_REALM
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
[realms]
  $VDI_AD_REALM = {
    kdc = 127.0.0.1
  }
[domain_realm]
  localhost = $VDI_AD_REALM
KRB
    echo "$VDI_AD_SEED_VERSION" > "$dir/seed-version"
  fi

  /usr/sbin/samba --foreground --no-process-group -M single -s "$conf" > "$dir/samba.out" 2>&1 &
  echo $! > "$dir/samba.pid"
  for _ in $(seq 1 100); do ad_ready && break; sleep 0.1; done
  ad_ready || die "the AD domain controller did not answer on 127.0.0.1:389 (see $dir/samba.out)"
  # a UPN suffix other than the realm's, as sites with several suffixes have (samba-tool sets only the realm's)
  printf 'dn: CN=ad-dave,CN=Users,%s\nchangetype: modify\nreplace: userPrincipalName\nuserPrincipalName: dave@corp.vdi.test\n' "$VDI_AD_BASE" \
    | ldapmodify -x -H "ldap://127.0.0.1:389" -D "Administrator@${VDI_AD_REALM,,}" -w "$admin" >/dev/null || die "ldapmodify: the UPN of ad-dave"
  # the OU the broker joins its VMs into, where the service account may create and delete computer objects (only
  # those: the delegation a site gives its VDI join account); added once, also to a domain provisioned before it
  if ! samba-tool ou list -s "$conf" 2>/dev/null | grep -qx "OU=VDI"; then
    samba-tool ou add "OU=VDI" -s "$conf" >/dev/null || die "samba-tool: OU=VDI"
    local sid
    sid=$(samba-tool user show vdi-service --attributes=objectSid -s "$conf" 2>/dev/null | awk '/^objectSid:/{print $2}')
    [ -n "$sid" ] || die "samba-tool: the SID of vdi-service"
    samba-tool dsacl set -s "$conf" --objectdn="$Ad__ComputersOu" --sddl="(OA;CI;CCDC;bf967a86-0de6-11d0-a285-00aa003049e2;;$sid)" >/dev/null \
      || die "samba-tool: delegate computer objects in OU=VDI to vdi-service"
  fi
  log "AD domain controller $VDI_AD_REALM started (LDAP 127.0.0.1:389, KDC 127.0.0.1:88)"
}

stop_samba_dc() {
  local pid="$VDI_DATA_DIR/samba/samba.pid"
  [ -s "$pid" ] && kill "$(cat "$pid")" 2>/dev/null && log "AD domain controller stopped"
  rm -f "$pid"
  return 0
}
