#!/usr/bin/env bash
# Installs ClamAV (Debian's clamav and clamav-daemon packages: clamscan and clamd) for the
# malware-scan tests unless they are installed. The tests scan with a signature database they write
# themselves and start their own clamd on a socket of their own; nothing is downloaded.
# Used by .ci/run. Needs root, or sudo.
exec bash "$(dirname "$0")/../apt-install.sh" scanner clamav clamav-daemon
