"""The Teams app package offers exactly the commands the bot's router answers to.

Teams shows at most ten commands per scope. The rule: every menu command (`Command.in_menu`)
is listed in each scope it is answered in (`Command.scopes`, narrowed by `Command.menu_scopes`),
with the router's description; when a scope would need more than ten, this test fails and a
command must leave that menu (it is still answered, and `hjelp` still lists it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands import build_router
from bot.conversation.dependencies import BotDependencies
from followup.ports import UnitOfWork
from manifest import MAX_COMMANDS_PER_LIST, build_manifest

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def _no_database() -> UnitOfWork:
    raise AssertionError("building the router must not open a unit of work")


def test_manifest_command_lists_match_the_router() -> None:
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    deps = BotDependencies(
        uow_factory=_no_database,
        clock=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        procurement_addresses=frozenset(),
    )
    router = build_router(deps)
    lists = manifest["bots"][0]["commandLists"]
    assert {scope for command_list in lists for scope in command_list["scopes"]} == {
        scope for command in router.commands for scope in command.scopes
    }
    for command_list in lists:
        listed = {c["title"]: c["description"] for c in command_list["commands"]}
        expected = {
            c.word: c.description
            for c in router.commands
            if any(c.in_menu_of(scope) for scope in command_list["scopes"])
        }
        assert listed == expected, command_list["scopes"]
        assert len(listed) <= MAX_COMMANDS_PER_LIST, command_list["scopes"]


def test_the_menus_offer_what_each_scope_needs_most() -> None:
    """Personal (full at ten): what owners use daily, and procurement's `status`, `forfalt`
    and `avvik`; the rest are typed. Team: procurement's questions, `eksport` and
    `innkjøpskanal`."""
    manifest = build_manifest(APP_ID, version="1.0.0", public_base_url=None)
    lists = {
        cl["scopes"][0]: [c["title"] for c in cl["commands"]]
        for cl in manifest["bots"][0]["commandLists"]
    }
    assert lists == {
        "personal": [
            "hjelp", "mine oppgaver", "kontrakter", "avvik", "status", "forfalt", "plan",
            "fravær", "stedfortreder", "påminnelser",
        ],
        "team": [
            "hjelp", "status", "forfalt", "avvik", "eksport", "plan", "kontrollpunkt",
            "innkjøpskanal",
        ],
    }  # fmt: skip
