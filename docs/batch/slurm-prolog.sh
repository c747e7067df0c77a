#!/bin/bash
# Slurm Prolog (slurm.conf: Prolog=/etc/slurm/stackshare-prolog.sh; runs as root on each node
# before the job): mounts the job user's stackshare snapshot at /run/stackshare/USER, as that
# user, for jobs of users who have set stackshare up. The server, token file and snapshot (or
# view) come from the user's ~/.config/stackshare/config.yaml, for example
#   server: http://devhost.example:7878
#   token-file: ~/.config/stackshare/token
#   snapshot: nightly
# One mount per user and node: the user's next job, and every task of a job array on the node,
# finds it live (kept by the epilog's --linger) and uses it as it is, warm; a newer snapshot of
# the view replaces a lingering one. A job then runs `stackshare exec -- CMD` (which reuses this
# mount) or `eval "$(stackshare env --mount /run/stackshare/$USER)"`. A failed mount does not
# fail the job's node: the job's own stackshare exec mounts (and reports) again.
set -u
user="${SLURM_JOB_USER:?}" job="${SLURM_JOB_ID:?}"
stackshare="${STACKSHARE:-/opt/stackshare/bin/stackshare}"
home=$(getent passwd "$user" | cut -d: -f6)
config="${STACKSHARE_CONFIG:-$home/.config/stackshare/config.yaml}"
[ -f "$config" ] || exit 0                       # this user does not use stackshare
mnt="/run/stackshare/$user"
install -d -m 0755 /run/stackshare
# Root cannot look into another user's FUSE mount (not even stat it): ask the mount table.
grep -qs " $mnt fuse" /proc/mounts || install -d -o "$user" -m 0700 "$mnt"
runuser -u "$user" -- env HOME="$home" STACKSHARE_CONFIG="$config" "$stackshare" mount "$mnt" \
  || logger -t stackshare "job $job: mount for $user failed; the job will mount itself"
exit 0
