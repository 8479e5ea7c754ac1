#!/usr/bin/env bash
# Installs the given Debian packages unless every one is fully installed. Needs root, or sudo.
#   bash scripts/apt-install.sh <label> <package>...
# `dpkg -s` also succeeds for removed packages whose config files remain ("rc"); this insists on
# "install ok installed".
set -euo pipefail
label=$1
shift
missing=""
for p in "$@"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "$label: run as root: apt-get install$missing" >&2; exit 1; }
  SUDO=sudo
fi
echo "[$label] installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
echo "[$label] installed"
