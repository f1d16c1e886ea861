"""Fetch axe-core (npm `axe-core`) for the public register's accessibility test.

    python -m bot.public_register.axe_bundle --fetch [--dest var/axe]

installs the pinned version with npm into `<dest>/node_modules` and prints the path of
`axe.min.js` (`bot.npm_package`). Nothing is done when it is already there. Never committed
(`var/` and `node_modules/` are ignored); the pages themselves never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.npm_package import BundleError, NpmPackage, run

AXE: Final = NpmPackage(
    name="axe-core",
    version="4.10.3",
    file="axe.min.js",
    default_dest=Path("var/axe"),
    purpose="the public register's accessibility test (tests/e2e)",
)
PACKAGE, VERSION, DEFAULT_DEST = AXE.name, AXE.version, AXE.default_dest


def bundle_path(dest: Path = DEFAULT_DEST) -> Path:
    """Where `axe.min.js` lives once `fetch(dest)` has run."""
    return AXE.path(dest)


def fetch(dest: Path = DEFAULT_DEST) -> Path:
    """Install the pinned axe-core under `dest` unless it is already there."""
    return AXE.fetch(dest)


__all__ = ["DEFAULT_DEST", "PACKAGE", "VERSION", "BundleError", "bundle_path", "fetch"]

if __name__ == "__main__":
    run(AXE, "bot.public_register.axe_bundle")
