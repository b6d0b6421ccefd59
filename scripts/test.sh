#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on PostgreSQL when DATABASE_URL names one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
postgres_url="${DATABASE_URL:-}"
# Two test processes (pytest-xdist) by default; each gets its own test database. TEST_WORKERS=0 runs in one.
workers="${TEST_WORKERS:-2}"

echo "== Tests on SQLite"
env -u DATABASE_URL "$BIN/python" -m pytest -q -n "$workers" "$@"

if [ -n "$postgres_url" ]; then
  echo "== Tests on PostgreSQL ($postgres_url)"
  DATABASE_URL="$postgres_url" "$BIN/python" -m pytest -q -n "$workers" "$@"
fi
