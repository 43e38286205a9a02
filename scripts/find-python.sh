#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: $PYTHON, then python3.10 on PATH, then pyenv's 3.10.
# Rasa 3.6 (the last open-source Rasa) supports Python 3.10 only.
set -euo pipefail
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for cand in "${PYTHON:-}" "$(command -v python3.10 || true)"; do
  if [ -n "$cand" ] && is310 "$cand"; then echo "$cand"; exit 0; fi
done
pyenv_bin=$(command -v pyenv || echo "${PYENV_ROOT:-$HOME/.pyenv}/bin/pyenv")
if [ -x "$pyenv_bin" ]; then
  prefix=$("$pyenv_bin" prefix 3.10 2>/dev/null | head -n1 || true)
  if [ -n "$prefix" ] && is310 "$prefix/bin/python3.10"; then echo "$prefix/bin/python3.10"; exit 0; fi
fi
echo "error: Python 3.10 not found (Rasa 3.6 needs exactly 3.10)." >&2
echo "  Install it (e.g. 'pyenv install 3.10' or Debian/Ubuntu 'apt install python3.10 python3.10-venv')," >&2
echo "  or point PYTHON at a 3.10 interpreter: make PYTHON=/path/to/python3.10 ..." >&2
exit 1
