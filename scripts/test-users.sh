#!/usr/bin/env bash
# Makes this machine look like a shared host and a shared batch node for the tests that run
# stackshare as ordinary users (cli's OrdinaryUserIT). Needs root; idempotent.
#   - two ordinary users, stackshare-a and stackshare-b, with homes of mode 0755 (Debian's
#     traditional default), so only stackshare's own directory modes keep the users apart;
#   - a group stackshare-test holding both, for the node-wide shared cache test;
#   - /dev/fuse mode 0666, as the standard udev rule makes it on a node (some containers and
#     minimal VMs leave it 0600, and then only root can mount FUSE).
# The tests never create users themselves: they fail with a message that points here.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "test-users: needs root to create the test users; the tests that switch users are skipped without it" >&2
  exit 1
fi
group=stackshare-test
getent group "$group" >/dev/null || groupadd "$group"
for user in stackshare-a stackshare-b; do
  if ! getent passwd "$user" >/dev/null; then
    useradd --create-home --shell /bin/bash --user-group --groups "$group" "$user"
  fi
  id -nG "$user" | tr ' ' '\n' | grep -qx "$group" || usermod -aG "$group" "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  chmod 0755 "$home"
done
if [ ! -e /dev/fuse ]; then
  echo "test-users: /dev/fuse is missing; load the fuse module (modprobe fuse) or give the container --device /dev/fuse" >&2
  exit 1
fi
chmod 0666 /dev/fuse
