"""The owner's cards: my follow-ups week by week, my contracts, one contract's plan (built
with the card kit, `bot.conversation.cards`; every word from the text catalogue).

Every open follow-up the person may answer is one compact line with its actions
(`bot.conversation.follow_up_lines`): the first as a button, the rest behind `…`. The first
few on a card carry their actions (`ItemLines`, the card's size), the rest are lines; the
card lists the ones with actions in `cardItems`, so that an answer draws them again in place
(`bot.conversation.follow_up_cards.follow_ups_card`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

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
from bot.conversation.follow_up_cards import card_items_input
from bot.conversation.follow_up_lines import ItemLines
from bot.conversation.labels import with_ended_mark
from bot.conversation.texts import text
from followup.calendar.cadence import describe_cadence
from followup.models import OPEN_FOLLOW_UP_STATES, CheckpointStatus, Contract
from followup.tasks import ContractLine, ContractPlan, PlanLine, TaskItem

CONTRACT_ACTION_ITEMS: Final = 3
CONTRACT_ACTION_BYTES: Final = 9_000
"""A `kontrakter` card's follow-ups with actions: two or three, the rest of the card lists the
contracts."""


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
    if item.follow_up.state not in OPEN_FOLLOW_UP_STATES:
        notes.append(text("tasks.answered", locale))
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
    taking = ItemLines(budget)
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
            found = taking.take(
                item,
                today,
                locale,
                notes=_task_notes(item, locale),
                answerable=item.follow_up.state in OPEN_FOLLOW_UP_STATES,
                overdue=item.overdue(today),
            )
            if found is None:
                break
            taken.append(found)
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
    _end_items(body, lines, taking, locale)
    return adaptive_card(body, "\n".join(lines))


def _end_items(
    body: list[Element], lines: list[str], taking: ItemLines, locale: str | None
) -> None:
    """How to answer what has no buttons, and the ids of what has (`cardItems`)."""
    hint = taking.hint(locale)
    if hint:
        body.append(text_block(hint, isSubtle=True, spacing="Small"))
        lines.append(hint)
    if taking.acted:
        body.append(card_items_input(taking.acted))


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
        (text("contracts.fact.open", locale), formatting.number(line.open_follow_ups, locale)),
        (text("contracts.fact.next", locale), next_due),
    ]


def contracts_card(
    lines: Sequence[ContractLine],
    locale: str | None,
    *,
    today: date,
    narrowed_by: str | None = None,
    limit: int = MAX_ITEMS,
) -> Card:
    """The person's contracts with role, supplier, end date, open follow-ups and next due, and
    under each the follow-ups waiting for an answer (overdue or due within 30 days) with
    their actions, while the card has room for actions (then the counts say the rest)."""
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
    # The contracts come first here: few of their follow-ups carry actions, so that the list
    # keeps room for the contracts (`tasks_card` has them all).
    taking = ItemLines(
        budget, with_actions=CONTRACT_ACTION_ITEMS, action_bytes=CONTRACT_ACTION_BYTES
    )
    shown = 0
    for line in lines:
        facts = _contract_facts(line, locale)
        summary = " · ".join(f"{title}: {value}" for title, value in facts)
        name = with_ended_mark(_contract_name(line.contract), line.contract, locale)
        element = {
            "type": "Container",
            "separator": True,
            "items": [text_block(f"**{name}**"), subtle_block(summary)],
        }
        plain_line = f"- {name} – {summary}"
        if not budget.take(element, plain_line):
            break
        shown += 1
        body.append(element)
        plain.append(plain_line)
        for item in line.waiting:
            if not taking.actions_left:
                taking.without.append(item)
                continue
            found = taking.take(item, today, locale)
            if found is not None:
                body.append(found[0])
                plain.append("  " + found[1])
    if len(lines) > shown:
        more = text("contracts.more", locale, count=len(lines) - shown)
        body.append(text_block(more, isSubtle=True, separator=True))
        plain.append(more)
    _end_items(body, plain, taking, locale)
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


def plan_card(
    plan: ContractPlan, locale: str | None, *, today: date, limit: int = MAX_ITEMS
) -> Card:
    """A contract's checkpoints: cadence in words, evidence asked for, next due date, status;
    first the follow-ups waiting for the asker's answer, with their actions (`plan.waiting`)."""
    contract = plan.contract
    title = with_ended_mark(
        text("plan.title", locale, reference=contract.reference, title=clip(contract.title, 120)),
        contract,
        locale,
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
    taking = ItemLines(budget)
    if plan.waiting:
        heading = text("plan.waiting", locale, count=len(plan.waiting))
        body.append(text_block(heading, weight="Bolder", separator=True, spacing="Medium"))
        plain += ["", heading]
        for item in plan.waiting:
            found = taking.take(item, today, locale)
            if found is None:
                break
            body.append(found[0])
            plain.append(found[1])
        heading = text("plan.checkpoints", locale)
        body.append(text_block(heading, weight="Bolder", separator=True, spacing="Medium"))
        plain += ["", heading]
    shown = 0
    for line in plan.lines:
        element, plain_line = _plan_line(line, locale)
        if not budget.take(element, plain_line):
            break
        shown += 1
        body.append(element)
        plain += ["", plain_line]
    if len(plan.lines) > shown:
        more = text("plan.more", locale, count=len(plan.lines) - shown)
        body.append(text_block(more, isSubtle=True, separator=True))
        plain.append(more)
    _end_items(body, plain, taking, locale)
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
