#!/usr/bin/env bash
# First command of the README: install, prepare the embedded default (SQLite file,
# Celery tasks run eagerly), load the demo block once, print the demo logins and serve.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo shows the portal as its users see it: Vietnamese error pages (templates/404.html, 500.html),
# not Django's technical pages in English. DEBUG=1 bash scripts/run.sh brings those back for development.
# Static files come from WhiteNoise (collectstatic below), with or without DEBUG.
export DEBUG="${DEBUG:-0}"
bash scripts/install.sh
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
if ! $PY manage.py demo_block --if-empty; then
  echo "demo data failed" >&2; exit 1
fi
$PY manage.py demo_logins
echo "==> Portal at http://127.0.0.1:${PORT:-8000}/  (Ctrl+C to stop)"
exec $PY manage.py runserver "0.0.0.0:${PORT:-8000}"
