#!/usr/bin/env bash
# The main job, end to end on one machine: serve a real stack (this machine's Python
# standard library) plus a generated git working tree with an uncommitted edit, mount the
# snapshot with FUSE, run a Python job whose whole standard library and developer package
# come from the mount, print the timings, and clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scripts/setup.sh
ss="$repo/bin/stackshare"
PY=${DEMO_PYTHON:-/usr/bin/python3}
STACK=${DEMO_STACK:-$("$PY" -S -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}

work=$(mktemp -d "${TMPDIR:-/tmp}/stackshare-demo.XXXXXX")
server_pid=""
cleanup() {
  for m in "$work/mnt" "$work/mnt2"; do
    mountpoint -q "$m" 2>/dev/null && "$ss" unmount "$m" >/dev/null 2>&1 || true
  done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%6.0f ms", (b - a) * 1000 }'; }

# --- a developer's git working tree: one commit, an uncommitted edit, an ignored build output
wt="$work/src/demo_pkg_repo"
mkdir -p "$wt/demo_pkg"
git -C "$wt" init -q -b main
printf '__pycache__/\n_build_info.py\n' > "$wt/.gitignore"
printf 'MARKER = "committed"\n' > "$wt/demo_pkg/__init__.py"
git -C "$wt" add -A && git -C "$wt" -c user.name=dev -c user.email=dev@example.invalid commit -q -m "demo_pkg"
cat > "$wt/demo_pkg/__init__.py" <<'PY'
MARKER = "uncommitted-edit-1"
from ._build_info import BUILD
PY
printf 'BUILD = "ignored build output"\n' > "$wt/demo_pkg/_build_info.py"

# --- the job: every stdlib module and demo_pkg must come from the mount
job=$(cat <<'PY'
import os, sys, time
t0 = time.perf_counter()
import json, decimal, email.parser, xml.etree.ElementTree, asyncio, unittest, argparse, logging, csv, sqlite3, http.client
import demo_pkg
mnt = os.environ["MNT"]
for m in (json, decimal, asyncio, unittest, demo_pkg):
    assert m.__file__.startswith(mnt), f"{m.__name__} came from {m.__file__}, not from the mount"
print(f"JOB-OK marker={demo_pkg.MARKER} build={demo_pkg.BUILD!r} imports={time.perf_counter() - t0:.3f}s")
PY
)
run_job() {  # run_job MOUNT -- the system interpreter with its stdlib and PYTHONPATH inside MOUNT
  MNT="$1" PYTHONHOME="$1/usr" PYTHONPATH="$1$wt" PYTHONDONTWRITEBYTECODE=1 "$PY" -S -c "$job"
}
run_local() {
  MNT="/" PYTHONPATH="$wt" PYTHONDONTWRITEBYTECODE=1 "$PY" -S -c "$job"
}

echo "== stackshare demo: stack $STACK + working tree $wt"
t0=$(now)
"$ss" serve --root "$STACK" --root "$wt" --listen 127.0.0.1:0 --state-dir "$work/state" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
until grep -q '^snapshot' "$work/serve.out" 2>/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.05
done
t_serve=$(now)
url=$(awk '/^serving/ {print $2}' "$work/serve.out")
snap1=$(awk '/^snapshot/ {print $2}' "$work/serve.out")
echo "serving $url, first snapshot $snap1"

mkdir -p "$work/mnt" "$work/mnt2"
t1=$(now)
"$ss" mount --server "$url" --token-file "$work/state/token" --snapshot "$snap1" --cache-dir "$work/cache" "$work/mnt" >/dev/null
t_mount=$(now)
run_job "$work/mnt"; t_cold=$(now)
run_job "$work/mnt" >/dev/null; t_warm=$(now)
run_local >/dev/null; t_local=$(now)

# edit after publishing: the old snapshot keeps the old bytes, a new publish shows the change
sed -i 's/uncommitted-edit-1/uncommitted-edit-2/' "$wt/demo_pkg/__init__.py"
t2=$(now)
snap2=$("$ss" publish --state-dir "$work/state" | tail -n 1)
t_publish=$(now)
"$ss" mount --server "$url" --token-file "$work/state/token" --snapshot latest --cache-dir "$work/cache" "$work/mnt2" >/dev/null
t_mount2=$(now)
echo "old snapshot $snap1: $(run_job "$work/mnt" | cut -d' ' -f2)"
echo "new snapshot $snap2: $(run_job "$work/mnt2" | cut -d' ' -f2)"
"$ss" unmount "$work/mnt" >/dev/null
"$ss" unmount "$work/mnt2" >/dev/null

cat <<EOT

== timings (one run; the bench suite gives medians)
serve start + first snapshot      $(ms "$t0" "$t_serve")
mount (command to ready)          $(ms "$t1" "$t_mount")
job, cold mount (empty cache)     $(ms "$t_mount" "$t_cold")
job, warm (same mount again)      $(ms "$t_cold" "$t_warm")
job, local disk                   $(ms "$t_warm" "$t_local")
publish after a one-file edit     $(ms "$t2" "$t_publish")
mount of the new snapshot (node cache warm) $(ms "$t_publish" "$t_mount2")
EOT
