#!/bin/bash
# Slurm Epilog (slurm.conf: Epilog=/etc/slurm/stackshare-epilog.sh; runs as root after the job):
# unmounts what the prolog mounted, and removes the mountpoint.
set -u
user="${SLURM_JOB_USER:?}" job="${SLURM_JOB_ID:?}"
stackshare="${STACKSHARE:-/opt/stackshare/bin/stackshare}"
mnt="/tmp/stackshare-$job"
[ -d "$mnt" ] || exit 0
home=$(getent passwd "$user" | cut -d: -f6)
runuser -u "$user" -- env HOME="$home" "$stackshare" unmount "$mnt" || logger -t stackshare "job $job: unmount of $mnt failed"
rmdir "$mnt" 2>/dev/null
exit 0
