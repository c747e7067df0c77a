#!/bin/bash
# HTCondor (and any per-job wrapper, such as the Rubin batch service's): the job's executable is
# this wrapper, its arguments the real command. See htcondor.sub.
set -euo pipefail
exec "${STACKSHARE:-stackshare}" exec -- "$@"
