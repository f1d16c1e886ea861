"""Adaptive Cards (schema 1.5, the most Teams renders) for the owners' commands.

Pure functions: domain objects in, a card (a JSON-ready dict) out. Every card carries a
plain-text rendering of itself in `fallbackText`; the sender copies it into the activity's
`summary` as well. Long lists are cut at `MAX_ITEMS` with a line that says how many more there
are and how to narrow the list down. A list is also cut earlier when the card and its text
(twice: `fallbackText` and `summary`) would pass `MAX_BYTES`, well under Teams' ~28 KB message
limit. Every word shown comes from `bot/conversation/texts.py`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.conversation import formatting
from bot.conversation.texts import text
from followup.calendar.cadence import describe_cadence
from followup.models import CheckpointStatus, Contract
from followup.tasks import ContractLine, ContractPlan, PlanLine, TaskItem

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MAX_ITEMS = 40
MAX_BYTES = 22_000
"""What the items of one card may take: their elements plus twice their plain-text lines."""
MAX_FALLBACK = 8000
MAX_FIELD = 160
"""Longest text of one field (a title, a question) shown on a card."""

Card = dict[str, Any]
Element = dict[str, Any]


def adaptive_card(body: list[Element], fallback: str) -> Card:
    if len(fallback) > MAX_FALLBACK:
        fallback = fallback[: MAX_FALLBACK - 1] + "…"
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback,
    }


def _clip(value: str, limit: int = MAX_FIELD) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _block(value: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def _title(value: str) -> Element:
    return _block(value, size="Large", weight="Bolder")


def _subtle(value: str, **style: Any) -> Element:
    return _block(value, isSubtle=True, spacing="None", **style)


def _facts(pairs: Sequence[tuple[str, str]], **style: Any) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": title, "value": value} for title, value in pairs],
        **style,
    }


class _Budget:
    """Counts items onto a card until `MAX_ITEMS` or `MAX_BYTES` is reached."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.shown = 0
        self._bytes = 0

    def take(self, element: Element, line: str) -> bool:
        cost = len(json.dumps(element, ensure_ascii=False).encode()) + 2 * len(line.encode())
        if self.shown >= self.limit or self._bytes + cost > MAX_BYTES:
            return False
        self.shown += 1
        self._bytes += cost
        return True


def _contract_name(contract: Contract) -> str:
    return f"{contract.reference} {_clip(contract.title, 100)}"


# --- my follow-ups ----------------------------------------------------------------------------


def task_groups(items: Sequence[TaskItem], today: date) -> list[tuple[date | None, list[TaskItem]]]:
    """Overdue first (key None), then one group per ISO week (key: its Monday), in order."""
    overdue = [i for i in items if i.overdue(today)]
    groups: list[tuple[date | None, list[TaskItem]]] = [(None, overdue)] if overdue else []
    weeks: dict[date, list[TaskItem]] = {}
    for item in items:
        if not item.overdue(today):
            weeks.setdefault(formatting.monday_of(item.follow_up.due_date), []).append(item)
    groups.extend(sorted(weeks.items()))
    return groups


def _task_notes(item: TaskItem, locale: str | None) -> list[str]:
    notes = []
    if item.covering_for is not None:
        notes.append(text("tasks.covering_for", locale, name=item.covering_for.display_name))
    if item.covered_by is not None:
        notes.append(text("tasks.covered_by", locale, name=item.covered_by.display_name))
    return notes


def tasks_card(
    items: Sequence[TaskItem],
    today: date,
    locale: str | None,
    *,
    days: int,
    narrowed_by: str | None = None,
    limit: int = MAX_ITEMS,
) -> Card:
    """The person's follow-ups: «Forfalt» first, then by ISO week, each with its due date."""
    subtitle = (
        text(
            "tasks.subtitle_filtered",
            locale,
            days=days,
            today=formatting.long(today, locale),
            filter=narrowed_by,
        )
        if narrowed_by
        else text("tasks.subtitle", locale, days=days, today=formatting.long(today, locale))
    )
    body: list[Element] = [_title(text("tasks.title", locale)), _subtle(subtitle)]
    lines = [text("tasks.title", locale), subtitle]
    if not items:
        empty = (
            text("tasks.empty_filtered", locale, days=days, filter=narrowed_by)
            if narrowed_by
            else text("tasks.empty", locale, days=days)
        )
        body.append(_block(empty))
        return adaptive_card(body, "\n".join([*lines, empty]))
    budget = _Budget(limit)
    for monday, group in task_groups(items, today):
        heading = (
            text("tasks.overdue", locale)
            if monday is None
            else formatting.week_heading(monday, locale)
        )
        heading_block = _block(
            heading,
            weight="Bolder",
            separator=True,
            spacing="Medium",
            color="Attention" if monday is None else "Default",
        )
        taken = []
        for item in group:
            element, line = _task(item, today, locale), _task_line(item, today, locale)
            if not budget.take(element, line):
                break
            taken.append((element, line))
        if not taken:
            break
        body.append(heading_block)
        lines += ["", heading]
        for element, line in taken:
            body.append(element)
            lines.append(line)
        if len(taken) < len(group):
            break
    if len(items) > budget.shown:
        more = text("tasks.more", locale, count=len(items) - budget.shown)
        body.append(_block(more, isSubtle=True, separator=True))
        lines += ["", more]
    return adaptive_card(body, "\n".join(lines))


def _due_text(item: TaskItem, today: date, locale: str | None) -> str:
    when = formatting.due(item.follow_up.due_date, locale)
    key = "tasks.overdue_since" if item.overdue(today) else "tasks.due"
    return text(key, locale, date=when)


def _task(item: TaskItem, today: date, locale: str | None) -> Element:
    overdue = item.overdue(today)
    head = f"**{_due_text(item, today, locale)}** · **{item.contract.reference}** " + _clip(
        item.contract.title, 100
    )
    details = [_clip(item.checkpoint.title, 100)]
    if item.supplier is not None:
        details.append(text("tasks.supplier", locale, name=_clip(item.supplier.name, 80)))
    items: list[Element] = [
        _block(head, color="Attention") if overdue else _block(head),
        _subtle(" · ".join(details)),
    ]
    notes = _task_notes(item, locale)
    if notes:
        items.append(_block(" · ".join(notes), color="Accent", spacing="None"))
    return {"type": "Container", "items": items, "spacing": "Small"}


def _task_line(item: TaskItem, today: date, locale: str | None) -> str:
    parts = [
        f"- {_due_text(item, today, locale)}: {_contract_name(item.contract)}",
        _clip(item.checkpoint.title, 100),
    ]
    if item.supplier is not None:
        parts.append(_clip(item.supplier.name, 80))
    parts += _task_notes(item, locale)
    return " – ".join(parts)


# --- my contracts -----------------------------------------------------------------------------


def _end(contract: Contract, locale: str | None) -> str:
    if contract.ongoing:
        return text("contracts.ongoing", locale)
    if contract.end_date is None:
        return text("contracts.no_end", locale)
    return formatting.numeric(contract.end_date, locale)


def _contract_facts(line: ContractLine, locale: str | None) -> list[tuple[str, str]]:
    supplier = (
        _clip(line.supplier.name, 80) if line.supplier else text("contracts.no_supplier", locale)
    )
    next_due = (
        formatting.due(line.next_due, locale) if line.next_due else text("contracts.none", locale)
    )
    return [
        (text("contracts.fact.role", locale), text(f"contracts.role.{line.role}", locale)),
        (text("contracts.fact.supplier", locale), supplier),
        (text("contracts.fact.end", locale), _end(line.contract, locale)),
        (text("contracts.fact.open", locale), str(line.open_follow_ups)),
        (text("contracts.fact.next", locale), next_due),
    ]


def contracts_card(
    lines: Sequence[ContractLine],
    locale: str | None,
    *,
    narrowed_by: str | None = None,
    limit: int = MAX_ITEMS,
) -> Card:
    """The person's contracts with role, supplier, end date, open follow-ups and next due."""
    title = text("contracts.title", locale, count=len(lines))
    body: list[Element] = [_title(title)]
    plain = [title]
    if not lines and narrowed_by:
        empty = text("contracts.empty_filtered", locale, filter=narrowed_by)
        body.append(_block(empty))
        return adaptive_card(body, "\n".join([*plain, empty]))
    if not lines:
        empty = text("tasks.no_contracts", locale)
        body.append(_block(empty))
        return adaptive_card(body, "\n".join([*plain, empty]))
    budget = _Budget(limit)
    for line in lines:
        facts = _contract_facts(line, locale)
        summary = " · ".join(f"{title}: {value}" for title, value in facts)
        element = {
            "type": "Container",
            "separator": True,
            "items": [_block(f"**{_contract_name(line.contract)}**"), _subtle(summary)],
        }
        plain_line = f"- {_contract_name(line.contract)} – {summary}"
        if not budget.take(element, plain_line):
            break
        body.append(element)
        plain.append(plain_line)
    if len(lines) > budget.shown:
        more = text("contracts.more", locale, count=len(lines) - budget.shown)
        body.append(_block(more, isSubtle=True, separator=True))
        plain.append(more)
    return adaptive_card(body, "\n".join(plain))


# --- a contract's plan ------------------------------------------------------------------------


def _period(contract: Contract, locale: str | None) -> str:
    if contract.start_date is None:
        return (
            text(
                "plan.period",
                locale,
                start=text("plan.unknown_date", locale),
                end=_end(contract, locale),
            )
            if contract.end_date
            else text("plan.unknown_date", locale)
        )
    start = formatting.numeric(contract.start_date, locale)
    if contract.ongoing or contract.end_date is None:
        return text("plan.period_open", locale, start=start)
    return text(
        "plan.period", locale, start=start, end=formatting.numeric(contract.end_date, locale)
    )


def plan_card(plan: ContractPlan, locale: str | None, *, limit: int = MAX_ITEMS) -> Card:
    """A contract's checkpoints: cadence in words, evidence asked for, next due date, status."""
    contract = plan.contract
    title = text(
        "plan.title", locale, reference=contract.reference, title=_clip(contract.title, 120)
    )
    header = [
        (
            text("plan.fact.supplier", locale),
            _clip(plan.supplier.name, 80)
            if plan.supplier
            else text("contracts.no_supplier", locale),
        ),
        (
            text("plan.fact.owner", locale),
            plan.owner.display_name if plan.owner else text("plan.no_owner", locale),
        ),
        (text("plan.fact.period", locale), _period(contract, locale)),
    ]
    body: list[Element] = [_title(title), _facts(header)]
    plain = [title, *(f"{k}: {v}" for k, v in header)]
    if not plan.lines:
        empty = text(
            "plan.empty", locale, reference=contract.reference, title=_clip(contract.title, 120)
        )
        body.append(_block(empty, separator=True))
        return adaptive_card(body, "\n".join([*plain, empty]))
    budget = _Budget(limit)
    for line in plan.lines:
        element, plain_line = _plan_line(line, locale)
        if not budget.take(element, plain_line):
            break
        body.append(element)
        plain += ["", plain_line]
    if len(plan.lines) > budget.shown:
        more = text("plan.more", locale, count=len(plan.lines) - budget.shown)
        body.append(_block(more, isSubtle=True, separator=True))
        plain.append(more)
    return adaptive_card(body, "\n".join(plain))


def _plan_line(line: PlanLine, locale: str | None) -> tuple[Element, str]:
    checkpoint = line.checkpoint
    paused = checkpoint.status is CheckpointStatus.PAUSED
    status = text("plan.status.paused" if paused else "plan.status.active", locale)
    facts = [
        (text("plan.fact.cadence", locale), describe_cadence(checkpoint.rrule, locale or "nb")),
        (
            text("plan.fact.evidence", locale),
            _clip(", ".join(checkpoint.evidence)) if checkpoint.evidence else "–",
        ),
        (
            text("plan.fact.next", locale),
            formatting.due(line.next_due, locale)
            if line.next_due
            else text("plan.no_next", locale),
        ),
        (text("plan.fact.status", locale), status),
    ]
    heading = f"**{_clip(checkpoint.title, 100)}**"
    if paused:
        heading += f" ({status})"
    items: list[Element] = [
        _block(heading, color="Warning") if paused else _block(heading),
        _subtle(text("plan.code", locale, code=checkpoint.code)),
    ]
    if checkpoint.question:
        items.append(_subtle(_clip(checkpoint.question, 240)))
    items.append(_facts(facts, spacing="Small"))
    plain = f"- {_clip(checkpoint.title, 100)} ({checkpoint.code}): " + " · ".join(
        f"{k}: {v}" for k, v in facts
    )
    return {"type": "Container", "separator": True, "items": items}, plain
