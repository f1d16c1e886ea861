"""Adaptive Card 1.5 validation for the tests: `assert_valid` (a card the bot may send) and
`schema_errors` (what the schema says is wrong).

The schema is Microsoft's, kept in ``shared/schemas/adaptivecards/1.5.0/`` beside the
repository. It declares draft-06; like the manifest test, cards are validated with the declared
draft and with draft-07, and references resolve locally only.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

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


def assert_valid(card: dict[str, Any]) -> None:
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["fallbackText"].strip()
    assert schema_errors(card) == []
