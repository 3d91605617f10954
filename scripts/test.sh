#!/usr/bin/env bash
# Second command of the README: every test, against a throwaway PostgreSQL and
# Redis started here and stopped by PID on exit, with Debian's headless Chromium
# for the browser tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PY=.venv/bin/python

RUN_DIR=$(mktemp -d /tmp/portal-test.XXXXXX)
chmod 755 "$RUN_DIR"
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

cleanup() {
  set +e
  if [ -f "$RUN_DIR/redis.pid" ]; then kill "$(cat "$RUN_DIR/redis.pid")" 2>/dev/null; fi
  if [ -d "$RUN_DIR/pg" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -m fast -w stop >/dev/null 2>&1; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

echo "==> Starting PostgreSQL on 127.0.0.1:$PG_PORT"
chown postgres "$RUN_DIR"
runuser -u postgres -- "$PG_BIN/initdb" -D "$RUN_DIR/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg.log" -w \
  -o "-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
runuser -u postgres -- createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres portal

echo "==> Starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$RUN_DIR/redis.pid" \
  --dir "$RUN_DIR" --save '' --appendonly no >/dev/null
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export MEDIA_ROOT="$RUN_DIR/media"
export CHROMIUM_PATH=/usr/bin/chromium

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports  # layers: config > recognition > criteria > evaluations > registry (.importlinter)
echo "==> manage.py check --deploy (production settings)"
SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" ALLOWED_HOSTS=portal.example \
  DJANGO_SETTINGS_MODULE=config.settings_production $PY manage.py check --deploy --fail-level WARNING
echo "==> migrations are up to date"
$PY manage.py makemigrations --check --dry-run >/dev/null
echo "==> collectstatic (whitenoise serves the pages under test from staticfiles/)"
$PY manage.py collectstatic --noinput -v 0
echo "==> pytest"
export CELERY_TASK_ALWAYS_EAGER=1 DJANGO_ALLOW_ASYNC_UNSAFE=true
$PY -m pytest "$@"
