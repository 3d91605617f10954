#!/usr/bin/env bash
# Load test at province scale on the production stack (issue 13), one command:
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:54339/bench bash loadtest/province.sh
#   (USERS=50 SPAWN_RATE=5 RUN_TIME=60s LOCUST_WAIT=3,8 WEB_PORT=8190 REDIS_PORT=6490
#    WEB_CONCURRENCY=4 WEB_THREADS=2 CELERY_CONCURRENCY=2 DATA_YEAR=2024 OUT=var/loadtest/province
#    MARKDOWN=1 for the tables as Markdown)
#
# DATABASE_URL: a PostgreSQL database on loopback holding the benchmark's province dataset
# (scripts/bench.py builds it: 4,000 cells, 90,000 members, stored verdicts); it is migrated,
# never rebuilt. Then:
#  a) loadtest/accounts.py creates (idempotently) the accounts: 60 cell secretaries each
#     appointed to a different cell, grassroots staff, board staff, standing-committee members
#     of 4 blocks and of the province, and tops up the registrations waiting for a decision;
#  b) starts the production processes on loopback only, stopped by PID on exit: Redis (own
#     port), gunicorn config.wsgi with config.settings_production, a Celery worker;
#  c) runs locust headless (loadtest/province_locustfile.py), bounded in users and time, with
#     statistics reset once every user runs; every account logs in once before (not measured);
#  d) counts a write only when saved (a redirect to the record) and then counts the rows the
#     load-test accounts wrote during the run in the database (loadtest/verify.py);
#  e) prints requests, errors and p50/p95/max per page and per page group
#     (loadtest/summary.py), the saved-vs-found counts, `uptime` before and after, and the CPU
#     each part of the stack used (loadtest/cpu.py: which resource saturates first).
# Exit status: 0 when there was no error, every group's p95 is within 300 ms and every
# write locust counted is in the database.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=$ROOT/.venv/bin/python
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-5}
RUN_TIME=${RUN_TIME:-60s}
WEB_PORT=${WEB_PORT:-8190}
REDIS_PORT=${REDIS_PORT:-6490}
OUT=${OUT:-var/loadtest/province}
HOST=http://127.0.0.1:$WEB_PORT

: "${DATABASE_URL:?set DATABASE_URL to the province database of scripts/bench.py}"
DB_HOST=$($PY -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname or "")' "$DATABASE_URL")
DB_PORT=$($PY -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 5432)' "$DATABASE_URL")
case "$DB_HOST" in
  127.0.0.1|localhost|::1|"") ;;
  *) echo "loadtest/province.sh only uses a database on loopback (got $DB_HOST)" >&2; exit 2 ;;
esac

for port in "$WEB_PORT" "$REDIS_PORT"; do
  if [ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; then
    echo "port $port is already in use: stop what listens there or set WEB_PORT / REDIS_PORT" >&2; exit 2
  fi
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUN_DIR=$(mktemp -d /tmp/portal-loadtest.XXXXXX)
WEB_PID= CELERY_PID=
cleanup() {
  set +e
  echo "==> Stopping gunicorn, the Celery worker and Redis"
  [ -n "$WEB_PID" ] && kill -TERM "$WEB_PID" 2>/dev/null
  [ -n "$CELERY_PID" ] && kill -TERM "$CELERY_PID" 2>/dev/null
  for _ in $(seq 100); do
    { [ -n "$WEB_PID" ] && kill -0 "$WEB_PID" 2>/dev/null; } || { [ -n "$CELERY_PID" ] && kill -0 "$CELERY_PID" 2>/dev/null; } || break
    sleep 0.2
  done
  [ -f "$RUN_DIR/redis.pid" ] && kill "$(cat "$RUN_DIR/redis.pid")" 2>/dev/null
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -s "$OUT/secret_key" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$OUT/secret_key")
export DJANGO_SETTINGS_MODULE=config.settings_production
export SECRET_KEY_FILE="$OUT/secret_key"
export DATABASE_URL
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export MEDIA_ROOT="$OUT/media"
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0  # plain HTTP on loopback, as scripts/stack.sh
export LOADTEST_PASSWORD=${LOADTEST_PASSWORD:-loadtest@2026}
export LOADTEST_MANIFEST="$OUT/accounts.json" LOADTEST_OUT="$OUT" DATA_YEAR=${DATA_YEAR:-2024}
mkdir -p "$MEDIA_ROOT"

echo "==> Redis on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$RUN_DIR/redis.pid" \
  --dir "$RUN_DIR" --save '' --appendonly no >/dev/null || exit 1
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "==> migrate, collectstatic"
$PY manage.py migrate --noinput -v 0 || exit 1
$PY manage.py collectstatic --noinput -v 0 || exit 1
echo "==> a) accounts and registrations (loadtest/accounts.py)"
$PY loadtest/accounts.py --manifest "$OUT/accounts.json" || exit 1

echo "==> b) gunicorn on $HOST (${WEB_CONCURRENCY:-4} workers x ${WEB_THREADS:-2} threads), Celery worker (${CELERY_CONCURRENCY:-2})"
"$ROOT/.venv/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$WEB_PORT" \
  --workers "${WEB_CONCURRENCY:-4}" --threads "${WEB_THREADS:-2}" --worker-class gthread \
  --max-requests 2000 --max-requests-jitter 200 --graceful-timeout 20 \
  --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
WEB_PID=$!
"$ROOT/.venv/bin/celery" -A config worker --loglevel WARNING --concurrency "${CELERY_CONCURRENCY:-2}" \
  --without-gossip --without-mingle --without-heartbeat >"$OUT/celery.log" 2>&1 &
CELERY_PID=$!
for _ in $(seq 150); do curl -fsS "$HOST/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
if ! curl -fsS "$HOST/healthz" >/dev/null; then
  echo "gunicorn did not answer on $HOST (see $OUT/gunicorn.log)" >&2; exit 1
fi
PG_PID=$(ss -ltnpH "sport = :$DB_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
REDIS_PID=$(cat "$RUN_DIR/redis.pid")

# The dashboards as the nightly refresh leaves them (criteria.indicators
# .warm_dashboards): the run measures a working day, not the first view after a deployment.
echo "==> dashboards warmed for everyone who reads one (standing committees, boards, grassroots staff)"
$PY manage.py shell -c "from criteria import indicators; print(indicators.warm_dashboards($DATA_YEAR), 'dashboards')" || exit 1

echo "==> load before: $(uptime)"
SINCE=$($PY -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).isoformat())')
$PY loadtest/cpu.py snapshot "$RUN_DIR/cpu-before.json" gunicorn="$WEB_PID" celery="$CELERY_PID" \
  postgres="${PG_PID:-}" redis="$REDIS_PID"
echo "==> c) locust: $USERS users (spawn $SPAWN_RATE/s) for $RUN_TIME against $HOST"
rm -f "$OUT/saved.json" "$OUT/groups.json"
"$ROOT/.venv/bin/locust" -f loadtest/province_locustfile.py --headless --host "$HOST" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 --reset-stats \
  --csv "$OUT/portal" --only-summary --loglevel WARNING --exit-code-on-error 0
$PY loadtest/cpu.py snapshot "$RUN_DIR/cpu-after.json" gunicorn="$WEB_PID" celery="$CELERY_PID" \
  postgres="${PG_PID:-}" redis="$REDIS_PID"
echo "==> load after: $(uptime)"

echo "==> e) requests, errors, p50/p95/max per page and per page group"
$PY loadtest/summary.py "$OUT/portal" --groups "$OUT/groups.json" ${MARKDOWN:+--markdown}
SUMMARY=$?
echo "==> d) writes: saved according to locust, found in the database"
$PY loadtest/verify.py --since "$SINCE" --saved "$OUT/saved.json"
VERIFY=$?
echo "==> which resource saturates first"
LOCUST_CPU=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1])).get("locust_cpu_seconds", ""))' "$OUT/saved.json" 2>/dev/null)
$PY loadtest/cpu.py report "$RUN_DIR/cpu-before.json" "$RUN_DIR/cpu-after.json" $LOCUST_CPU
[ -z "$PG_PID" ] && echo "  (PostgreSQL's postmaster on port $DB_PORT not found with ss: its CPU is in 'machine busy' only)"
[ "$SUMMARY" = 0 ] && [ "$VERIFY" = 0 ]
