#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: unit tests (surefire) and the integration
# tests that mount real FUSE filesystems against a real server on loopback (failsafe).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
exec mvn -B verify "$@"
