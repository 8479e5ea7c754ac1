#!/usr/bin/env bash
# Stops the engine started by start.sh, by the PIDs it recorded, and deletes its data.
set -u
RGW_DIR=${RGW_DIR:-/tmp/mobile-s3-rgw}
RUN="$RGW_DIR/run"
osd_id=$(cat "$RUN/osd.id" 2>/dev/null || echo 0)
pids=()
for f in client.rgw.pid "osd.$osd_id.pid" mon.a.pid; do
  [ -f "$RUN/$f" ] || continue
  pid=$(cat "$RUN/$f")
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" && pids+=("$pid"); fi
done
# Give them 3 s, then SIGKILL: the data is thrown away anyway.
for _ in $(seq 1 15); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.2
done
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p"; done
rm -rf "$RGW_DIR"
echo "[s3-engine] stopped ${#pids[@]} daemons, removed $RGW_DIR"
