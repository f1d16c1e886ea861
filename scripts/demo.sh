#!/usr/bin/env bash
# Set up and run the demo: SQLite, realistic Norwegian demo data, the local dev chat at /dev.
# Needs: python3.11 and npm (for the Web Chat bundle). Extra arguments go to `kontraktsvakt demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/kontraktsvakt demo "$@"
