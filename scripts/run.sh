#!/usr/bin/env bash
# Start Attunement: migrate, load the demo on an empty database, then run the web server and the
# background task worker together. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

mkdir -p var
"$BIN/python" manage.py migrate --no-input -v 0
if [ "${DJANGO_SETTINGS_MODULE:-}" != "attunement.config.production" ]; then
  "$BIN/python" manage.py seed_demo --if-empty   # never in production: the demo's password is public
fi
"$BIN/python" manage.py collectstatic --no-input -v 0

"$BIN/python" manage.py db_worker --interval 2 &
worker=$!
# Once a day, delete what has passed its retention period (the report is kept with each run).
( while true; do "$BIN/python" manage.py retention_run --apply >> var/retention.log 2>&1; sleep 86400; done ) &
daily=$!
"$BIN/gunicorn" attunement.config.wsgi --chdir src --bind "$HOST:$PORT" --workers 2 --threads 4 \
  --access-logfile - --log-level warning &
web=$!
trap 'kill $web $worker $daily 2>/dev/null; wait 2>/dev/null; echo "Attunement stopped."' INT TERM EXIT

sleep 1
cat <<MSG

  Attunement is running at  http://$HOST:$PORT/

  Demo logins (password for all: attunement-demo)
    practitioner (school)     sam@oakfield.example
    co-ordinator (school)     priya@oakfield.example
    practitioner (adults)     tom@riverside.example
    co-ordinator (adults)     jo@riverside.example
    parent (family portal)    parent@oakfield.example
    inspector (summary only)  inspector@oakfield.example

  Co-ordinators are asked for a second step: in another terminal,
  run  .venv/bin/python manage.py demo_code  for the current code.

  Press Ctrl-C to stop.

MSG
wait -n $web $worker
