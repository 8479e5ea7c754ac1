#!/usr/bin/env bash
# Installs the S3 engine's Debian packages (Ceph RADOS Gateway) unless they are all installed.
# Used by start.sh and by .ci/run. Needs root, or sudo.
exec bash "$(dirname "$0")/../apt-install.sh" s3-engine ceph-mon ceph-osd radosgw ceph-common curl uuid-runtime python3
