#!/usr/bin/env bash
# Static checks (the first stage of .ci/run, and pre-commit): ruff lint and format, the import-linter layering
# contracts ([tool.importlinter] in pyproject.toml), mypy. Any error fails the script; nothing is tolerated.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

echo "-- ruff check"
"$BIN/ruff" check .
echo "-- ruff format --check"
"$BIN/ruff" format --check .
echo "-- lint-imports"
"$BIN/lint-imports" --no-logo --no-cache  # a cache keyed on file times can go stale across git checkouts
echo "-- mypy"
"$BIN/mypy" .
