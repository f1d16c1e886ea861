#!/usr/bin/env bash
# Create .venv, install the project (with dev tools when asked: `setup.sh dev`) and fetch the
# Web Chat bundle for the dev chat and axe-core for the accessibility test from npm (never
# committed). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras=""
if [ "${1:-}" = dev ]; then extras="[dev]"; fi
log=$(mktemp)
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "setup: pip install failed" >&2
  exit 1
fi
rm -f "$log"
.venv/bin/python -m bot.devchannel.webchat_bundle --fetch --dest "${DATA_DIR:-var}/webchat"
# axe-core for the public register's accessibility test (tests/e2e/test_public_register_browser.py).
.venv/bin/python -m bot.public_register.axe_bundle --fetch --dest "${DATA_DIR:-var}/axe"
