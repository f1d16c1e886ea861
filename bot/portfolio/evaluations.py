"""A supplier's evaluations over time on `status <leverandør>` (issue 19): when, which contract,
the overall score, newest first, only of contracts the viewer's scope sees. One statement
(`SupplierEvaluationRepository.for_supplier`), read only for a supplier's status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, cast

from bot.conversation import formatting
from bot.conversation.cards import Card, clip, text_block
from bot.conversation.markdown import plain
from bot.conversation.texts import text
from followup.calendar.workdays import oslo_today
from followup.checks.evaluation_models import EvaluationLine
from followup.checks.ports import EvaluationUnitOfWork
from followup.ports import UnitOfWork
from followup.views import Scope

READ_LIMIT: Final = 200
"""Evaluations read (then filtered by scope)."""
SHOWN: Final = 8


def supplier_evaluations(uow: UnitOfWork, supplier_id: str, scope: Scope) -> list[EvaluationLine]:
    """The supplier's evaluations the scope sees, newest first (at most `SHOWN`)."""
    if not hasattr(uow, "supplier_evaluations"):  # pragma: no cover - storage's has one
        return []
    found = cast(EvaluationUnitOfWork, uow).supplier_evaluations.for_supplier(
        supplier_id, READ_LIMIT
    )
    return [line for line in found if _sees(scope, line)][:SHOWN]


def _sees(scope: Scope, line: EvaluationLine) -> bool:
    """`Scope.sees` for a listed line (the same rule as the SQL)."""
    people = {line.owner_id, line.deputy_id, line.manager_id} - {None}
    return all(people & s for s in scope.people_sets)


def with_evaluations(card: Card, lines: Sequence[EvaluationLine], locale: str | None) -> Card:
    """The status card with the evaluations added at the end of its body (nothing when none)."""
    if not lines:
        return card
    shown = [
        text(
            "evaluation.status.line",
            locale,
            when=formatting.numeric(oslo_today(line.evaluated_at), locale),
            reference=plain(clip(line.reference, 60), line_starts=False),
            overall=line.overall,
        )
        for line in lines
    ]
    title = text("evaluation.status.title", locale)
    card["body"].append(text_block(title, weight="Bolder", separator=True, spacing="Medium"))
    card["body"].append(text_block("\n\n".join(f"- {line}" for line in shown), spacing="Small"))
    card["fallbackText"] = "\n".join([card.get("fallbackText", ""), title, *shown]).strip()
    return card


__all__ = ["supplier_evaluations", "with_evaluations"]
