"""What the browser tests share: Debian's headless Chromium and the Web Chat bundle.

Both are installed by `.ci/run` (and `scripts/setup.sh` fetches the bundle). Without them the
browser tests fail, never skip: CI must show a missing browser.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.devchannel.webchat_bundle import bundle_path

CHROMIUM = os.environ.get("KV_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FOUND = Path(CHROMIUM).exists()
BUNDLE_FOUND = bundle_path(ROOT / "var" / "webchat").exists()
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
