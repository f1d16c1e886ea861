"""The Teams app package: schema-valid manifest, icons Teams accepts, refusal of bad input.

The manifest schemas are Microsoft's, kept in ``shared/schemas/teams-manifest/v<version>/`` beside
the repository. They declare draft-04 but also use later keywords (``const`` in v1.23, ``if``/
``then`` in v1.30) that a draft-04 validator silently ignores, so the manifest is validated with
the declared draft and with draft-07, which knows them all (no draft-04-only keyword such as a
boolean ``exclusiveMaximum`` occurs). References resolve locally only; a remote one fails the test
instead of reaching the network.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from manifest import (
    ACCENT_COLOR,
    BotCommand,
    ManifestError,
    build_manifest,
    build_package,
    color_icon_png,
    outline_icon_png,
)
from manifest.package import main

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "teams-manifest"
APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _no_network(uri: str) -> Resource:
    raise LookupError(f"remote $ref {uri!r}: only the local schema copies may be used")


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    version = manifest["manifestVersion"]
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    assert path.is_file(), f"no local schema for manifestVersion {version}: {path}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry(retrieve=_no_network).with_resource(
        manifest["$schema"], Resource.from_contents(schema, default_specification=DRAFT4)
    )
    errors = []
    for cls in (validator_for(schema), Draft7Validator):
        validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
        errors += [
            f"{cls.__name__}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(manifest)
        ]
    return errors


def _open_package(tmp_path: Path, public_base_url: str | None) -> zipfile.ZipFile:
    out = build_package(
        APP_ID, tmp_path / "app.zip", version="1.2.3", public_base_url=public_base_url
    )
    assert out == tmp_path / "app.zip"
    return zipfile.ZipFile(out)


@pytest.mark.parametrize("public_base_url", ["https://kontraktsvakt.kommune.no", None])
def test_package_manifest_is_valid_against_the_schema_it_names(
    tmp_path: Path, public_base_url: str | None
) -> None:
    with _open_package(tmp_path, public_base_url) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))

    version = manifest["manifestVersion"]
    assert version == "1.23"
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )
    assert _schema_errors(manifest) == []
    assert "{{" not in json.dumps(manifest)


def test_schema_validation_is_not_vacuous() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    assert _schema_errors({**manifest, "accentColor": "blue"})
    assert _schema_errors({**manifest, "unknownProperty": 1})
    assert _schema_errors({**manifest, "bots": [{**manifest["bots"][0], "scopes": ["all"]}]})
    # `const` is not a draft-04 keyword: only the draft-07 pass catches a wrong manifestVersion.
    wrong_version = {**manifest, "manifestVersion": "1.22"}
    schema = json.loads((SCHEMAS / "v1.23" / "MicrosoftTeams.schema.json").read_text("utf-8"))
    assert not list(validator_for(schema)(schema).iter_errors(wrong_version))
    assert list(Draft7Validator(schema).iter_errors(wrong_version))


def test_bot_entry() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == manifest["id"] == APP_ID
    assert bot["supportsFiles"] is True
    assert bot["isNotificationOnly"] is False
    assert {"personal", "team"} <= set(bot["scopes"])
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["accentColor"] == ACCENT_COLOR
    assert manifest["localizationInfo"] == {"defaultLanguageTag": "nb-no"}
    assert manifest["name"] == {
        "short": "Kontraktsvakt",
        "full": "Kontraktsvakt – kontraktsoppfølging",
    }
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000


def test_command_lists_one_per_scope_with_help() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    lists = manifest["bots"][0]["commandLists"]
    assert len(lists) <= 3
    assert sorted(scope for cl in lists for scope in cl["scopes"]) == ["personal", "team"]
    for command_list in lists:
        assert len(command_list["commands"]) <= 10
        assert {"title": "hjelp", "description": "Vis hva du kan spørre om"} in (
            command_list["commands"]
        )


def test_extra_commands_go_into_the_lists_of_their_scopes() -> None:
    def titles(manifest: dict[str, Any]) -> dict[str, list[str]]:
        return {
            cl["scopes"][0]: [c["title"] for c in cl["commands"]]
            for cl in manifest["bots"][0]["commandLists"]
        }

    # The template's personal list is full (Teams allows ten): an extra goes to the team list.
    commands = [BotCommand("ekstra", "En kommando til", scopes=frozenset({"team"}))]
    base = titles(build_manifest(APP_ID, version="1.0.0", public_base_url=None))
    manifest = build_manifest(
        APP_ID, version="1.0.0", public_base_url=None, extra_commands=commands
    )
    assert titles(manifest) == {
        "personal": base["personal"],
        "team": [*base["team"], "ekstra"],
    }
    assert _schema_errors(manifest) == []
    with pytest.raises(ManifestError):
        build_manifest(
            APP_ID,
            version="1.0.0",
            public_base_url=None,
            extra_commands=[
                BotCommand(f"ekstra{i}", "x") for i in range(11 - len(base["personal"]))
            ],
        )


@pytest.mark.parametrize(
    "commands",
    [
        [BotCommand("Hjelp", "igjen")],
        [BotCommand(f"kommando{i}", "x") for i in range(10)],
        [BotCommand("gruppe", "x", scopes=frozenset({"groupChat"}))],
        [BotCommand(" ", "x")],
    ],
)
def test_bad_extra_commands_are_refused(commands: list[BotCommand]) -> None:
    with pytest.raises(ManifestError):
        build_manifest(APP_ID, version="1.0.0", public_base_url=None, extra_commands=commands)


def test_urls_and_valid_domains_come_from_the_public_base_url() -> None:
    manifest = build_manifest(
        APP_ID, version="1.0.0", public_base_url="https://Bot.Kommune.no:8443/kv/"
    )
    assert manifest["developer"] | {"name": "-"} == {
        "name": "-",
        "websiteUrl": "https://bot.kommune.no:8443/kv/",
        "privacyUrl": "https://bot.kommune.no:8443/kv/personvern",
        "termsOfUseUrl": "https://bot.kommune.no:8443/kv/vilkar",
    }
    assert manifest["validDomains"] == ["bot.kommune.no:8443"]


def test_without_public_base_url_developer_urls_fall_back_and_no_valid_domains() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    assert manifest["developer"]["websiteUrl"] == "https://kontraktsvakt.no"
    assert manifest["developer"]["privacyUrl"] == "https://kontraktsvakt.no/personvern"
    assert manifest["developer"]["termsOfUseUrl"] == "https://kontraktsvakt.no/vilkar"
    assert "validDomains" not in manifest


@pytest.mark.parametrize(
    "app_id",
    [
        "",
        "not-a-guid",
        "3f2504e0-4f89-41d3-9a0c-0305e82c330",
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301\n",
        "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",
        "3f2504e04f8941d39a0c0305e82c3301",
        "3f2504e0-4f89-41d3-9a0c-0305e82c330g",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_bad_app_id_is_refused(app_id: str, tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="GUID"):
        build_package(app_id, tmp_path / "app.zip", version="1.0.0", public_base_url=None)
    assert not (tmp_path / "app.zip").exists()


@pytest.mark.parametrize(
    "version", ["", "1", "1.0", "v1.0.0", "1.0.0-beta", "1.0.0+build", "01.0.0", "1.0.0\n"]
)
def test_bad_version_is_refused(version: str) -> None:
    with pytest.raises(ManifestError, match="version"):
        build_manifest(APP_ID, version=version, public_base_url=None)


@pytest.mark.parametrize(
    "url",
    [
        "http://kontraktsvakt.kommune.no",
        "kontraktsvakt.kommune.no",
        "https://",
        "https://user:secret@kontraktsvakt.kommune.no",
        "https://kontraktsvakt.kommune.no/?x=1",
        "https://kontraktsvakt.kommune.no/#top",
        "https://kontraktsvakt.kommune.no:99999",
        "https://kontraktsvakt .kommune.no",
        "https://[::1",
    ],
)
def test_bad_public_base_url_is_refused(url: str) -> None:
    with pytest.raises(ManifestError, match="https"):
        build_manifest(APP_ID, version="1.0.0", public_base_url=url)


def test_icons_in_package(tmp_path: Path) -> None:
    with _open_package(tmp_path, None) as archive:
        color, outline = archive.read("color.png"), archive.read("outline.png")
    assert color == color_icon_png()
    assert outline == outline_icon_png()
    assert color.startswith(PNG_SIGNATURE)
    assert outline.startswith(PNG_SIGNATURE)

    with Image.open(io.BytesIO(color)) as image:
        assert image.format == "PNG"
        assert image.size == (192, 192)
        assert image.mode == "RGB"
        data = image.tobytes()
    colors = {data[i : i + 3] for i in range(0, len(data), 3)}
    assert bytes.fromhex(ACCENT_COLOR[1:]) in colors
    assert b"\xff\xff\xff" in colors

    with Image.open(io.BytesIO(outline)) as image:
        assert image.format == "PNG"
        assert image.size == (32, 32)
        assert image.mode == "RGBA"
        data = image.tobytes()
    pixels = [data[i : i + 4] for i in range(0, len(data), 4)]
    assert all(p[3] == 0 or p == b"\xff\xff\xff\xff" for p in pixels)
    white = sum(p[3] == 255 for p in pixels)
    assert 50 < white < 32 * 32 / 2, "the outline should be a shape, neither empty nor a block"


def test_packaging_needs_only_the_standard_library(tmp_path: Path) -> None:
    code = (
        "import sys, manifest; from pathlib import Path; "
        f"manifest.build_package({APP_ID!r}, Path(sys.argv[1]), version='1.0.0', "
        "public_base_url=None); "
        "assert not {'PIL', 'jsonschema'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.zip")], check=True)
    assert zipfile.is_zipfile(tmp_path / "a.zip")


def test_package_is_reproducible(tmp_path: Path) -> None:
    first = build_package(APP_ID, tmp_path / "a.zip", version="1.0.0", public_base_url=None)
    second = build_package(APP_ID, tmp_path / "b.zip", version="1.0.0", public_base_url=None)
    assert first.read_bytes() == second.read_bytes()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "app.zip"
    args = ["--app-id", APP_ID, "--version", "1.0.0", "--out", str(out)]
    assert main(args) == 0
    assert zipfile.is_zipfile(out)
    assert main([*args[:1], "nope", *args[2:]]) == 2
    assert "not a GUID" in capsys.readouterr().err
