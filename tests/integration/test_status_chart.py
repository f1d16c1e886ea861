"""Procurement's `status` card draws the portfolio's state as Teams charts (`Chart.Donut` of the
period's answers, `Chart.VerticalBar` of open deviations by severity) from real answers of the
domain (`tests.portfolio_world`, on SQLite and PostgreSQL): the charts' numbers are the status
facts' numbers, each chart has the shape Teams documents and a fallback, and the card without
its charts (what Web Chat and older clients render) is a valid Adaptive Card 1.5."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.portfolio.cards import CHART_BAR, CHART_DONUT, status_card
from followup.portfolio import PortfolioStatus, portfolio_status, status_for
from followup.views import SEVERITY_ORDER, Scope, StatusTarget, TargetKind
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.card_schema import (
    TEAMS_MESSAGE_LIMIT,
    assert_valid,
    chart_errors,
    charts,
    schema_errors,
    without_charts,
)
from tests.portfolio_world import TODAY, World, build_world

LOCALES = ("nb-NO", "en-GB")


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return build_world(uow_factory)


def _facts(card: dict[str, Any]) -> dict[str, str]:
    (fact_set,) = [e for e in card["body"] if e["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in fact_set["facts"]}


def _chart(card: dict[str, Any], kind: str) -> dict[str, Any] | None:
    found = [c for c in charts(card) if c["type"] == kind]
    assert len(found) <= 1
    return found[0] if found else None


def _whole(uow_factory: SqlAlchemyUnitOfWorkFactory) -> PortfolioStatus:
    with uow_factory() as uow:
        return portfolio_status(uow, Scope.everything(), TODAY)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_charts_show_the_numbers_of_the_facts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World, locale: str
) -> None:
    status = _whole(uow_factory)
    counts = status.counts
    card = status_card(status, "Hele porteføljen", locale)
    assert_valid(card)
    assert len(json.dumps(card, ensure_ascii=False).encode()) < TEAMS_MESSAGE_LIMIT // 4
    facts = _facts(card)

    donut = _chart(card, CHART_DONUT)
    assert donut is not None
    assert chart_errors(donut) == []
    on_time, late, unanswered = (point["value"] for point in donut["data"])
    # «Besvart i tide, siste 90 dager: 2 av 5 (40 %)»
    (on_time_fact,) = [v for k, v in facts.items() if re.match(r"(Besvart i tide|Answered on)", k)]
    shown_on_time, shown_due = map(int, re.findall(r"\d+", on_time_fact)[:2])
    assert (on_time, on_time + late + unanswered) == (shown_on_time, shown_due)
    assert (on_time, late, unanswered) == (
        counts.answered_on_time,
        counts.answered - counts.answered_on_time,
        counts.due_in_period - counts.answered,
    )
    assert min(on_time, late, unanswered) > 0, "the world has some of each"
    # Clients without charts read the same numbers in words, in the card and its text.
    said = donut["fallback"]["text"]
    assert re.findall(r"\d+", said)[1:] == [str(on_time), str(late), str(unanswered)]
    assert said in card["fallbackText"]

    bars = _chart(card, CHART_BAR)
    assert bars is not None
    assert chart_errors(bars) == []
    assert [point["y"] for point in bars["data"]] == [
        counts.open_deviations[s] for s in SEVERITY_ORDER
    ]
    # «Åpne avvik: 3 (kritisk 1 · høy 2 · middels 0 · lav 0)»
    (deviation_fact,) = [v for k, v in facts.items() if k in {"Åpne avvik", "Open deviations"}]
    total, *by_severity = map(int, re.findall(r"\d+", deviation_fact))
    assert [point["y"] for point in bars["data"]] == by_severity
    assert sum(by_severity) == total == counts.open_deviations_total
    assert bars["fallback"] == "drop", "the facts already say it in words"


@pytest.mark.parametrize("locale", LOCALES)
def test_what_clients_without_charts_render_is_a_valid_card(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World, locale: str
) -> None:
    card = status_card(_whole(uow_factory), "Hele porteføljen", locale)
    plain = without_charts(card)
    assert charts(plain) == []
    assert schema_errors(plain) == []
    assert schema_errors(card) != [], "the 1.5 schema does not know charts"
    kinds = [e["type"] for e in plain["body"]]
    assert kinds[:4] == ["TextBlock", "TextBlock", "FactSet", "TextBlock"], "donut → words"
    assert len(plain["body"]) == len(card["body"]) - 1, "the bars are dropped"


def test_no_chart_of_nothing(uow_factory: SqlAlchemyUnitOfWorkFactory, world: World) -> None:
    """A part of the portfolio with nothing due in the period and no open deviation (Ola's
    KOM-5: one follow-up due in December) has neither chart."""
    with uow_factory() as uow:
        part = status_for(
            uow,
            StatusTarget(TargetKind.OWNER, world.ola.id, world.ola.display_name, None),
            Scope.everything(),
            TODAY,
        )
    assert isinstance(part, PortfolioStatus)
    assert part.counts.due_in_period == 0
    assert part.counts.open_deviations_total == 0
    card = status_card(part, "x", "nb-NO")
    assert_valid(card)
    assert charts(card) == []
