#!/usr/bin/env bash
# Builds the self-contained distribution for batch nodes: a jlink runtime with exactly the
# modules the jar needs, the jar, the launcher, and the corpus scripts, as a directory and a
# .tar.gz. Called by `mvn package` (dist/pom.xml):
#   build-dist.sh REPO VERSION JDK OUT
# The result runs on an x86_64 Linux node with glibc and libfuse2, and no Java of its own.
set -euo pipefail
repo=$1 version=$2 jdk=$3 out=$4
name="stackshare-$version-linux-x86_64"
dir="$out/$name"
jar="$repo/cli/target/stackshare.jar"
rm -rf "$dir" "$dir.tar.gz"
mkdir -p "$dir/bin" "$dir/lib" "$dir/bench"

# The modules the jar uses (jdeps), and jdk.crypto.ec for TLS handshakes, whose use jdeps cannot see.
modules=$("$jdk/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps "$jar")
"$jdk/bin/jlink" --add-modules "$modules,jdk.crypto.ec" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive --output "$dir/runtime"

cp "$repo/bin/stackshare" "$repo/dist/make-cds-archive" "$dir/bin/"
cp "$jar" "$dir/lib/"
cp -r "$repo/bench/corpus" "$dir/bench/"
cp "$repo/README.md" "$dir/"
cp -r "$repo/docs" "$dir/docs"
rm -f "$dir/docs/pom.xml"
tar -C "$out" -czf "$dir.tar.gz" "$name"
echo "dist: $dir.tar.gz ($(du -h "$dir.tar.gz" | cut -f1); modules $modules,jdk.crypto.ec)" >&2
