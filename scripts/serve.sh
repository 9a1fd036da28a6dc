#!/usr/bin/env bash
# The production stack on this machine, one command, no containers (issue 15):
#
#   DATABASE_URL=postgres://portal@127.0.0.1:5432/portal CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
#   DJANGO_SECRET_KEY=... DJANGO_ALLOWED_HOSTS=portal.example.com bash scripts/serve.sh [--seed-demo]
#
# Runs scripts/setup.sh (skipped with SERVE_SKIP_SETUP=1), the migrations, collectstatic (optionally seed_demo),
# then honcho with the Procfile: gunicorn (partnercenter.settings_production, WEB_CONCURRENCY workers on
# PORT_BIND, else 127.0.0.1:$PORT, else 127.0.0.1:8000), a Celery worker of the interactive queue, one of the bulk
# queue and celery beat. Ctrl-C / SIGTERM stops every process (honcho terminates each one's process group).
#
# Required: DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS.
# SERVE_INSECURE_LOCAL=1 (a try-out on one's own machine, never a server): a random DJANGO_SECRET_KEY per start
# (sessions end with each restart), DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost and no redirect to HTTPS unless set.
# SERVE_PROCESSES: which Procfile lines to run (default all: "web interactive bulk beat"); on a second machine
# e.g. SERVE_PROCESSES="interactive bulk" (exactly one beat in all).
set -euo pipefail
cd "$(dirname "$0")/.."

SEED_DEMO=0
for arg in "$@"; do
  case "$arg" in
    --seed-demo) SEED_DEMO=1 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "serve.sh: unknown argument '$arg' (only --seed-demo)" >&2; exit 2 ;;
  esac
done

fail() {
  echo "serve.sh: $*" >&2
  exit 2
}

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | pgsql://*) ;;
  "") fail "DATABASE_URL is not set: the PostgreSQL database to serve, e.g. postgres://portal:secret@127.0.0.1:5432/portal (see NOTES/README: createdb)." ;;
  *) fail "DATABASE_URL must be a PostgreSQL URL (postgres://...), not '${DATABASE_URL%%:*}:': the workers and the web processes share it." ;;
esac
case "${CELERY_BROKER_URL:-}" in
  redis://* | rediss://*) ;;
  "") fail "CELERY_BROKER_URL is not set: the Redis broker, e.g. redis://127.0.0.1:6379/0." ;;
  *) fail "CELERY_BROKER_URL must be a Redis URL (redis:// or rediss://)." ;;
esac
SERVE_PROCESSES="${SERVE_PROCESSES:-web interactive bulk beat}"
for name in $SERVE_PROCESSES; do
  case "$name" in web | interactive | bulk | beat) ;; *) fail "SERVE_PROCESSES: unknown process '$name' (web, interactive, bulk, beat)." ;; esac
done
export CELERY_RESULT_BACKEND="${CELERY_RESULT_BACKEND:-$CELERY_BROKER_URL}"

if [ "${SERVE_INSECURE_LOCAL:-0}" = 1 ]; then
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    DJANGO_SECRET_KEY="local-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
    export DJANGO_SECRET_KEY
    echo "serve.sh: WARNING: SERVE_INSECURE_LOCAL=1: a random DJANGO_SECRET_KEY for this run only (sign-ins end when it stops). Never on a server." >&2
  fi
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
fi
[ -n "${DJANGO_SECRET_KEY:-}" ] \
  || fail "DJANGO_SECRET_KEY is not set: a random value of 50+ characters, kept secret and the same on every machine of the portal, e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'. (SERVE_INSECURE_LOCAL=1 generates one for a local try-out.)"
[ -n "${DJANGO_ALLOWED_HOSTS:-}" ] \
  || fail "DJANGO_ALLOWED_HOSTS is not set: the portal's host names, comma-separated, e.g. portal.example.com."

export DJANGO_SETTINGS_MODULE=partnercenter.settings_production
export DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-60}"  # web and worker processes keep their connection
PORT_BIND="${PORT_BIND:-127.0.0.1:${PORT:-8000}}"
case "$PORT_BIND" in *:*) ;; *) PORT_BIND="127.0.0.1:$PORT_BIND" ;; esac
export PORT_BIND
export CELERY_BEAT_SCHEDULE_FILE="${CELERY_BEAT_SCHEDULE_FILE:-${TMPDIR:-/tmp}/portal-celerybeat-$(id -u)-${PORT_BIND##*:}}"
export SERVE_NODE="${SERVE_NODE:-${PORT_BIND##*:}}"  # worker node names (unique per stack on one host)
# /metrics adds up the samples of every process of this stack (gunicorn's and the workers'): prometheus_client's
# multiprocess mode, one directory per stack, its files of an earlier run removed at each start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${TMPDIR:-/tmp}/portal-metrics-$(id -u)-${PORT_BIND##*:}}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete

if [ "${SERVE_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi
# The production settings refuse to load with an unsafe key or no hosts: a clear error here, before anything runs.
queues=$(.venv/bin/python -c 'from django.conf import settings as s; print(s.TASK_QUEUE_INTERACTIVE + "," + s.CELERY_TASK_DEFAULT_QUEUE, s.TASK_QUEUE_BULK)')
SERVE_QUEUES_INTERACTIVE=${queues% *}
SERVE_QUEUES_BULK=${queues#* }
export SERVE_QUEUES_INTERACTIVE SERVE_QUEUES_BULK
.venv/bin/python manage.py migrate --no-input -v0
case " $SERVE_PROCESSES " in *" web "*) .venv/bin/python manage.py collectstatic --no-input -v0 ;; esac
if [ "$SEED_DEMO" = 1 ]; then
  .venv/bin/python manage.py seed_demo
fi
echo "serve.sh: $SERVE_PROCESSES (web on http://$PORT_BIND × ${WEB_CONCURRENCY:-2}; queues $SERVE_QUEUES_INTERACTIVE | $SERVE_QUEUES_BULK); Ctrl-C stops it."
# honcho reads no .env (the environment above is the whole configuration); exec: the signals reach honcho itself.
# shellcheck disable=SC2086 # one word per process name
exec .venv/bin/honcho start --no-colour --env /dev/null --procfile Procfile --app-root . $SERVE_PROCESSES
