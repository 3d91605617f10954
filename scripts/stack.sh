#!/usr/bin/env bash
# A production-like stack on this machine with one command: PostgreSQL and Redis on
# loopback (started here, stopped by PID on exit), then honcho running the Procfile:
# gunicorn (config.settings_production, static files through whitenoise), a Celery
# worker and Celery beat. Ctrl+C stops everything.
#
#   bash scripts/stack.sh               # data kept in var/stack (PostgreSQL, media, secret key)
#   bash scripts/stack.sh --throwaway   # data in a temporary folder, removed on exit
#
# Environment: STACK_PORT (8100), STACK_PG_PORT (54336), STACK_REDIS_PORT (63796),
# WEB_CONCURRENCY (4 gunicorn workers), WEB_THREADS (2), CELERY_CONCURRENCY (2),
# DEMO (1: load the demo block once when the database is empty), ACCESS_LOG (- = stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
bash scripts/install.sh
PY=$ROOT/.venv/bin/python

THROWAWAY=0
[ "${1:-}" = "--throwaway" ] && THROWAWAY=1
STACK_PORT=${STACK_PORT:-8100}
PG_PORT=${STACK_PG_PORT:-54336}
REDIS_PORT=${STACK_REDIS_PORT:-63796}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

if [ "$THROWAWAY" = 1 ]; then
  STACK_DIR=$(mktemp -d /tmp/portal-stack.XXXXXX)
else
  STACK_DIR=$ROOT/var/stack
  mkdir -p "$STACK_DIR"
fi
chmod 755 "$STACK_DIR"
RUN_DIR=$(mktemp -d /tmp/portal-stack-run.XXXXXX)  # sockets and pid files
chmod 755 "$RUN_DIR"
chown postgres "$RUN_DIR"

cleanup() {
  set +e
  echo "==> Stopping Redis and PostgreSQL"
  if [ -f "$RUN_DIR/redis.pid" ]; then kill "$(cat "$RUN_DIR/redis.pid")" 2>/dev/null; fi
  if [ -f "$STACK_DIR/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg" -m fast -w stop >/dev/null 2>&1
  fi
  rm -rf "$RUN_DIR"
  [ "$THROWAWAY" = 1 ] && rm -rf "$STACK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$STACK_DIR/pg/PG_VERSION" ]; then
  echo "==> Creating a PostgreSQL cluster in $STACK_DIR/pg"
  install -d -o postgres -m 700 "$STACK_DIR/pg"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$STACK_DIR/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
echo "==> Starting PostgreSQL on 127.0.0.1:$PG_PORT"
install -d -o postgres "$STACK_DIR/log"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg" -l "$STACK_DIR/log/postgresql.log" -w \
  -o "-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='portal'" | grep -q 1 ||
  runuser -u postgres -- createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres portal

echo "==> Starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$RUN_DIR/redis.pid" \
  --dir "$STACK_DIR" --save '' --appendonly yes --appendfsync everysec >/dev/null
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

[ -s "$STACK_DIR/secret_key" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$STACK_DIR/secret_key")
export DJANGO_SETTINGS_MODULE=config.settings_production
export SECRET_KEY_FILE="$STACK_DIR/secret_key"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal"
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export MEDIA_ROOT=${MEDIA_ROOT:-$STACK_DIR/media}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
# Plain HTTP on loopback: no redirect to https and cookies not marked Secure. Behind
# nginx with TLS leave both unset (the production defaults are on).
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
export SECURE_COOKIES=${SECURE_COOKIES:-0}
export STACK_DIR PATH="$ROOT/.venv/bin:$PATH"
mkdir -p "$MEDIA_ROOT"

echo "==> migrate, collectstatic"
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
if [ "${DEMO:-1}" = 1 ]; then
  echo "==> demo block (once, when the database is empty)"
  $PY manage.py demo_block --if-empty
  $PY manage.py demo_logins || true
fi
# Every reader's dashboard into the shared cache, so the first view after a deployment reads it.
$PY manage.py warm_dashboards || true

echo "==> Portal at http://127.0.0.1:$STACK_PORT/  (gunicorn + Celery worker + beat; Ctrl+C to stop)"
honcho start --procfile "$ROOT/Procfile" --app-root "$ROOT" --port "$STACK_PORT" || true
