#!/usr/bin/env bash
# Fan-out: 200 clients cold-start the corpus stack's snapshot at once from an origin with
# -Xmx512m, reading the corpus job's working set (bench/corpus/job-files.sh, made once).
# Same as `stackshare bench load --files ...`; more options: --help. See docs/performance.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/cli/target/stackshare.jar"
[ -f "$jar" ] || (cd "$here" && mvn -q -B package -DskipTests)
corpus=${CORPUS_DIR:-/var/tmp/stackshare-bench}
files="$corpus/job-files.txt"
if [ ! -s "$files" ]; then
  "$here/bench/corpus/job-files.sh" "$corpus/stack" "$corpus/worktree" > "$files.partial"
  mv "$files.partial" "$files"
fi
exec "$here/bin/stackshare" bench load --corpus-stack "$corpus/stack" --files "$files" "$@"
