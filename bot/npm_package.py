"""Front-end files from npm that the product uses but never commits: the Web Chat bundle of
the dev chat (`bot.devchannel.webchat_bundle`) and axe-core for the public register's
accessibility test (`bot.public_register.axe_bundle`). Each is a pinned `NpmPackage`, installed
with `npm install --prefix <dest>` when its file is not there yet (`scripts/setup.sh` runs both;
`var/` and `node_modules/` are ignored by git)."""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

INSTALL_TIMEOUT_SECONDS: Final = 600


class BundleError(Exception):
    """npm is missing, or installing the package failed."""


@dataclass(frozen=True, slots=True)
class NpmPackage:
    name: str
    version: str
    file: str
    """The file wanted, relative to the package's folder (`dist/webchat.js`)."""
    default_dest: Path
    purpose: str
    """What it is for, in a line (the command's help)."""

    def path(self, dest: Path) -> Path:
        """Where the file lives once `fetch(dest)` has run."""
        return dest / "node_modules" / self.name / self.file

    def fetch(self, dest: Path) -> Path:
        """Install `name@version` under `dest` unless its file is already there."""
        target = self.path(dest)
        if target.is_file():
            log.info("npm package already present", extra={"path": str(target)})
            return target
        npm = shutil.which("npm")
        if npm is None:
            raise BundleError(
                "npm was not found on PATH. Install Node.js (with npm), then run "
                "`bash scripts/setup.sh` again."
            )
        dest.mkdir(parents=True, exist_ok=True)
        spec = f"{self.name}@{self.version}"
        command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(dest)]
        command.append(spec)
        log.info("installing with npm", extra={"command": " ".join(command)})
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments, npm found on PATH
                command,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BundleError(f"npm install {spec} failed: {exc}") from exc
        if result.returncode != 0:
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
            raise BundleError(f"npm install {spec} failed (exit code {result.returncode}):\n{tail}")
        if not target.is_file():
            raise BundleError(f"npm finished but {target} does not exist")
        return target

    def main(self, prog: str, argv: Sequence[str] | None = None) -> int:
        """`python -m <prog> --fetch [--dest DIR]`: install it, print the file's path."""
        parser = argparse.ArgumentParser(
            prog=f"python -m {prog}",
            description=f"Fetch {self.name}@{self.version}: {self.purpose}.",
        )
        parser.add_argument("--fetch", action="store_true", help="install it if missing")
        parser.add_argument(
            "--dest",
            type=Path,
            default=self.default_dest,
            help=f"directory (default {self.default_dest})",
        )
        args = parser.parse_args(argv)
        if not args.fetch:
            parser.print_usage(sys.stderr)
            sys.stderr.write("Nothing to do: pass --fetch.\n")
            return 2
        try:
            path = self.fetch(args.dest)
        except BundleError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 1
        sys.stdout.write(f"{path}\n")
        return 0


def run(package: NpmPackage, prog: str) -> None:
    """The module's `__main__`."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(package.main(prog))


__all__ = ["BundleError", "NpmPackage", "run"]
