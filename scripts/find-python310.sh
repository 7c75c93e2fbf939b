#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8-3.10); pyenv's first.
set -u
for candidate in \
    "${PYTHON310:-}" \
    "$(PYENV_VERSION=3.10.13 command -v python3.10 2>/dev/null)" \
    "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 2>/dev/null | sort -V | tail -n 1)" \
    "$(command -v python3.10 2>/dev/null)"; do
  [ -n "$candidate" ] || continue
  if PYENV_VERSION=3.10.13 "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
done
echo "error: no Python 3.10 found (install it with pyenv: 'pyenv install 3.10.13', or set PYTHON310=/path/to/python3.10)" >&2
exit 1
