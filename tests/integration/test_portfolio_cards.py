"""Procurement's cards are valid Adaptive Cards 1.5 that fit in a Teams message, in Norwegian and
English, drawn from real answers of the domain (the small world of `tests.portfolio_world`, on
SQLite and PostgreSQL); the words of `avvik …`; the people behind a channel's members; and
the short memory of who is in a channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.portfolio import texts as texts_portfolio
from bot.portfolio.cards import (
    DEVIATIONS_VERB,
    FILTER_ANY,
    FILTER_OPEN,
    FILTER_SEVERITY,
    HISTORY_VERB,
    OVERDUE_VERB,
    STATUS_VERB,
    DeviationQuery,
    candidates_card,
    deviations_card,
    history_card,
    overdue_card,
    overview_card,
    status_card,
)
from bot.portfolio.commands import ChannelPeopleCache, is_deviation_list, read_deviation_words
from followup.channel_members import ChannelMember, ChannelPeople, people_in_channel
from followup.models import DeviationCategory, Severity
from followup.portfolio import (
    ContractOverview,
    PortfolioStatus,
    list_deviations,
    list_overdue,
    portfolio_status,
    resolve_status_target,
    status_for,
)
from followup.views import PageRequest, Scope, StatusTarget, Subset, TargetKind
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.card_schema import TEAMS_MESSAGE_LIMIT, assert_valid
from tests.portfolio_world import TODAY, World, build_world

EVERYTHING = Scope.everything()
LOCALES = ("nb-NO", "en-GB")


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return build_world(uow_factory)


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def _buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["title"]: n for n in _walk(card) if n.get("type") == "Action.Execute"}


def _checked(card: dict[str, Any]) -> dict[str, Any]:
    assert_valid(card)
    size = len(json.dumps(card, ensure_ascii=False).encode()) + len(card["fallbackText"].encode())
    assert size < TEAMS_MESSAGE_LIMIT
    for action in _walk(card):
        if action.get("type") == "Action.Execute":
            # The fallback for clients without Universal Actions carries the same.
            assert action["fallback"]["data"] == {**action["data"], "verb": action["verb"]}
    return card


@pytest.mark.parametrize("locale", LOCALES)
def test_every_portfolio_card_is_valid(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    world: World,
    locale: str,
) -> None:
    supplier = StatusTarget(
        TargetKind.SUPPLIER, world.supplier_ids["Fjordbygg AS"], "Fjordbygg AS", "974600951"
    )
    contract = StatusTarget(
        TargetKind.CONTRACT, world.contracts["KOM-1"], "KOM-1", "Kontorrekvisita"
    )
    with uow_factory() as uow:
        whole = portfolio_status(uow, EVERYTHING, TODAY)
        part = status_for(uow, supplier, EVERYTHING, TODAY)
        overview = status_for(uow, contract, EVERYTHING, TODAY, history=PageRequest(size=2))
        overdue = list_overdue(uow, EVERYTHING, TODAY, PageRequest(size=2))
        nothing_overdue = list_overdue(uow, Scope.nothing(), TODAY)
        deviations = {
            query: list_deviations(
                uow,
                EVERYTHING,
                open_only=query.open_only,
                category=query.category.value if query.category else None,
                severity=query.severity,
                page=PageRequest(size=2),
            )
            for query in (
                DeviationQuery(),
                DeviationQuery(open_only=False),
                DeviationQuery(severity=Severity.CRITICAL),
                DeviationQuery(category=DeviationCategory.DEFECT, severity=Severity.LOW),
            )
        }
        ambiguous = resolve_status_target(uow, "fjord", EVERYTHING)
    assert isinstance(part, PortfolioStatus)
    assert isinstance(overview, ContractOverview)

    card = _checked(status_card(whole, "Hele porteføljen", locale, note="I kanalen …"))
    assert {b["verb"] for b in _buttons(card).values()} == {OVERDUE_VERB, DEVIATIONS_VERB}
    card = _checked(status_card(part, "x", locale))
    assert {"target": "supplier", "key": supplier.key}.items() <= (
        _buttons(card)[next(iter(_buttons(card)))]["data"].items()
    )
    card = _checked(overview_card(overview, locale))
    assert any(b["verb"] == HISTORY_VERB for b in _buttons(card).values())
    _checked(history_card(overview, locale, offset=2))

    card = _checked(overdue_card(overdue, "Hele porteføljen", None, locale, offset=0))
    more = [b for b in _buttons(card).values() if b["verb"] == OVERDUE_VERB]
    assert more[0]["data"]["cursor"] == overdue.next_cursor
    assert more[0]["data"]["offset"] == 2
    _checked(overdue_card(nothing_overdue, "x", supplier, locale, offset=0))

    for query, listing in deviations.items():
        card = _checked(deviations_card(listing, query, "x", None, locale, offset=0))
        asked = [b["data"] for b in _buttons(card).values() if b["verb"] == DEVIATIONS_VERB]
        # The filters are drop-downs (showing the query) and one button that lists again.
        assert [d for d in asked if d.get("filter") is True] == [{"filter": True}]
        chosen = {n["id"]: n for n in _walk(card) if n.get("type") == "Input.ChoiceSet"}
        severities = [c["value"] for c in chosen[FILTER_SEVERITY]["choices"]]
        assert Severity.CRITICAL.value in severities
        assert chosen[FILTER_SEVERITY]["value"] == (
            query.severity.value if query.severity else FILTER_ANY
        )
        assert chosen[FILTER_OPEN]["value"] == ("true" if query.open_only else "false")

    assert len(ambiguous.candidates) > 1
    card = _checked(candidates_card("fjord", ambiguous.candidates, STATUS_VERB, {}, locale))
    assert len(_buttons(card)) == len(ambiguous.candidates)


def test_norwegian_and_english_have_the_same_words() -> None:
    assert set(texts_portfolio.NB) == set(texts_portfolio.EN)


@pytest.mark.parametrize(
    ("typed", "open_only", "category", "severity", "rest"),
    [
        ("", True, None, None, ""),
        ("åpne", True, None, None, ""),
        ("alle", False, None, None, ""),
        ("all high delay", False, DeviationCategory.DELAY, Severity.HIGH, ""),
        ("alle feil mengde kritisk", False, DeviationCategory.QUANTITY, Severity.CRITICAL, ""),
        ("HMS lav", True, DeviationCategory.HSE, Severity.LOW, ""),
        ("KOM-2025-0147", True, None, None, "KOM-2025-0147"),
        ("høy Fjordbygg", True, None, Severity.HIGH, "Fjordbygg"),
        ("2", True, None, None, "2"),
    ],
)
def test_the_words_of_avvik(
    typed: str,
    open_only: bool,
    category: DeviationCategory | None,
    severity: Severity | None,
    rest: str,
) -> None:
    read = read_deviation_words(typed)
    assert read.query == DeviationQuery(open_only, category, severity)
    assert read.rest == rest
    assert is_deviation_list(typed) is (rest == "")


def test_channel_people_are_kept_briefly() -> None:
    cache = ChannelPeopleCache(ttl=timedelta(minutes=2), size=2)
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    people = ChannelPeople(frozenset({"a"}), 0)
    cache.put("19:x", people, now)
    assert cache.get("19:x", now + timedelta(seconds=119)) == people
    assert cache.get("19:x", now + timedelta(minutes=2)) is None
    for key in ("1", "2", "3"):
        cache.put(key, people, now)
    assert cache.get("1", now) is None  # the oldest goes first
    assert cache.get("3", now) == people


def test_channel_members_are_mapped_to_people(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    world: World,
) -> None:
    with uow_factory() as uow:
        per = world.per.model_copy(update={"entra_object_id": "aad-per", "email": None})
        uow.people.update(per, datetime(2026, 11, 23, tzinfo=UTC))
        uow.commit()
    members = [
        ChannelMember("29:kari", email="KARI.NORDMANN@fjordvik.kommune.no"),
        ChannelMember("29:liv", upn=world.liv.email),
        ChannelMember("29:per", entra_object_id="aad-per"),
        ChannelMember("29:guest", email="gjest@leverandor.no"),
        ChannelMember("28:bot"),
    ]
    with uow_factory() as uow:
        found = people_in_channel(uow, members)
    assert found == ChannelPeople(frozenset({world.kari.id, world.liv.id, world.per.id}), 1)


def test_status_of_a_subset_keeps_the_subset_on_its_buttons(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    world: World,
) -> None:
    with uow_factory() as uow:
        status = portfolio_status(uow, EVERYTHING, TODAY, subset=Subset(unit="Oppvekst"))
    target = StatusTarget(TargetKind.UNIT, "Oppvekst", "Oppvekst")
    card = status_card(
        PortfolioStatus(status.window, status.subset, status.counts, status.unreachable, target),
        "x",
        "nb-NO",
    )
    for button in _buttons(card).values():
        if button["verb"] != STATUS_VERB:
            assert button["data"]["target"] == "unit"
            assert button["data"]["key"] == "Oppvekst"
