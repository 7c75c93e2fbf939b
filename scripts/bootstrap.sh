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
# The widget and dashboard tests drive Debian's Chromium (README "Tests"); a fresh machine lacks it.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian's chromium (browser tests)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "note: /usr/bin/chromium is missing; the browser tests need it (sudo apt-get install chromium)" >&2
  fi
fi
