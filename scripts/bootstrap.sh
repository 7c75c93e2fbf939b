#!/usr/bin/env bash
# Create .venv with Python 3.10 and the pinned dependencies (requirements.lock). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
py310=$(scripts/find-python310.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  rm -rf .venv
  echo "==> creating .venv with $py310"
  PYENV_VERSION=3.10.13 "$py310" -m venv .venv
fi
echo "==> installing pinned dependencies (requirements.lock)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<25" wheel
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
