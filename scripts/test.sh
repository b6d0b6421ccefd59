#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on PostgreSQL when DATABASE_URL names one.
# The browser tests (marker e2e) wait for conditions with generous limits, so the suite also passes on a machine
# whose cores are busy with other work; the slowest tests are listed at the end of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
postgres_url="${DATABASE_URL:-}"
# Two test processes (pytest-xdist) by default; each gets its own test database. TEST_WORKERS=0 runs in one.
# Each file's tests run in one process, so a file's shared fixtures (the whole service, in test_availability.py)
# start once and never twice at the same time.
workers="${TEST_WORKERS:-2}"
spread=(--dist loadfile)
[ "$workers" = "0" ] && spread=()

echo "== Tests on SQLite"
env -u DATABASE_URL "$BIN/python" -m pytest -q -n "$workers" "${spread[@]}" --durations=10 "$@"

if [ -n "$postgres_url" ]; then
  echo "== Tests on PostgreSQL ($postgres_url)"
  DATABASE_URL="$postgres_url" "$BIN/python" -m pytest -q -n "$workers" "${spread[@]}" --durations=10 "$@"
fi
