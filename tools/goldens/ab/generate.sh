#!/usr/bin/env bash
# Regenerate tools/goldens/ab (inputs and expected.json) from the references:
# scipy/statsmodels in one venv, GrowthBook's gbstats (numpy<2, pandas<2) in another.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
gb=$(tools/venv.sh goldens-ab-gbstats tools/goldens/ab/requirements-gbstats.txt)
py=$(tools/venv.sh goldens-ab-scipy tools/goldens/ab/requirements-scipy.txt)
GBSTATS_PYTHON="$gb" "$py" tools/goldens/ab/generate.py
