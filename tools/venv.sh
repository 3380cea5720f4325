#!/usr/bin/env bash
# Create (or reuse) a Python virtualenv for one reference tool set and print its python.
#
#   tools/venv.sh NAME REQUIREMENTS_FILE   ->  prints .venvs/NAME/bin/python
#
# Venvs live under .venvs/ at the repository root (git-ignored). They are only needed to
# regenerate goldens and run peer benchmarks; `cargo test` needs no Python.
set -euo pipefail
name=$1
req=$2
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venvs/$name"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if ! cmp -s "$req" "$stamp" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
echo "$venv/bin/python"
