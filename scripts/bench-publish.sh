#!/usr/bin/env bash
# Publish speed: first publish vs sha256sum (one process per core), re-publish after a one-file
# edit vs a find -printf stat walk, on a generated 100,000-file tree and the corpus stack.
# Same as `stackshare bench publish`; see docs/performance.md. Options: --help.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/cli/target/stackshare.jar"
[ -f "$jar" ] || (cd "$here" && mvn -q -B package -DskipTests)
exec "$here/bin/stackshare" bench publish "$@"
