#!/usr/bin/env bash
# Installs ClamAV (Debian's clamav package: clamscan) for the malware-scan tests unless it is
# installed. The tests scan with a signature database they write themselves; nothing is downloaded.
# Used by .ci/run. Needs root, or sudo.
exec bash "$(dirname "$0")/../apt-install.sh" scanner clamav
