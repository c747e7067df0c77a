#!/bin/bash
#SBATCH --job-name=from-my-stack
#SBATCH --time=01:00:00
# A Slurm job that runs a command inside the developer's environment from a stackshare snapshot:
#   sbatch slurm-job.sh python my_job.py --input data.fits
# The server, token file and snapshot come from ~/.config/stackshare/config.yaml, or from
# STACKSHARE_SERVER / STACKSHARE_SNAPSHOT exported in the submitting shell (sbatch passes
# them on): paste the `export` line `stackshare publish` printed before submitting.
# exec reuses the node's mount of that snapshot (the prolog's) or mounts one for the job.
set -euo pipefail
exec "${STACKSHARE:-stackshare}" exec -- "$@"
