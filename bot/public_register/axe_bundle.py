"""Fetch axe-core (npm `axe-core`) for the public register's accessibility test.

    python -m bot.public_register.axe_bundle --fetch [--dest var/axe]

installs the pinned version with npm into `<dest>/node_modules` and prints the path of
`axe.min.js`. Nothing is done when it is already there. Never committed (`var/` and
`node_modules/` are ignored); the pages themselves never load it.
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

PACKAGE = "axe-core"
VERSION = "4.10.3"
DEFAULT_DEST = Path("var/axe")
INSTALL_TIMEOUT_SECONDS = 600


class BundleError(Exception):
    """npm is missing, or installing axe-core failed."""


def bundle_path(dest: Path = DEFAULT_DEST) -> Path:
    """Where `axe.min.js` lives once `fetch(dest)` has run."""
    return dest / "node_modules" / PACKAGE / "axe.min.js"


def fetch(dest: Path = DEFAULT_DEST) -> Path:
    """Install `axe-core@VERSION` under `dest` unless it is already there."""
    target = bundle_path(dest)
    if target.is_file():
        log.info("axe-core already present", extra={"path": str(target)})
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
    log.info("installing axe-core with npm", extra={"command": " ".join(command)})
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
        prog="python -m bot.public_register.axe_bundle",
        description=f"Fetch {PACKAGE}@{VERSION} for the public register's accessibility test.",
    )
    parser.add_argument("--fetch", action="store_true", help="install axe-core if missing")
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
