#!/usr/bin/env bash
# Installs what stackshare needs on a Debian/Ubuntu machine and builds it.
#   libfuse2: the FUSE library jnr-fuse binds to; fuse3: fusermount (unmount, ordinary users)
#   git, python3, gcc: the demo's and the tests' working tree and job
#   nginx-light: the HTTP cache FanOutIT puts between mounts and the server
#   chromium, chromium-driver: StatusPageBrowserIT logs in to the status page headless and takes a screenshot
#   openssl: TlsIT makes a PEM pair with it and checks the printed pin against its fingerprint
#   bindfs: the bench's FUSE floor, a libfuse 2 passthrough in C (BenchSuiteIT runs it)
# Then builds the launcher's jar (bin/stackshare runs cli/target/stackshare.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libfuse2 fuse3 git python3 maven openjdk-17-jdk-headless nginx-light openssl bindfs chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${need[*]}; ask an admin to run: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -e /dev/fuse ]; then
  echo "setup: /dev/fuse is missing; load the fuse module (modprobe fuse) or give the container --device /dev/fuse" >&2
  exit 1
fi
if [ "${1:-}" != "--no-build" ]; then
  echo "setup: building (mvn package)" >&2
  mvn -q -B -Dstyle.color=never package -DskipTests
fi
