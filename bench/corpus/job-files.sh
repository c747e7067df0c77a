#!/usr/bin/env bash
# job-files.sh -- the working set `stackshare bench load --files` reads: the files job.sh opens
# under STACK, one a line, in first-open order. A file the job maps (a shared library) is
# "PATH<TAB>BYTES", BYTES being what its mappings held at the job's end (smaps Rss, kernel
# fault-around included); any other file is "PATH", read whole. Paths are STACK's real path
# (what `stackshare serve` and `bench load` export). Needs strace.
#
# Usage: job-files.sh STACK [WORKTREE] > files.txt
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STACK=$(realpath "${1:?usage: job-files.sh STACK [WORKTREE]}")
WT=${2:-$HERE/worktree}
trace=$(mktemp)
smaps=$(mktemp)
trap 'rm -f "$trace" "$smaps"' EXIT
"$HERE/job.sh" "$STACK" "$WT" > /dev/null                  # warm the matplotlib font cache first
JOB_SMAPS=$smaps strace -f -qq -s 4096 -o "$trace" -e trace=openat,open "$HERE/job.sh" "$STACK" "$WT" > /dev/null
# Successful opens of regular files under STACK, symlinks resolved (a snapshot lists a symlink, not
# its target's content), each once, first open first; then the mapped bytes of mapped ones.
grep -oE '"[^"]+"[^=]*= [0-9]+' "$trace" | sed -E 's/^"([^"]+)".*/\1/' | grep -F "$STACK/" \
  | while IFS= read -r p; do [ -f "$p" ] && realpath "$p"; done | grep -F "$STACK/" | awk '!seen[$0]++' \
  | awk -F '\t' 'NR == FNR { rss[$2] = $1; next } { print ($0 in rss) ? $0 "\t" rss[$0] : $0 }' "$smaps" -
