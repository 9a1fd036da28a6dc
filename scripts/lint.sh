#!/usr/bin/env bash
# Static checks (stage 0 of .ci/run): formatting, lint, the layering contracts (when configured), types.
# Fails on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "-- ruff format --check"
.venv/bin/ruff format --check .
echo "-- ruff check"
.venv/bin/ruff check .
if grep -q '^\[tool.importlinter\]' pyproject.toml || [ -f .importlinter ]; then
  echo "-- lint-imports"
  .venv/bin/lint-imports
fi
echo "-- mypy"
.venv/bin/mypy .
