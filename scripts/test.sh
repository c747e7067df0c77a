#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit tests (surefire) and the integration
# tests that mount real FUSE filesystems against a real server on loopback (failsafe).
# As root it also makes the machine a shared host and node for the tests that run stackshare
# as ordinary users (scripts/test-users.sh: users stackshare-a and stackshare-b, /dev/fuse 0666);
# as an ordinary user those tests are skipped, since only root can switch users.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
if [ "$(id -u)" -eq 0 ]; then
  scripts/test-users.sh
else
  echo "test: not root, so OrdinaryUserIT (stackshare as ordinary users) is skipped" >&2
fi
exec mvn -B verify "$@"
