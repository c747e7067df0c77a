#!/bin/bash
# HTCondor (and any per-job wrapper, such as the Rubin batch service's): the job's executable is
# this wrapper, its arguments the real command. See htcondor.sub. It mounts the snapshot at
# ~/.stackshare/mnt (or STACKSHARE_MOUNT_DIR) unless it is there already, runs the job through
# `stackshare exec`, and lets the mount linger for STACKSHARE_LINGER (default 10 minutes), so the
# user's next job on this node starts warm. If the mount fails, exec mounts one for the job alone.
set -uo pipefail
stackshare="${STACKSHARE:-stackshare}"
mnt="${STACKSHARE_MOUNT_DIR:-$HOME/.stackshare/mnt}"
mkdir -p -m 0700 "$mnt" 2>/dev/null || true
mounted=no
"$stackshare" mount "$mnt" >/dev/null && mounted=yes
"$stackshare" exec -- "$@"
status=$?
if [ "$mounted" = yes ]; then
  "$stackshare" unmount --linger "${STACKSHARE_LINGER:-10m}" "$mnt" >/dev/null || true
fi
exit "$status"
