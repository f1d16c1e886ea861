"""The Teams app package offers exactly the commands the bot's router answers to."""

from __future__ import annotations

from bot.router import CommandRouter
from manifest import build_manifest

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def test_manifest_command_lists_match_the_router() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    router = CommandRouter()
    for command_list in manifest["bots"][0]["commandLists"]:
        titles = {c["title"] for c in command_list["commands"]}
        expected = {c.word for c in router.commands if set(c.scopes) & set(command_list["scopes"])}
        assert titles == expected, command_list["scopes"]
