"""Fetch the official Web Chat bundle (npm `botframework-webchat`) for the local dev chat.

    python -m bot.devchannel.webchat_bundle --fetch [--dest var/webchat]

installs the pinned version with npm into `<dest>/node_modules` and prints the path of its UMD
bundle `dist/webchat.js` (`bot.npm_package`). Nothing is done when the bundle is already there.
The bundle is never committed (`var/` and `node_modules/` are ignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bot.npm_package import BundleError, NpmPackage, run

WEBCHAT: Final = NpmPackage(
    name="botframework-webchat",
    version="4.18.1",
    file="dist/webchat.js",
    default_dest=Path("var/webchat"),
    purpose="the Web Chat bundle for the local dev chat",
)
PACKAGE, VERSION, DEFAULT_DEST = WEBCHAT.name, WEBCHAT.version, WEBCHAT.default_dest


def bundle_path(dest: Path = DEFAULT_DEST) -> Path:
    """Where the Web Chat UMD bundle lives once `fetch(dest)` has run."""
    return WEBCHAT.path(dest)


def fetch(dest: Path = DEFAULT_DEST) -> Path:
    """Install the pinned Web Chat under `dest` unless its bundle is already there."""
    return WEBCHAT.fetch(dest)


__all__ = ["DEFAULT_DEST", "PACKAGE", "VERSION", "BundleError", "bundle_path", "fetch"]

if __name__ == "__main__":
    run(WEBCHAT, "bot.devchannel.webchat_bundle")
