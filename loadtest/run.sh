#!/usr/bin/env bash
# Load test of issue 6: 50 users for 60 s, headless, against the stack of scripts/stack.sh
# on loopback (start it first, with the demo block). Stops by itself; writes CSV stats to
# var/loadtest/ (OUT) and prints p50/p95 per page and the errors.
#
#   bash scripts/stack.sh            # terminal 1
#   bash loadtest/run.sh             # terminal 2   (USERS=50 SPAWN_RATE=5 RUN_TIME=60s LOCUST_WAIT=3,8)
#
# Every demo account logs in once before the users start (their sessions are shared);
# the statistics are reset when all users are running (--reset-stats), so the figures are
# the steady state of RUN_TIME with 50 logged-in users. Think time LOCUST_WAIT="3,8" s.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-http://127.0.0.1:${STACK_PORT:-8100}}
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-5}
RUN_TIME=${RUN_TIME:-60s}
OUT=${OUT:-var/loadtest}

case "$HOST" in
  http://127.0.0.1:*|http://localhost:*|http://\[::1\]:*) ;;
  *) echo "loadtest/run.sh only targets loopback (got $HOST)" >&2; exit 2 ;;
esac
if ! curl -fsS "$HOST/healthz" >/dev/null; then
  echo "No healthy portal at $HOST: start it with 'bash scripts/stack.sh' first." >&2; exit 2
fi
mkdir -p "$OUT"
echo "==> load before: $(uptime)"
echo "==> locust: $USERS users (spawn $SPAWN_RATE/s) for $RUN_TIME against $HOST"
.venv/bin/locust -f loadtest/locustfile.py --headless --host "$HOST" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 --reset-stats \
  --csv "$OUT/portal" --only-summary --loglevel WARNING --exit-code-on-error 0
echo "==> load after: $(uptime)"
.venv/bin/python loadtest/summary.py "$OUT/portal"
