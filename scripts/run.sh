#!/usr/bin/env bash
# Start Attunement: migrate, load the demo on an empty database, then run the web server, the background
# task worker, the daily retention run and the daily e-mail of notifications under supervisor
# (deploy/supervisord.conf), which restarts any of them that stops. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything written from here (the database, uploads, logs) is readable by this user only.
umask 077
BIN=.venv/bin
export HOST="${HOST:-127.0.0.1}"
export PORT="${PORT:-8000}"
export ATTUNEMENT_ROOT="$PWD"
export ATTUNEMENT_VAR_DIR="${ATTUNEMENT_VAR_DIR:-$PWD/var}"

# `make run HOST=0.0.0.0` answers other machines on the network too: a tablet asks for this machine by its address
# or its name, so those are let in (unless ALLOWED_HOSTS already says which names to answer).
network_addresses=""
if [ "$HOST" != "127.0.0.1" ] && [ "$HOST" != "localhost" ] && [ "$HOST" != "::1" ]; then
  for address in $(hostname -I 2>/dev/null || true); do
    case "$address" in *:*) network_addresses="$network_addresses,[$address]" ;; *) network_addresses="$network_addresses,$address" ;; esac
  done
  if [ -z "${ALLOWED_HOSTS:-}" ]; then
    name="$(hostname 2>/dev/null || true)"
    export ALLOWED_HOSTS="localhost,127.0.0.1,[::1]${network_addresses}${name:+,$name,$name.local}"
  fi
fi

mkdir -p "$ATTUNEMENT_VAR_DIR"
chmod 700 "$ATTUNEMENT_VAR_DIR"
"$BIN/python" manage.py migrate --no-input -v 0
if [ "${DJANGO_SETTINGS_MODULE:-}" != "attunement.config.production" ]; then
  "$BIN/python" manage.py seed_demo --if-empty   # never in production: the demo's password is public
fi
"$BIN/python" manage.py collectstatic --no-input -v 0

"$BIN/supervisord" -c deploy/supervisord.conf &
supervisor=$!
trap 'kill -TERM $supervisor 2>/dev/null; wait $supervisor 2>/dev/null; echo "Attunement stopped."' INT TERM EXIT

# Listening on every address (0.0.0.0): this machine reaches it at 127.0.0.1.
here="$HOST"
case "$HOST" in 0.0.0.0 | "::" | "[::]") here=127.0.0.1 ;; esac
for _ in $(seq 1 60); do
  "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://$here:$PORT/accounts/login/', timeout=2)" \
    2>/dev/null && break
  sleep 0.5
done
cat <<MSG

  Attunement is running at  http://$here:$PORT/
MSG
if [ -n "$network_addresses" ]; then
  first="$(echo "${network_addresses#,}" | cut -d, -f1)"
  cat <<MSG
  From a tablet on the same network:  http://$first:$PORT/
  (Pages open, but over plain http a tablet's browser will not keep them for use with no
  connection: that needs https, or this machine's own browser at http://localhost:$PORT/.)
MSG
fi
cat <<MSG

  Demo logins (password for all: attunement-demo)
    practitioner (school)     sam@oakfield.example
    co-ordinator (school)     priya@oakfield.example
    administrator (school)    office@oakfield.example   (single sign-on, API keys)
    practitioner (adults)     tom@riverside.example
    co-ordinator (adults)     jo@riverside.example
    parent (family portal)    parent@oakfield.example
    inspector (summary only)  inspector@oakfield.example

  Co-ordinators are asked for a second step: in another terminal,
  run  .venv/bin/python manage.py demo_code  for the current code.

  If a process stops, it is started again. To see them:
    ATTUNEMENT_VAR_DIR=$ATTUNEMENT_VAR_DIR .venv/bin/supervisorctl -c deploy/supervisord.conf status

  Press Ctrl-C to stop.

MSG
wait $supervisor
