#!/usr/bin/env bash
# Installs the S3 engine's Debian packages (Ceph RADOS Gateway) unless every one is fully installed.
# Used by start.sh and by .ci/run. Needs root, or sudo.
set -euo pipefail
PACKAGES="ceph-mon ceph-osd radosgw ceph-common curl uuid-runtime python3"

missing=""
for p in $PACKAGES; do
  # `dpkg -s` also succeeds for removed packages whose config files remain ("rc"); insist on installed.
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "s3-engine: run as root: apt-get install$missing" >&2; exit 1; }
  SUDO=sudo
fi
echo "[s3-engine] installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "[s3-engine] installed"
