#!/usr/bin/env bash
# Runs the bench suite: stackshare against local disk, sshfs and copying the stack, on the
# same run, over a delaying relay on loopback. Installs what the peers need (Debian:
# openssh-server for a private sshd, sshfs, bindfs, rsync, zstd), builds, then passes its arguments
# to `stackshare bench` (see `bin/stackshare bench --help`). Run as root: cold runs drop the
# page cache, and the corpus stack is built with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
need=()
for pkg in openssh-server openssh-client sshfs bindfs rsync zstd; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing Debian packages: ${need[*]}; ask an admin to run: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
exec bin/stackshare bench "$@"
