"""Adaptive Card 1.5 validation for the tests: `assert_valid` (a card the bot may send) and
`schema_errors` (what the schema says is wrong).

The schema is Microsoft's, kept in ``shared/schemas/adaptivecards/1.5.0/`` beside the
repository. It declares draft-06; like the manifest test, cards are validated with the declared
draft and with draft-07, and references resolve locally only.

Teams also draws chart elements (`Chart.Donut`, `Chart.VerticalBar` …, Microsoft Learn:
"Charts in Adaptive Cards") that the 1.5 schema does not know. A card with charts is validated
as a client without them sees it (`without_charts`: each chart replaced by its `fallback`, or
dropped), and each chart against the properties Teams documents (`chart_errors`).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft7Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

SCHEMA = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "schemas"
    / "adaptivecards"
    / "1.5.0"
    / "adaptive-card.json"
)
TEAMS_MESSAGE_LIMIT = 28_000


def _no_network(uri: str) -> Resource:
    raise LookupError(f"remote $ref {uri!r}: only the local schema copy may be used")


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def schema_errors(card: dict[str, Any]) -> list[str]:
    schema = _schema()
    registry: Registry[Any] = Registry(retrieve=_no_network).with_resource(
        schema["id"], Resource.from_contents(schema, default_specification=DRAFT6)
    )
    errors = []
    for cls in (validator_for(schema), Draft7Validator):
        validator = cls(schema, registry=registry)
        errors += [
            f"{cls.__name__}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in validator.iter_errors(card)
        ]
    return errors


# --- charts (Teams) -------------------------------------------------------------------------

_COMMON: Final = frozenset(
    {
        "type", "title", "colorSet", "fallback", "grid.area", "height", "horizontalAlignment",
        "id", "isVisible", "lang", "requires", "separator", "spacing", "targetWidth",
    }
)  # fmt: skip
_BARS: Final = _COMMON | {"color", "data", "showBarValues", "xAxisTitle", "yAxisTitle"}
CHART_PROPERTIES: Final = {
    "Chart.Donut": _COMMON | {"data"},
    "Chart.Pie": _COMMON | {"data"},
    "Chart.VerticalBar": _BARS,
    "Chart.HorizontalBar": _BARS | {"displayMode"},
    "Chart.Gauge": _COMMON
    | {"max", "min", "segments", "showLegend", "showMinMax", "subLabel", "value", "valueFormat"},
}
"""The properties Microsoft documents for each chart element the bot may send."""
_POINTS: Final = {
    "Chart.Donut": ({"legend", "value"}, {"color"}),
    "Chart.Pie": ({"legend", "value"}, {"color"}),
    "Chart.VerticalBar": ({"x", "y"}, {"color"}),
    "Chart.HorizontalBar": ({"x", "y"}, {"color"}),
}
"""A data point's required and optional properties, per chart."""
CHART_COLOURS: Final = frozenset(
    {
        "good", "warning", "attention", "neutral", "categoricalRed", "categoricalPurple",
        "categoricalLavender", "categoricalBlue", "categoricalLightBlue", "categoricalTeal",
        "categoricalGreen", "categoricalLime", "categoricalMarigold", "sequential1",
        "sequential2", "sequential3", "sequential4", "sequential5", "sequential6", "sequential7",
        "sequential8", "divergingBlue", "divergingLightBlue", "divergingCyan", "divergingTeal",
        "divergingYellow", "divergingPeach", "divergingLightRed", "divergingRed",
        "divergingMaroon", "divergingGray",
    }
)  # fmt: skip
_SPACINGS: Final = frozenset(
    {"None", "ExtraSmall", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
)


def _is_chart(node: Any) -> bool:
    return isinstance(node, dict) and str(node.get("type", "")).startswith("Chart.")


def charts(card: Any) -> list[dict[str, Any]]:
    """Every chart element in `card` (fallbacks included), in document order."""
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if _is_chart(card):
            found.append(card)
        for value in card.values():
            found += charts(value)
    elif isinstance(card, list):
        for value in card:
            found += charts(value)
    return found


_DROPPED: Final = object()


def _replaced(node: Any) -> Any:
    if isinstance(node, list):
        kept = [_replaced(item) for item in node]
        return [item for item in kept if item is not _DROPPED]
    if not isinstance(node, dict):
        return node
    if _is_chart(node):
        fallback = node.get("fallback")
        assert fallback is not None, (
            f"{node['type']} has no fallback: a client without charts would show the whole "
            "card's fallbackText instead of the card"
        )
        return _DROPPED if fallback == "drop" else _replaced(fallback)
    return {key: _replaced(value) for key, value in node.items()}


def without_charts(card: dict[str, Any]) -> dict[str, Any]:
    """`card` as a client without charts renders it: each `Chart.*` element replaced by its
    `fallback` element, or left out when that is `"drop"` (a chart without one fails)."""
    replaced: dict[str, Any] = _replaced(copy.deepcopy(card))
    return replaced


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def chart_errors(chart: dict[str, Any]) -> list[str]:
    """What is wrong with a chart element, against the properties Teams documents."""
    kind = chart.get("type")
    allowed = CHART_PROPERTIES.get(str(kind))
    if allowed is None:
        return [f"{kind}: not a chart type the bot sends"]
    errors = [f"{kind}: unknown property {key!r}" for key in chart if key not in allowed]
    if not isinstance(chart.get("title", ""), str):
        errors.append(f"{kind}: title must be text")
    if "spacing" in chart and chart["spacing"] not in _SPACINGS:
        errors.append(f"{kind}: spacing {chart['spacing']!r}")
    if "color" in chart and chart["color"] not in CHART_COLOURS:
        errors.append(f"{kind}: colour {chart['color']!r}")
    fallback = chart.get("fallback")
    if fallback != "drop" and not (isinstance(fallback, dict) and "type" in fallback):
        errors.append(f"{kind}: fallback must be an element or 'drop'")
    if kind in _POINTS:
        required, optional = _POINTS[str(kind)]
        data = chart.get("data")
        if not isinstance(data, list) or not data:
            return [*errors, f"{kind}: data must be a non-empty list"]
        for i, point in enumerate(data):
            if not isinstance(point, dict):
                errors.append(f"{kind}: data[{i}] is not an object")
                continue
            if missing := required - point.keys():
                errors.append(f"{kind}: data[{i}] lacks {sorted(missing)}")
            if extra := point.keys() - required - optional:
                errors.append(f"{kind}: data[{i}] has unknown {sorted(extra)}")
            number = "value" if "value" in required else "y"
            if not _number(point.get(number)) or point.get(number, 0) < 0:
                errors.append(f"{kind}: data[{i}].{number} must be a number of at least 0")
            label = point.get("legend", point.get("x"))
            if not isinstance(label, str | int | float) or not str(label).strip():
                errors.append(f"{kind}: data[{i}] needs a label")
            if "color" in point and point["color"] not in CHART_COLOURS:
                errors.append(f"{kind}: data[{i}] colour {point['color']!r}")
    return errors


def assert_valid(card: dict[str, Any]) -> None:
    """A card the bot may send: Adaptive Card 1.5 as clients without charts see it, and each
    chart as Teams documents it."""
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["fallbackText"].strip()
    assert schema_errors(without_charts(card)) == []
    assert [e for chart in charts(card) for e in chart_errors(chart)] == []
