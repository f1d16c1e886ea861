"""The test helpers that check Teams charts (`tests.card_schema`): a card is validated as a
client without charts renders it (each chart replaced by its fallback, or dropped), and each
chart against the properties Microsoft documents; a chart without a fallback is refused (a
client that does not know it would drop the whole card for its `fallbackText`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.card_schema import assert_valid, chart_errors, charts, schema_errors, without_charts


def _donut(**changes: Any) -> dict[str, Any]:
    return {
        "type": "Chart.Donut",
        "title": "Svar",
        "data": [
            {"legend": "Besvart i tide", "value": 3, "color": "good"},
            {"legend": "Ikke besvart", "value": 1, "color": "attention"},
        ],
        "fallback": {"type": "TextBlock", "text": "3 besvart i tide, 1 ikke besvart."},
        **changes,
    }


def _card(*body: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Status"}, *body],
        "fallbackText": "Status",
    }


def test_a_chart_is_replaced_by_its_fallback_or_dropped() -> None:
    bars = {
        "type": "Chart.VerticalBar",
        "title": "Avvik",
        "data": [{"x": "kritisk", "y": 1, "color": "divergingMaroon"}],
        "fallback": "drop",
    }
    card = _card(_donut(), {"type": "Container", "items": [bars]})
    assert schema_errors(card) != []
    plain = without_charts(card)
    assert plain["body"][1] == _donut()["fallback"]
    assert plain["body"][2] == {"type": "Container", "items": []}
    assert charts(plain) == []
    assert len(charts(card)) == 2, "the original is left as it was"
    assert_valid(card)


def test_a_chart_without_a_fallback_fails() -> None:
    card = _card({k: v for k, v in _donut().items() if k != "fallback"})
    with pytest.raises(AssertionError, match="no fallback"):
        assert_valid(card)


@pytest.mark.parametrize(
    ("chart", "complaint"),
    [
        (_donut(colour="good"), "unknown property 'colour'"),
        (_donut(data=[]), "non-empty"),
        (_donut(data=[{"legend": "x", "value": -1}]), "at least 0"),
        (_donut(data=[{"legend": "x", "value": "3"}]), "at least 0"),
        (_donut(data=[{"value": 3}]), "lacks ['legend']"),
        (_donut(data=[{"legend": "x", "value": 3, "colour": "good"}]), "unknown ['colour']"),
        (_donut(data=[{"legend": "x", "value": 3, "color": "red"}]), "colour 'red'"),
        (_donut(fallback="nothing"), "fallback"),
        (_donut(spacing="Huge"), "spacing"),
        ({"type": "Chart.Radar", "fallback": "drop"}, "not a chart type"),
    ],
)
def test_a_chart_is_checked_against_what_teams_documents(
    chart: dict[str, Any], complaint: str
) -> None:
    errors = chart_errors(chart)
    assert any(complaint in e for e in errors), errors
    with pytest.raises(AssertionError):
        assert_valid(_card(chart))


def test_a_documented_chart_passes() -> None:
    assert chart_errors(_donut(spacing="Medium", colorSet="categorical")) == []
