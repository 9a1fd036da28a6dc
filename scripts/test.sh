#!/usr/bin/env bash
# One command: install everything and run the whole test suite (SQLite by default; set DATABASE_URL
# to run it against PostgreSQL). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
