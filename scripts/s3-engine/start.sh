#!/usr/bin/env bash
# Starts a throwaway S3 engine on loopback: Ceph RADOS Gateway on a one-node cluster (1 mon, 1 memstore
# osd, cephx off), everything under $RGW_DIR, nothing in /etc/ceph. Installs Debian's packages if missing.
#   bash scripts/s3-engine/start.sh          # then: source "$RGW_DIR/env"
#   RGW_PORT=8000 RGW_DIR=/tmp/mobile-s3-rgw bash scripts/s3-engine/start.sh
# Stop it with scripts/s3-engine/stop.sh (by PID). Measured here: ~2 s to start, ~14 s to install.
set -euo pipefail

RGW_DIR=${RGW_DIR:-/tmp/mobile-s3-rgw}
RGW_PORT=${RGW_PORT:-8000}
MON_V2_PORT=${MON_V2_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
# Throwaway credentials of a throwaway engine on loopback; they protect nothing.
ACCESS_KEY=${ACCESS_KEY:-TESTACCESSKEY0000001}
SECRET_KEY=${SECRET_KEY:-testsecretkey0000000000000000000000000001}
ACCESS_KEY2=${ACCESS_KEY2:-TESTACCESSKEY0000002}
SECRET_KEY2=${SECRET_KEY2:-testsecretkey0000000000000000000000000002}
STS_KEY=${STS_KEY:-abcdefghijklmnop}   # exactly 16 characters: the AES key for STS session tokens
# The OSD keeps objects in memory, up to this much (taken only as data arrives). When it fills, every
# write blocks: the upload benchmark writes a few GiB. Deleted data is freed by RGW's garbage
# collector, told below to run within seconds instead of hours.
MEMSTORE_BYTES=${RGW_MEMSTORE_BYTES:-6442450944}

t0=$(date +%s.%N)
say() { awk -v a="$t0" -v b="$(date +%s.%N)" -v m="$*" 'BEGIN{printf "[s3-engine %5.1fs] %s\n", b-a, m}'; }

bash "$(dirname "$0")/install.sh"
t0=$(date +%s.%N)

if [ -f "$RGW_DIR/run/rgw.pid" ] && kill -0 "$(cat "$RGW_DIR/run/rgw.pid")" 2>/dev/null; then
  echo "s3-engine: already running (pid $(cat "$RGW_DIR/run/rgw.pid")); stop it with scripts/s3-engine/stop.sh" >&2
  exit 3
fi
for port in "$RGW_PORT" "$MON_V2_PORT" "$MON_V1_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "s3-engine: port $port on 127.0.0.1 is taken; set RGW_PORT / MON_V2_PORT / MON_V1_PORT" >&2
    exit 1
  fi
done

rm -rf "$RGW_DIR"
mkdir -p "$RGW_DIR"/{run,log,mon,osd,tmp}
CONF="$RGW_DIR/ceph.conf"
export CEPH_CONF="$CONF"
FSID=$(uuidgen)

cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# radosgw defaults to 'secure' mon client mode, impossible without cephx: it would hang for 300 s.
ms mon client mode = crc
client mount timeout = 30
keyring = $RGW_DIR/keyring
run dir = $RGW_DIR/run
admin socket = $RGW_DIR/run/\$name.asok
pid file = $RGW_DIR/run/\$name.pid
log file = $RGW_DIR/log/\$name.log
crash dir = $RGW_DIR/tmp
exporter dir = $RGW_DIR/tmp
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
debug ms = 0

[mon]
mon data = $RGW_DIR/mon/\$id
mon cluster log file = $RGW_DIR/log/cluster.log
# Commit map changes almost at once: radosgw creates ~16 pools on first start (13 s -> 2 s).
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd data = $RGW_DIR/osd/\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd journal size = 0

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw thread pool size = 64
rgw gc obj min wait = 5
rgw gc processor period = 5
rgw dns name = localhost
rgw sts key = $STS_KEY
rgw s3 auth use sts = true
rgw enable usage log = false
rgw init timeout = 120
CONF

ceph-authtool --create-keyring "$RGW_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$RGW_DIR/tmp/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$RGW_DIR/tmp/monmap" --keyring "$RGW_DIR/keyring"
ceph-mon -c "$CONF" -i a
for _ in $(seq 1 100); do ceph -c "$CONF" --connect-timeout 2 mon stat >/dev/null 2>&1 && break; sleep 0.2; done
say "monitor up"

OSD_UUID=$(uuidgen)
OSD_ID=$(ceph -c "$CONF" osd new "$OSD_UUID")
mkdir -p "$RGW_DIR/osd/$OSD_ID"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$RGW_DIR/log/osd-mkfs.log" 2>&1
ceph-osd -c "$CONF" -i "$OSD_ID" 2>>"$RGW_DIR/log/osd-stderr.log"
echo "$OSD_ID" > "$RGW_DIR/run/osd.id"
for _ in $(seq 1 150); do
  up=$(ceph -c "$CONF" osd stat -f json 2>/dev/null | python3 -c 'import sys,json;print(json.load(sys.stdin)["num_up_osds"])' 2>/dev/null || true)
  [ "$up" = "1" ] && break
  sleep 0.2
done
say "osd.$OSD_ID up"

timeout 90 radosgw -c "$CONF" -n client.rgw
code=000
for i in $(seq 1 600); do
  code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RGW_PORT/" || true)
  [ "$code" = "200" ] && break
  if [ "$i" -gt 25 ] && ! kill -0 "$(cat "$RGW_DIR/run/client.rgw.pid" 2>/dev/null)" 2>/dev/null; then
    echo "s3-engine: radosgw died; see $RGW_DIR/log/client.rgw.log" >&2; exit 1
  fi
  sleep 0.2
done
[ "$code" = "200" ] || { echo "s3-engine: radosgw did not answer; see $RGW_DIR/log/client.rgw.log" >&2; exit 1; }
cp "$RGW_DIR/run/client.rgw.pid" "$RGW_DIR/run/rgw.pid"
say "radosgw answering on http://127.0.0.1:$RGW_PORT"

radosgw-admin -c "$CONF" -n client.admin user create --uid=tester --display-name="Tester One" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
radosgw-admin -c "$CONF" -n client.admin caps add --uid=tester \
  --caps="roles=*;oidc-provider=*;user-policy=*;users=*;buckets=*" >/dev/null
radosgw-admin -c "$CONF" -n client.admin user create --uid=tester2 --display-name="Tester Two" \
  --access-key="$ACCESS_KEY2" --secret-key="$SECRET_KEY2" >/dev/null

cat > "$RGW_DIR/env" <<ENV
export S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export S3_ACCESS_KEY_ID_2=$ACCESS_KEY2
export S3_SECRET_ACCESS_KEY_2=$SECRET_KEY2
export CEPH_CONF=$CONF
ENV
say "ready: source $RGW_DIR/env"
