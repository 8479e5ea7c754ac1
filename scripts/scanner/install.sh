#!/usr/bin/env bash
# Installs ClamAV (Debian's clamav package: clamscan) for the malware-scan tests unless it is fully
# installed. The tests scan with a signature database they write themselves; nothing is downloaded.
# Used by .ci/run. Needs root, or sudo.
set -euo pipefail
PACKAGES="clamav"
missing=""
for p in $PACKAGES; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "scanner: run as root: apt-get install$missing" >&2; exit 1; }
  SUDO=sudo
fi
echo "[scanner] installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "[scanner] installed"
