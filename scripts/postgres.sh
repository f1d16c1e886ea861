#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback from Debian's packages, for the tests and
# benchmarks. Prints the connection URL on its last line. Usage: scripts/postgres.sh DIR [PORT]
set -euo pipefail
dir=${1:?usage: scripts/postgres.sh DIR [PORT]}
port=${2:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found: install Debian's 'postgresql' package" >&2
  exit 1
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
if [ ! -f "$dir/PG_VERSION" ]; then
  run "$bin/initdb" -D "$dir" -U kv --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o \
    "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
fi
for _ in $(seq 1 50); do
  if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then break; fi
  sleep 0.2
done
echo "postgresql+psycopg://kv@127.0.0.1:$port/postgres"
