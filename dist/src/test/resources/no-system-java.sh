#!/usr/bin/env bash
# Run by DistributionIT inside a private mount namespace (unshare -m, as root):
#   no-system-java.sh DIST_TARBALL WORK
# Hides every system Java, unpacks the distribution into an empty directory, and runs serve,
# publish, mount and a job from the mount with only what the tarball brings.
set -euo pipefail
dist=$1 work=$2
mount --make-rprivate /
mount -t tmpfs none /usr/lib/jvm      # every Debian JDK/JRE lives here; /usr/bin/java now dangles
if java -version >/dev/null 2>&1; then
  echo "a system java still runs: $(command -v java)" >&2
  exit 1
fi
echo "system java: none"
mkdir -p "$work/install"
tar -xzf "$dist" -C "$work/install"
home=$(echo "$work"/install/stackshare-*)
ss="$home/bin/stackshare"
"$ss" --version

tree="$work/tree"
mkdir -p "$tree/pkg"
printf 'print("JOB-OK from the distribution")\n' > "$tree/pkg/job.py"
printf '#!/bin/sh\necho "script ran: $(cat "$(dirname "$0")/data.txt")"\n' > "$tree/pkg/run.sh"
chmod +x "$tree/pkg/run.sh"
echo "data-42" > "$tree/pkg/data.txt"
state="$work/state"
"$ss" serve --root "$tree" --state-dir "$state" --listen 127.0.0.1:0 > "$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do [ -f "$state/server.json" ] && break; sleep 0.1; done
[ -f "$state/server.json" ] || { cat "$work/serve.log" >&2; exit 1; }
eval "$("$ss" publish --state-dir "$state" | grep '^export ')"
echo "published $STACKSHARE_SNAPSHOT"

mnt="$work/mnt"
mkdir -p "$mnt"
"$ss" mount --token-file "$state/token" --cache-dir "$work/cache" "$mnt"
"$mnt$tree/pkg/run.sh"
python3 "$mnt$tree/pkg/job.py"
# The mount's process runs on the distribution's runtime.
for pid in $(pgrep -f "mount --(foreground|ready-fd)"); do
  echo "mount process java: $(readlink "/proc/$pid/exe")"
done
"$ss" unmount "$mnt"

"$home/bin/make-cds-archive"
STACKSHARE_JAVA_OPTS=-Xlog:class+load "$ss" --version | grep -c "shared objects file (top)" | sed 's/^/classes from the archive: /'
