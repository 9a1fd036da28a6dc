#!/usr/bin/env bash
# Schemathesis over /v1/schema/ with three tokens (a sales agent's, an application's, a customer admin's), against
# a throwaway SQLite database with the demo data, on a local server. Exits non-zero on any server error or schema
# violation. Usage: bash scripts/schemathesis.sh [extra schemathesis options]
# Budget: SCHEMATHESIS_MAX_EXAMPLES (per operation, default 10) and SCHEMATHESIS_MAX_TIME (per token, default 50 s).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
ST="$(dirname "$PY")/schemathesis"
[ -x "$ST" ] || ST=schemathesis
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-10}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-50}

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=partnercenter.settings
export DATABASE_URL="sqlite:///$WORK/schemathesis.sqlite3"
export DJANGO_DEBUG=0
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND  # eager tasks: no worker needed

echo "-- preparing $DATABASE_URL (migrate, seed_demo, tokens)"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo > "$WORK/seed.log"
SALES_TOKEN=$("$PY" manage.py createapitoken contoso-sales)
APP_TOKEN=$("$PY" manage.py createapitoken --application contoso-csp)
ADMIN_TOKEN=$("$PY" manage.py createapitoken northwind-admin)

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" manage.py runserver --noreload --nothreading "127.0.0.1:$PORT" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v1/schema/', timeout=2)" \
      2>/dev/null; then break; fi
  sleep 0.2
done

status=0
for who in sales application customer-admin; do
  case $who in
    sales) token=$SALES_TOKEN ;;
    application) token=$APP_TOKEN ;;
    customer-admin) token=$ADMIN_TOKEN ;;
  esac
  echo "== schemathesis as $who =="
  "$ST" run "http://127.0.0.1:$PORT/v1/schema/" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing --mode all --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" \
    --max-response-time 10 --request-timeout 20 --seed 8 --no-color --warnings off \
    --continue-on-failure "$@" || status=1
done

if grep -q "Traceback" "$WORK/server.log"; then
  echo "== server tracebacks =="; grep -B2 -A25 "Traceback" "$WORK/server.log" | head -200; status=1
fi
exit $status
