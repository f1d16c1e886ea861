"""The owner's cards: my follow-ups week by week, my contracts, one contract's plan (built
with the card kit, `bot.conversation.cards`; every word from the text catalogue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.conversation import formatting
from bot.conversation.cards import (
    MAX_ITEMS,
    Card,
    CardBudget,
    Element,
    adaptive_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.texts import text
from followup.calendar.cadence import describe_cadence
from followup.models import CheckpointStatus, Contract
from followup.tasks import ContractLine, ContractPlan, PlanLine, TaskItem


def _contract_name(contract: Contract) -> str:
    return f"{contract.reference} {clip(contract.title, 100)}"


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
    body: list[Element] = [title_block(text("tasks.title", locale)), subtle_block(subtitle)]
    lines = [text("tasks.title", locale), subtitle]
    if not items:
        empty = (
            text("tasks.empty_filtered", locale, days=days, filter=narrowed_by)
            if narrowed_by
            else text("tasks.empty", locale, days=days)
        )
        body.append(text_block(empty))
        return adaptive_card(body, "\n".join([*lines, empty]))
    budget = CardBudget(limit)
    for monday, group in task_groups(items, today):
        heading = (
            text("tasks.overdue", locale)
            if monday is None
            else formatting.week_heading(monday, locale)
        )
        heading_block = text_block(
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
        body.append(text_block(more, isSubtle=True, separator=True))
        lines += ["", more]
    return adaptive_card(body, "\n".join(lines))


def _due_text(item: TaskItem, today: date, locale: str | None) -> str:
    when = formatting.due(item.follow_up.due_date, locale)
    key = "tasks.overdue_since" if item.overdue(today) else "tasks.due"
    return text(key, locale, date=when)


def _task(item: TaskItem, today: date, locale: str | None) -> Element:
    overdue = item.overdue(today)
    head = f"**{_due_text(item, today, locale)}** · **{item.contract.reference}** " + clip(
        item.contract.title, 100
    )
    details = [clip(item.checkpoint.title, 100)]
    if item.supplier is not None:
        details.append(text("tasks.supplier", locale, name=clip(item.supplier.name, 80)))
    items: list[Element] = [
        text_block(head, color="Attention") if overdue else text_block(head),
        subtle_block(" · ".join(details)),
    ]
    notes = _task_notes(item, locale)
    if notes:
        items.append(text_block(" · ".join(notes), color="Accent", spacing="None"))
    return {"type": "Container", "items": items, "spacing": "Small"}


def _task_line(item: TaskItem, today: date, locale: str | None) -> str:
    parts = [
        f"- {_due_text(item, today, locale)}: {_contract_name(item.contract)}",
        clip(item.checkpoint.title, 100),
    ]
    if item.supplier is not None:
        parts.append(clip(item.supplier.name, 80))
    parts += _task_notes(item, locale)
    return " – ".join(parts)


def _end(contract: Contract, locale: str | None) -> str:
    if contract.ongoing:
        return text("contracts.ongoing", locale)
    if contract.end_date is None:
        return text("contracts.no_end", locale)
    return formatting.numeric(contract.end_date, locale)


def _contract_facts(line: ContractLine, locale: str | None) -> list[tuple[str, str]]:
    supplier = (
        clip(line.supplier.name, 80) if line.supplier else text("contracts.no_supplier", locale)
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
    body: list[Element] = [title_block(title)]
    plain = [title]
    if not lines and narrowed_by:
        empty = text("contracts.empty_filtered", locale, filter=narrowed_by)
        body.append(text_block(empty))
        return adaptive_card(body, "\n".join([*plain, empty]))
    if not lines:
        empty = text("tasks.no_contracts", locale)
        body.append(text_block(empty))
        return adaptive_card(body, "\n".join([*plain, empty]))
    budget = CardBudget(limit)
    for line in lines:
        facts = _contract_facts(line, locale)
        summary = " · ".join(f"{title}: {value}" for title, value in facts)
        element = {
            "type": "Container",
            "separator": True,
            "items": [text_block(f"**{_contract_name(line.contract)}**"), subtle_block(summary)],
        }
        plain_line = f"- {_contract_name(line.contract)} – {summary}"
        if not budget.take(element, plain_line):
            break
        body.append(element)
        plain.append(plain_line)
    if len(lines) > budget.shown:
        more = text("contracts.more", locale, count=len(lines) - budget.shown)
        body.append(text_block(more, isSubtle=True, separator=True))
        plain.append(more)
    return adaptive_card(body, "\n".join(plain))


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
        "plan.title", locale, reference=contract.reference, title=clip(contract.title, 120)
    )
    header = [
        (
            text("plan.fact.supplier", locale),
            clip(plan.supplier.name, 80)
            if plan.supplier
            else text("contracts.no_supplier", locale),
        ),
        (
            text("plan.fact.owner", locale),
            plan.owner.display_name if plan.owner else text("plan.no_owner", locale),
        ),
        (text("plan.fact.period", locale), _period(contract, locale)),
    ]
    body: list[Element] = [title_block(title), fact_set(header)]
    plain = [title, *(f"{k}: {v}" for k, v in header)]
    if not plan.lines:
        empty = text(
            "plan.empty", locale, reference=contract.reference, title=clip(contract.title, 120)
        )
        body.append(text_block(empty, separator=True))
        return adaptive_card(body, "\n".join([*plain, empty]))
    budget = CardBudget(limit)
    for line in plan.lines:
        element, plain_line = _plan_line(line, locale)
        if not budget.take(element, plain_line):
            break
        body.append(element)
        plain += ["", plain_line]
    if len(plan.lines) > budget.shown:
        more = text("plan.more", locale, count=len(plan.lines) - budget.shown)
        body.append(text_block(more, isSubtle=True, separator=True))
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
            clip(", ".join(checkpoint.evidence)) if checkpoint.evidence else "–",
        ),
        (
            text("plan.fact.next", locale),
            formatting.due(line.next_due, locale)
            if line.next_due
            else text("plan.no_next", locale),
        ),
        (text("plan.fact.status", locale), status),
    ]
    heading = f"**{clip(checkpoint.title, 100)}**"
    if paused:
        heading += f" ({status})"
    items: list[Element] = [
        text_block(heading, color="Warning") if paused else text_block(heading),
        subtle_block(text("plan.code", locale, code=checkpoint.code)),
    ]
    if checkpoint.question:
        items.append(subtle_block(clip(checkpoint.question, 240)))
    items.append(fact_set(facts, spacing="Small"))
    plain = f"- {clip(checkpoint.title, 100)} ({checkpoint.code}): " + " · ".join(
        f"{k}: {v}" for k, v in facts
    )
    return {"type": "Container", "separator": True, "items": items}, plain
