#!/usr/bin/env bash
# Create .venv (if needed) and install the project with its dev extras. Sourced by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
# Front-end packages (Chart.js) from the npm registry, pinned by package-lock.json; served as static files.
npm ci --no-audit --no-fund --loglevel=error >/dev/null
# The translation catalogs (locale/<lang>/LC_MESSAGES/*.po, committed) compiled to .mo (not committed).
.venv/bin/python scripts/compile_messages.py
