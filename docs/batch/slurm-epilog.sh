#!/bin/bash
# Slurm Epilog (slurm.conf: Epilog=/etc/slurm/stackshare-epilog.sh; runs as root after the job):
# lets the prolog's mount go. It stays for STACKSHARE_LINGER (default 10 minutes) after the last
# job of the user on the node is done, so the next one starts warm, then unmounts itself.
set -u
user="${SLURM_JOB_USER:?}" job="${SLURM_JOB_ID:?}"
stackshare="${STACKSHARE:-/opt/stackshare/bin/stackshare}"
home=$(getent passwd "$user" | cut -d: -f6)
config="${STACKSHARE_CONFIG:-$home/.config/stackshare/config.yaml}"
mnt="/run/stackshare/$user"
grep -qs " $mnt fuse" /proc/mounts || exit 0
runuser -u "$user" -- env HOME="$home" STACKSHARE_CONFIG="$config" "$stackshare" unmount \
  --linger "${STACKSHARE_LINGER:-10m}" "$mnt" || logger -t stackshare "job $job: letting $mnt go failed"
exit 0
