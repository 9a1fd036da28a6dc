#!/usr/bin/env bash
# One command: install everything, create the database with demo data, print the logins and serve
# the portal at ${PORT_BIND:-127.0.0.1:8000} (Ctrl-C to stop; seed_demo prints that address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py seed_demo
exec .venv/bin/python manage.py runserver "${PORT_BIND:-127.0.0.1:8000}"
