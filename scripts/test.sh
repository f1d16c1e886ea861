#!/usr/bin/env bash
# Set up and run every check: ruff, mypy (strict), the import-linter contracts and the whole
# pytest suite on SQLite and a
# throwaway PostgreSQL, including the browser tests in headless Chromium.
# Needs: python3.11, Debian's postgresql and chromium packages, npm (for the Web Chat bundle).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

if [ -z "${KV_TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/kv-pg.XXXXXX)
  chmod 755 "$pgdir"
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  KV_TEST_POSTGRES_URL=$(bash scripts/postgres.sh "$pgdir/data" "$port" | tail -n 1)
  export KV_TEST_POSTGRES_URL
  stop_pg() {
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$pgdir"
  }
  trap stop_pg EXIT
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)"
.venv/bin/mypy bot followup storage scheduler manifest bench
echo "== import contracts (lint-imports)"
.venv/bin/lint-imports --no-cache
echo "== pytest"
.venv/bin/pytest -p no:cacheprovider "$@"
