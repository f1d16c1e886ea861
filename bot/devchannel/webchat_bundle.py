"""Fetch the official Web Chat bundle (npm `botframework-webchat`) for the local dev chat.

    python -m bot.devchannel.webchat_bundle --fetch [--dest var/webchat]

installs the pinned version with npm into `<dest>/node_modules` and prints the path of its UMD
bundle `dist/webchat.js`. Nothing is done when the bundle is already there. The bundle is never
committed (`var/` and `node_modules/` are ignored).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "botframework-webchat"
VERSION = "4.18.1"
DEFAULT_DEST = Path("var/webchat")
INSTALL_TIMEOUT_SECONDS = 600


class BundleError(Exception):
    """npm is missing, or installing the Web Chat package failed."""


def bundle_path(dest: Path = DEFAULT_DEST) -> Path:
    """Where the Web Chat UMD bundle lives once `fetch(dest)` has run."""
    return dest / "node_modules" / PACKAGE / "dist" / "webchat.js"


def fetch(dest: Path = DEFAULT_DEST) -> Path:
    """Install `botframework-webchat@VERSION` under `dest` unless its bundle is already there."""
    target = bundle_path(dest)
    if target.is_file():
        log.info("Web Chat bundle already present", extra={"path": str(target)})
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError(
            "npm was not found on PATH. Install Node.js (with npm), then run "
            "`bash scripts/setup.sh` again."
        )
    dest.mkdir(parents=True, exist_ok=True)
    command = [
        npm,
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(dest),
        f"{PACKAGE}@{VERSION}",
    ]
    log.info("installing Web Chat with npm", extra={"command": " ".join(command)})
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, npm found on PATH
            command,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BundleError(f"npm install {PACKAGE}@{VERSION} failed: {exc}") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise BundleError(
            f"npm install {PACKAGE}@{VERSION} failed (exit code {result.returncode}):\n{tail}"
        )
    if not target.is_file():
        raise BundleError(f"npm finished but {target} does not exist")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.devchannel.webchat_bundle",
        description=f"Fetch the Web Chat bundle ({PACKAGE}@{VERSION}) for the local dev chat.",
    )
    parser.add_argument("--fetch", action="store_true", help="install the bundle if missing")
    parser.add_argument(
        "--dest", type=Path, default=DEFAULT_DEST, help=f"directory (default {DEFAULT_DEST})"
    )
    args = parser.parse_args(argv)
    if not args.fetch:
        parser.print_usage(sys.stderr)
        sys.stderr.write("Nothing to do: pass --fetch.\n")
        return 2
    try:
        path = fetch(args.dest)
    except BundleError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
