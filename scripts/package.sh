#!/usr/bin/env bash
# Builds the Debian package of the broker: dist/vdi-broker_VERSION_amd64.deb.
#   scripts/package.sh [--no-build]     --no-build: publish the Release build already in bin/ (test.sh builds first)
# The package carries the published silo, gateway and simulator and the .NET runtime they run on (nothing is
# downloaded at installation), the systemd units, the vdi-broker command, the site's configuration and the nginx site.
#   VDI_PACKAGE_VERSION   the package's version (default: 1.0.0~git<date>.<commit>)
#   VDI_PACKAGE_OUT       the folder the .deb is written to (default: dist)
#   VDI_PACKAGE_COMPRESS  dpkg-deb's compressor: xz (default, smallest), gzip or zstd (faster, for tests)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

build=1
[ "${1:-}" = "--no-build" ] && build=0
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is needed (apt-get install dpkg)"
command -v fakeroot >/dev/null 2>&1 || [ "$(id -u)" -eq 0 ] || die "fakeroot is needed to build as a user (apt-get install fakeroot)"

cd "$VDI_ROOT"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo local)"
version="${VDI_PACKAGE_VERSION:-1.0.0~git$(date -u +%Y%m%d).$commit}"
out="${VDI_PACKAGE_OUT:-$VDI_ROOT/dist}"
compress="${VDI_PACKAGE_COMPRESS:-xz}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

if [ "$build" = 1 ]; then
  log "building (Release)"
  dotnet build Orleans.sln -c Release -nologo -clp:ErrorsOnly -v:q
fi

log "publishing the silo, the gateway and the simulator"
publish() { # project folder
  dotnet publish "$1/$1.csproj" -c Release --no-build -nologo -v:q -p:UseAppHost=true -o "$root/opt/vdi-broker/$2" >/dev/null
  # symbols and IIS files are not for a Debian server
  find "$root/opt/vdi-broker/$2" \( -name '*.pdb' -o -name web.config \) -delete
}
publish Silo silo
publish WebGateway web
publish Simulator simulator

# the runtime the builds target, from the SDK that built them: the host, hostfxr and the two shared frameworks
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -n 1)"
log "including the .NET runtime $runtime from $dotnet_root"
rt="$root/opt/vdi-broker/dotnet"
mkdir -p "$rt/host/fxr" "$rt/shared/Microsoft.NETCore.App" "$rt/shared/Microsoft.AspNetCore.App"
cp "$dotnet_root/dotnet" "$rt/"
cp "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$rt/" 2>/dev/null || true
cp -r "$dotnet_root/host/fxr/$(ls "$dotnet_root/host/fxr" | sort -V | tail -n 1)" "$rt/host/fxr/"
cp -r "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" "$rt/shared/Microsoft.NETCore.App/"
aspnet="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)"
cp -r "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet" "$rt/shared/Microsoft.AspNetCore.App/"

# the product's own files
install -D -m 0755 packaging/bin/vdi-broker "$root/opt/vdi-broker/bin/vdi-broker"
mkdir -p "$root/usr/bin"
ln -s /opt/vdi-broker/bin/vdi-broker "$root/usr/bin/vdi-broker"
for unit in packaging/systemd/*.service; do
  install -D -m 0644 "$unit" "$root/lib/systemd/system/$(basename "$unit")"
done
install -D -m 0644 packaging/etc/appsettings.Production.json "$root/etc/vdi-broker/appsettings.Production.json"
install -D -m 0644 packaging/etc/vdi-broker.env.in "$root/usr/share/vdi-broker/vdi-broker.env.in"
install -D -m 0644 packaging/etc/simulator.env.in "$root/usr/share/vdi-broker/simulator.env.in"
install -D -m 0644 packaging/nginx/vdi-broker.conf "$root/usr/share/vdi-broker/nginx/vdi-broker.conf"
install -D -m 0644 README.md "$root/usr/share/doc/vdi-broker/README.md"
for doc in operations deployment security; do
  [ -f "docs/$doc.md" ] && install -D -m 0644 "docs/$doc.md" "$root/usr/share/doc/vdi-broker/$doc.md"
done
printf 'VDI broker on Orleans\nIncludes the .NET runtime (MIT): see /opt/vdi-broker/dotnet/LICENSE.txt\n' > "$root/usr/share/doc/vdi-broker/copyright"
chmod 0644 "$root/usr/share/doc/vdi-broker/copyright"

mkdir -p "$root/DEBIAN"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/debian/control.in > "$root/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +

mkdir -p "$out"
deb="$out/vdi-broker_${version}_amd64.deb"
log "writing $deb ($compress)"
dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$deb" >/dev/null
echo "$deb"
