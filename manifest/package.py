"""Build the Teams app package: ``manifest.json``, ``color.png`` and ``outline.png`` in one zip.

The manifest comes from ``manifest.template.json`` (Teams manifest schema v1.23). Its ``{{NAME}}``
placeholders are filled in the parsed JSON, never by text substitution:

- ``{{APP_ID}}``: the bot's Microsoft App ID (a GUID), used for both ``id`` and ``bots[0].botId``;
- ``{{VERSION}}``: the app version, ``MAJOR.MINOR.PATCH`` as Teams requires (no pre-release tag);
- ``{{WEBSITE_URL}}``, ``{{PRIVACY_URL}}``, ``{{TERMS_URL}}``: the public base URL plus ``/``,
  ``/personvern`` and ``/vilkar``. Without a public base URL they fall back to
  ``https://kontraktsvakt.no``, ``https://kontraktsvakt.no/personvern`` and
  ``https://kontraktsvakt.no/vilkar`` (``DEFAULT_DEVELOPER_URLS``), so a package can be built for a
  test tenant before the bot has a public address;
- ``{{PUBLIC_HOST}}``: the public base URL's host (and port, if given). A list item that is only
  this placeholder is dropped when there is no public URL, and ``validDomains`` with it.

Commands: the template lists the bot's typed commands (``bot.commands.build_router``) per scope,
at most ten per scope as Teams allows; ``tests/unit/test_manifest_commands.py`` checks that the
lists
equal the router's commands, titles and descriptions. Code that adds commands passes them as
``extra_commands``; each goes into every command list that shares a scope with it.

Run ``python -m manifest.package --help`` to build a package from the command line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from manifest.icons import color_icon_png, outline_icon_png

TEMPLATE_NAME = "manifest.template.json"
MAX_COMMANDS_PER_LIST = 10
DEFAULT_DEVELOPER_URLS: Mapping[str, str] = {
    "WEBSITE_URL": "https://kontraktsvakt.no",
    "PRIVACY_URL": "https://kontraktsvakt.no/personvern",
    "TERMS_URL": "https://kontraktsvakt.no/vilkar",
}

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_NIL_GUID = "00000000-0000-0000-0000-000000000000"
_SEMVER = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# Zip entries get a fixed timestamp so that the same input always gives the same package.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ManifestError(ValueError):
    """The manifest or package cannot be built from the values given."""


@dataclass(frozen=True)
class BotCommand:
    """A command shown in Teams' command menu for the bot."""

    title: str
    description: str
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"personal", "team"}))


def build_manifest(
    app_id: str,
    *,
    version: str,
    public_base_url: str | None,
    extra_commands: Sequence[BotCommand] = (),
) -> dict[str, Any]:
    """The filled-in manifest as a dict, ready to be written as ``manifest.json``."""
    _check_app_id(app_id)
    _check_version(version)
    if public_base_url is None:
        values: dict[str, str | None] = {**DEFAULT_DEVELOPER_URLS, "PUBLIC_HOST": None}
    else:
        base, host = _split_public_base_url(public_base_url)
        values = {
            "WEBSITE_URL": f"{base}/",
            "PRIVACY_URL": f"{base}/personvern",
            "TERMS_URL": f"{base}/vilkar",
            "PUBLIC_HOST": host,
        }
    values |= {"APP_ID": app_id, "VERSION": version}

    template = resources.files("manifest").joinpath(TEMPLATE_NAME).read_text(encoding="utf-8")
    manifest: dict[str, Any] = _fill(json.loads(template), values)
    if not manifest.get("validDomains"):
        manifest.pop("validDomains", None)
    _add_commands(manifest, extra_commands)
    return manifest


def build_package(
    app_id: str,
    out_path: Path,
    *,
    version: str,
    public_base_url: str | None,
    extra_commands: Sequence[BotCommand] = (),
) -> Path:
    """Write the app package zip to ``out_path`` (replacing it) and return that path."""
    manifest = build_manifest(
        app_id, version=version, public_base_url=public_base_url, extra_commands=extra_commands
    )
    files = {
        "manifest.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(),
        manifest["icons"]["color"]: color_icon_png(),
        manifest["icons"]["outline"]: outline_icon_png(),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failed build never leaves half a package.
    with tempfile.NamedTemporaryFile(dir=out_path.parent, suffix=".tmp", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in files.items():
                    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, data)
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
    tmp_path.replace(out_path)
    return out_path


def _check_app_id(app_id: str) -> None:
    if not _GUID.fullmatch(app_id):
        raise ManifestError(
            f"app id {app_id!r} is not a GUID: use the bot's Microsoft App ID, "
            "e.g. 3f2504e0-4f89-41d3-9a0c-0305e82c3301"
        )
    if app_id == _NIL_GUID:
        raise ManifestError("app id is the all-zero GUID: use the bot's Microsoft App ID")


def _check_version(version: str) -> None:
    if not _SEMVER.fullmatch(version):
        raise ManifestError(
            f"version {version!r} is not MAJOR.MINOR.PATCH (e.g. 1.0.0); "
            "Teams accepts no prefix, leading zeros or pre-release tags"
        )


def _split_public_base_url(url: str) -> tuple[str, str]:
    """The base URL without a trailing slash, and its host[:port] for ``validDomains``."""
    problem = (
        f"public base URL {url!r} must be an https URL such as https://kontraktsvakt.kommune.no"
    )
    if len(url) > 1900 or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise ManifestError(problem)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise ManifestError(problem) from exc
    host = parts.hostname or ""
    if parts.scheme != "https" or not _HOST.fullmatch(host):
        raise ManifestError(problem)
    if parts.username is not None or parts.password is not None:
        raise ManifestError(f"{problem}, without user name or password")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ManifestError(f"{problem}, without query or fragment")
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit(("https", netloc, parts.path.rstrip("/"), "", "")), netloc


def _fill(node: Any, values: Mapping[str, str | None]) -> Any:
    """``node`` with every placeholder replaced; list items naming an absent value are dropped."""
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda match: _value(match.group(1), values), node)
    if isinstance(node, list):
        return [_fill(item, values) for item in node if not _names_absent_value(item, values)]
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    return node


def _value(name: str, values: Mapping[str, str | None]) -> str:
    if name not in values:
        raise ManifestError(f"unknown placeholder {{{{{name}}}}} in {TEMPLATE_NAME}")
    value = values[name]
    if value is None:
        raise ManifestError(f"placeholder {{{{{name}}}}} has no value and is not a list item")
    return value


def _names_absent_value(item: Any, values: Mapping[str, str | None]) -> bool:
    match = _PLACEHOLDER.fullmatch(item) if isinstance(item, str) else None
    return match is not None and match.group(1) in values and values[match.group(1)] is None


def _add_commands(manifest: dict[str, Any], commands: Sequence[BotCommand]) -> None:
    command_lists: list[dict[str, Any]] = manifest["bots"][0]["commandLists"]
    for command in commands:
        if not command.title.strip() or len(command.title) > 128 or len(command.description) > 4000:
            raise ManifestError(
                f"command {command.title!r} needs a title of 1 to 128 characters "
                "and a description of at most 4000"
            )
        targets = [cl for cl in command_lists if command.scopes & set(cl["scopes"])]
        if not targets:
            raise ManifestError(f"command {command.title!r}: no command list for {command.scopes}")
        for command_list in targets:
            titles = {existing["title"].casefold() for existing in command_list["commands"]}
            if command.title.casefold() in titles:
                raise ManifestError(f"command {command.title!r} is listed twice")
            command_list["commands"].append(
                {"title": command.title, "description": command.description}
            )
    for command_list in command_lists:
        if len(command_list["commands"]) > MAX_COMMANDS_PER_LIST:
            raise ManifestError(
                f"Teams shows at most {MAX_COMMANDS_PER_LIST} commands per scope; "
                f"{command_list['scopes']} has {len(command_list['commands'])}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the package and print its path. Exit status 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m manifest.package", description="Build the Teams app package (zip)."
    )
    parser.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (GUID)")
    parser.add_argument("--version", required=True, help="app version, MAJOR.MINOR.PATCH")
    parser.add_argument(
        "--public-base-url",
        help="https base URL of the bot's public site; developer URLs and validDomains come "
        "from it (default developer URLs: https://kontraktsvakt.no/...)",
    )
    parser.add_argument("--out", type=Path, default=Path("build/kontraktsvakt-teams-app.zip"))
    args = parser.parse_args(argv)
    try:
        path = build_package(
            args.app_id, args.out, version=args.version, public_base_url=args.public_base_url
        )
    except ManifestError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
