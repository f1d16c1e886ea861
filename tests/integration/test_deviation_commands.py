"""Deviations around the dialog: the words (every refusal has a text, in both languages), the
alert card for the procurement channels, Markdown escaping, short codes, the typed choices,
and the commands `avvik` and `avviksstatus` driven by the TestAdapter on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot.commands import build_router
from bot.conversation.dependencies import BotDependencies
from bot.conversation.markdown import plain
from bot.conversation.texts import text
from bot.deviations import texts as texts_deviations
from bot.deviations.cards import DeviationCards
from bot.deviations.commands import read_status
from bot.deviations.replies import refusal_reply
from followup.deviations.codes import shown_code
from followup.deviations.intake import (
    IntakeRefusal,
    IntakeRefused,
    deviation_by_code,
    parse_code,
    read_category,
    read_remedy,
    read_severity,
    read_yes_no,
    short_code,
)
from followup.deviations.services import (
    DeviationAlert,
    DeviationRefusal,
    DeviationRefused,
    ReportDeviation,
    report_deviation,
)
from followup.models import (
    Category,
    Checkpoint,
    Contract,
    ContractType,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    Person,
    Remedy,
    Severity,
    Supplier,
    new_id,
)
from followup.ports import UnitOfWork
from tests.card_schema import assert_valid
from tests.chat import Chat, kari_world, one, start_bot
from tests.worlds import NOW, World

# --- words ---------------------------------------------------------------------------------------

VALUES: dict[str, dict[str, object]] = {
    DeviationRefusal.UNKNOWN_CATEGORY: {"value": "x"},
    DeviationRefusal.UNKNOWN_SEVERITY: {"value": "x"},
    DeviationRefusal.UNKNOWN_REMEDY: {"value": "x"},
    DeviationRefusal.UNKNOWN_STATUS: {"value": "x"},
    DeviationRefusal.DESCRIPTION_TOO_LONG: {"length": 4001, "limit": 4000},
    DeviationRefusal.NOTE_TOO_LONG: {"length": 2001, "limit": 2000},
    DeviationRefusal.DATE_TOO_OLD: {"years": 5},
    DeviationRefusal.DATE_BEFORE_CONTRACT: {"start": "2026-01-01"},
    DeviationRefusal.INVALID_TRANSITION: {"from_status": "closed", "to_status": "in_progress"},
}
"""The values each refusal is raised with (the docstrings of the codes); the rest have none."""


@pytest.mark.parametrize("locale", ["nb-NO", "en-GB"])
@pytest.mark.parametrize("reason", list(DeviationRefusal))
def test_every_deviation_refusal_has_its_own_text(reason: DeviationRefusal, locale: str) -> None:
    said = refusal_reply(DeviationRefused(reason, **VALUES.get(reason, {})), locale)
    assert said != text("error.domain", locale)
    assert "{" not in said


@pytest.mark.parametrize("locale", ["nb-NO", "en-GB"])
def test_the_intake_refusals_have_texts(locale: str) -> None:
    closed = refusal_reply(IntakeRefused(IntakeRefusal.FOLLOW_UP_CLOSED, reference="KOM-1"), locale)
    ambiguous = refusal_reply(
        IntakeRefused(IntakeRefusal.CODE_AMBIGUOUS, short="ab", count=2), locale
    )
    assert "KOM-1" in closed
    assert "ab" in ambiguous
    assert text("error.domain", locale) not in (closed, ambiguous)


def test_dates_and_statuses_in_refusals_are_words() -> None:
    before = DeviationRefused(DeviationRefusal.DATE_BEFORE_CONTRACT, start="2026-01-01")
    moved = DeviationRefused(
        DeviationRefusal.INVALID_TRANSITION, from_status="closed", to_status="in_progress"
    )
    assert "01.01.2026" in refusal_reply(before, "nb-NO")
    assert "«Lukket» til «Under behandling»" in refusal_reply(moved, "nb-NO")


def test_norwegian_and_english_have_the_same_words() -> None:
    assert set(texts_deviations.NB) == set(texts_deviations.EN)


def test_the_commands_are_answered_but_only_avvik_is_in_the_menu() -> None:
    def no_database() -> UnitOfWork:
        raise AssertionError("building the router must not open a unit of work")

    deps = BotDependencies(
        uow_factory=no_database, clock=lambda: NOW, procurement_addresses=frozenset()
    )
    commands = {c.word: c for c in build_router(deps).commands}
    expected = {
        "meld avvik": ("personal",),
        "avviksstatus": ("personal", "team"),
        "avbryt": ("personal", "team"),
    }
    for word, scopes in expected.items():
        assert commands[word].scopes == scopes
        assert commands[word].in_menu is False
        for locale in ("nb-NO", "en-GB"):
            assert text(f"help.cmd.{word}", locale)
    # `avvik` lists deviations in a channel too (bot.portfolio.commands), and is in both menus.
    assert commands["avvik"].scopes == ("personal", "team")
    assert commands["avvik"].in_menu_of("personal")
    assert commands["avvik"].in_menu_of("team")


# --- the alert card ------------------------------------------------------------------------------


def _alert(description: str, remedy: Remedy | None = Remedy.DAILY_PENALTY) -> DeviationAlert:
    supplier = Supplier(name="Bygg & Anlegg *Sør* AS", organisation_number="974600951")
    kari = Person(display_name="Kari Nordmann", email="kari@fjordvik.kommune.no")
    contract = Contract(
        reference="KOM-2025-0147",
        title="Strøsand til skolene",
        contract_type=ContractType.FRAMEWORK,
        category=Category.GOODS,
        supplier_id=supplier.id,
        owner_id=kari.id,
    )
    checkpoint = Checkpoint(
        contract_id=contract.id,
        code="levering",
        title="Levering av strøsand",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
    )
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id, contract_id=contract.id, due_date=date(2026, 11, 25)
    )
    deviation = Deviation(
        contract_id=contract.id,
        follow_up_id=follow_up.id,
        category=DeviationCategory.QUANTITY,
        severity=Severity.CRITICAL,
        occurred_on=date(2026, 11, 20),
        description=description,
        remedy=remedy,
        reported_by_id=kari.id,
        reported_at=datetime(2026, 11, 23, 9, 42, tzinfo=UTC),
    )
    return DeviationAlert(deviation, contract, supplier, kari, follow_up, checkpoint)


def test_the_alert_is_an_adaptive_card_with_everything_procurement_needs() -> None:
    alert = _alert("3 av 12 paller mangler.\n<script>alert(1)</script> **fet**")

    message = DeviationCards().deviation_alert(alert)

    assert message.card is not None
    assert_valid(message.card)
    assert message.text == "Kritisk avvik på KOM-2025-0147"
    body = json.dumps(message.card["body"], ensure_ascii=False)
    for shown in (
        "Kritisk avvik på KOM-2025-0147",
        "Strøsand til skolene",
        "Bygg & Anlegg \\\\*Sør\\\\* AS",
        "Kritisk",
        "Feil mengde",
        "fredag 20. november 2026",
        "Dagmulkt (dagbot)",
        "Kari Nordmann",
        "Levering av strøsand, frist ons. 25.11.",
        shown_code(alert.deviation),
        "man. 23.11. kl. 10.42",
        "\\\\<script>alert(1)\\\\</script> \\\\*\\\\*fet\\\\*\\\\*",
        f"avviksstatus {shown_code(alert.deviation)} under behandling",
    ):
        assert shown in body, shown
    assert not re.search(r"(?<!\\)<script>", body), "every `<` is escaped where it is rendered"
    fallback = message.card["fallbackText"]
    assert "Bygg & Anlegg *Sør* AS" in fallback, "plain text keeps what was written"
    assert "<script>alert(1)</script>" in fallback


def test_an_alert_without_remedy_supplier_or_follow_up() -> None:
    full = _alert("Kort.", remedy=None)
    bare = DeviationAlert(full.deviation, full.contract, None, full.reporter, None, None)
    card = DeviationCards().deviation_alert(bare).card
    assert card is not None
    assert_valid(card)
    shown = json.dumps(card, ensure_ascii=False)
    assert "Ingen forslag" in shown
    assert "Leverandør" not in shown
    assert "Oppfølging" not in shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("**fet** _kursiv_ `kode`", "\\*\\*fet\\*\\* \\_kursiv\\_ \\`kode\\`"),
        ("[lenke](http://x.example)", "\\[lenke\\](http://x.example)"),
        ("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
        ("# overskrift\n- punkt\n1. nummer", "\\# overskrift\n\\- punkt\n1\\. nummer"),
        ("A & B | C ~ D", "A & B \\| C \\~ D"),
        ("A &amp; B", "A \\&amp; B"),
        ("KOM-2025-0147, 3.5 tonn", "KOM-2025-0147, 3.5 tonn"),
    ],
)
def test_plain_escapes_markdown(typed: str, shown: str) -> None:
    assert plain(typed) == shown


# --- typed choices and codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("1", DeviationCategory.DELAY),
        ("forsinket_levering", DeviationCategory.DELAY),
        ("Mangel / kvalitetsavvik", DeviationCategory.DEFECT),
        ("kvalitet", DeviationCategory.DEFECT),
        ("HMS-avvik", DeviationCategory.HSE),
        ("hms", DeviationCategory.HSE),
        ("Seriøsitetsavvik.", DeviationCategory.INTEGRITY),
        ("faktura", DeviationCategory.PRICE),
        ("9", DeviationCategory.OTHER),
        ("health and safety", DeviationCategory.HSE),
        ("dok", DeviationCategory.DOCUMENTATION),
        ("10", None),
        ("0", None),
        ("blå", None),
        ("", None),
    ],
)
def test_read_category(typed: str, category: DeviationCategory | None) -> None:
    assert read_category(typed) is category


def test_read_severity_remedy_and_yes_no() -> None:
    assert read_severity("Høy") is Severity.HIGH
    assert read_severity("hoy") is Severity.HIGH
    assert read_severity("4") is Severity.CRITICAL
    assert read_severity("critical") is Severity.CRITICAL
    assert read_severity("5") is None
    assert read_remedy("dagbot") == (True, Remedy.DAILY_PENALTY)
    assert read_remedy("Dagmulkt (dagbot)") == (True, Remedy.DAILY_PENALTY)
    assert read_remedy("1") == (True, Remedy.NOTICE)
    assert read_remedy("10") == (True, Remedy.NO_RENEWAL)
    assert read_remedy("11") == (True, None)
    assert read_remedy("Ingen forslag") == (True, None)
    assert read_remedy("kanskje") == (False, None)
    assert read_yes_no("Ja!") is True
    assert read_yes_no("nei") is False
    assert read_yes_no("kanskje") is None


@pytest.mark.parametrize(
    ("rest", "status", "note"),
    [
        ("under behandling", DeviationStatus.IN_PROGRESS, ""),
        ("Under behandling: ringt leverandøren", DeviationStatus.IN_PROGRESS, "ringt leverandøren"),
        ("lukket Levert i dag", DeviationStatus.CLOSED, "Levert i dag"),
        ("in progress", DeviationStatus.IN_PROGRESS, ""),
        ("åpen igjen", DeviationStatus.OPEN, "igjen"),
        ("reopen – feil igjen", DeviationStatus.OPEN, "feil igjen"),
        ("kanskje", None, "kanskje"),
    ],
)
def test_read_status(rest: str, status: DeviationStatus | None, note: str) -> None:
    assert read_status(rest) == (status, note)


def test_the_short_code_is_the_random_end_of_the_id() -> None:
    first, second = new_id(), new_id()
    assert first[:8] == second[:8], "made within the same four seconds: the same start"
    assert short_code(first) != short_code(second)
    assert short_code(first) == first[-8:]
    assert parse_code(f"#{short_code(first).upper()}") == short_code(first)
    assert parse_code(first) == first
    assert parse_code("3f9c2b1") is None
    assert parse_code("KOM-2025-0147") is None


@pytest.fixture
def world(db_engine: Engine) -> World:
    return kari_world(db_engine)


@pytest.fixture
def chat(world: World, db_url: str) -> Iterator[Chat]:
    made = start_bot(db_url)
    yield made
    made.engine.dispose()


class _NoAlerts:
    def deviation_alert(self, alert: DeviationAlert) -> object:
        raise AssertionError("low deviations are not alerted")


def _report(world: World, description: str = "Sent levert.") -> Deviation:
    command = ReportDeviation(
        person_id=world.owner.id,
        contract_id=world.contract.id,
        category=DeviationCategory.DELAY,
        severity=Severity.LOW,
        occurred_on=date(2026, 11, 20),
        description=description,
    )
    with world.uow_factory() as uow:
        reported = report_deviation(
            command,
            uow,
            NOW,
            alert_renderer=_NoAlerts(),  # type: ignore[arg-type]
        )
        uow.commit()
    return reported.deviation


def _by_code(world: World, code: str) -> Deviation:
    with world.uow_factory() as uow:
        return deviation_by_code(code, uow)


def test_a_deviation_is_found_by_its_code_or_id(world: World) -> None:
    deviation = _report(world)
    assert _by_code(world, str(deviation.code)).id == deviation.id
    assert _by_code(world, f"#{short_code(deviation.id).upper()}").id == (deviation.id)
    assert _by_code(world, deviation.id).id == deviation.id
    with pytest.raises(DeviationRefused) as unknown:
        _by_code(world, "00000000")
    assert unknown.value.reason is DeviationRefusal.UNKNOWN_DEVIATION
    with pytest.raises(DeviationRefused):
        _by_code(world, "%%%%%%%%")


def test_deviations_are_numbered_per_year_and_found_by_their_number(world: World) -> None:
    first, second = _report(world, "Først."), _report(world, "Så.")
    assert (first.code, second.code) == ("AV-2026-0001", "AV-2026-0002")
    for typed in ("AV-2026-0002", "av-2026-2", "#AV-2026-0002", "AV 2026-0002", "av2026-02"):
        assert _by_code(world, typed).id == second.id, typed
    with pytest.raises(DeviationRefused) as unknown:
        _by_code(world, "AV-2026-0003")
    assert unknown.value.reason is DeviationRefusal.UNKNOWN_DEVIATION
    # The older hex code, shown on cards already sent, still names the deviation.
    assert _by_code(world, short_code(first.id)).id == first.id


def test_a_new_year_starts_a_new_series(world: World) -> None:
    _report(world)
    command = ReportDeviation(
        person_id=world.owner.id,
        contract_id=world.contract.id,
        category=DeviationCategory.DELAY,
        severity=Severity.LOW,
        occurred_on=date(2026, 12, 30),
        description="Etter nyttår.",
    )
    # 23:30 UTC on New Year's Eve is already 2027 in Oslo.
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with world.uow_factory() as uow:
        reported = report_deviation(command, uow, new_year, alert_renderer=_NoAlerts())  # type: ignore[arg-type]
        uow.commit()
    assert reported.deviation.code == "AV-2027-0001"


def test_two_deviations_sharing_a_code_ask_for_the_whole_id(world: World) -> None:
    deviation = _report(world)
    twin = deviation.model_copy(
        update={
            "id": "00000000-0000-0000-" + deviation.id[-17:],
            "source_activity_id": None,
            "code": "AV-2099-0001",
        }
    )
    with world.uow_factory() as uow:
        uow.deviations.add(twin)
        uow.commit()
    assert short_code(twin.id) == short_code(deviation.id)
    with pytest.raises(IntakeRefused) as ambiguous:
        _by_code(world, short_code(deviation.id))
    assert ambiguous.value.reason is IntakeRefusal.CODE_AMBIGUOUS
    assert _by_code(world, twin.id).id == twin.id


# --- the commands --------------------------------------------------------------------------------


async def test_avvik_lists_ones_open_deviations_with_their_codes(world: World, chat: Chat) -> None:
    assert "ingen åpne avvik" in one(await chat.say("avvik"))
    deviation = _report(world, "Levert **for sent** <b>igjen</b>")

    (reply,) = await chat.say("avvik")

    card = reply.attachments[0].content
    assert_valid(card)
    body = json.dumps(card["body"], ensure_ascii=False)
    assert "Åpne avvik (1)" in body
    assert str(deviation.code) in body
    assert "KOM-2026-0001" in body
    assert "\\\\*\\\\*for sent\\\\*\\\\*" in body
    assert not re.search(r"(?<!\\)<b>", body)


async def test_avviksstatus_moves_a_deviation_along(world: World, chat: Chat) -> None:
    deviation = _report(world)
    code = str(deviation.code)

    assert "Skriv «avviksstatus *kode* under behandling»" in one(await chat.say("avviksstatus"))
    assert "ikke en avvikskode" in one(await chat.say("avviksstatus KOM-2026-0001 lukket"))
    assert "kjenner jeg ikke" in one(await chat.say(f"avviksstatus {code} kanskje"))
    closed = one(await chat.say(f"avviksstatus {code} lukket Levert i dag"))
    assert f"Avvik {code} på KOM-2026-0001: «Åpent» → «Lukket»" in closed
    assert "Endret av Kari Nordmann" in closed
    assert "Notat: Levert i dag" in closed
    assert "har allerede status «Lukket»" in one(await chat.say(f"avviksstatus {code} lukket"))
    refused = one(await chat.say(f"avviksstatus {code} under behandling"))
    assert "har status «Lukket» og kan ikke bli «Under behandling» direkte" in refused
    too_long = one(await chat.say(f"avviksstatus {code} åpen " + "x" * 2001))
    assert "Notatet er for langt" in too_long
    assert "«Lukket» → «Åpent»" in one(await chat.say(f"avviksstatus {code} gjenåpne"))
    with world.uow_factory() as uow:
        after = uow.deviations.get(deviation.id)
        events = uow.audit.for_entity("deviation", deviation.id)
    assert after is not None
    assert after.status is DeviationStatus.OPEN
    assert after.closed_by_id is None
    assert [e.action for e in events] == [
        "deviation.reported",
        "deviation.updated",
        "deviation.updated",
    ]


async def test_avviksstatus_with_only_a_code_shows_the_history(world: World, chat: Chat) -> None:
    deviation = _report(world)
    code = str(deviation.code)
    one(await chat.say(f"avviksstatus {code} under behandling Ringt **leverandøren**"))

    (reply,) = await chat.say(f"avviksstatus {code}")

    card = reply.attachments[0].content
    assert_valid(card)
    body = json.dumps(card["body"], ensure_ascii=False)
    assert (
        f"Avvik {code} – KOM\\\\-2026\\\\-0001" in body or f"Avvik {code} – KOM-2026-0001" in body
    )
    assert "Meldt av Kari Nordmann" in body
    assert "«Åpent» → «Under behandling»" in body
    assert "Ringt \\\\*\\\\*leverandøren\\\\*\\\\*" in body
