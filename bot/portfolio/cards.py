"""Adaptive Cards (schema 1.5) for procurement's questions: the status card, one contract's
overview and its history, the overdue list, the deviation list, and a short list to pick from.

Pure functions: domain results in, a card out. Every button is an `Action.Execute` with a verb
and the data to ask again (an `Action.Submit` fallback carries the same), so a button re-runs
the question with one thing changed: the next page (`Mer`), a filter, or another part of the
portfolio. The data never decides what may be seen: the bot works out the asker's (or the
channel's) scope again for every press.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from bot.conversation import formatting
from bot.conversation.cards import (
    Card,
    CardBudget,
    Element,
    adaptive_card,
    clip,
    execute_button,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.follow_up_cards import answered_at, card_items_input
from bot.conversation.follow_up_lines import ItemLines, OpenFollowUp
from bot.conversation.labels import (
    SERIOUS,
    category_label,
    severity_label,
    status_label,
    with_ended_mark,
)
from bot.conversation.markdown import echo, plain, unescape
from bot.conversation.texts import text
from followup.answers.actions import OPTION_KINDS
from followup.calendar.cadence import describe_cadence
from followup.calendar.workdays import oslo_today
from followup.deviations.codes import shown
from followup.models import CheckpointStatus, DeviationCategory, Severity
from followup.orgnr import format_organisation_number
from followup.portfolio import ContractOverview, PortfolioStatus
from followup.views import (
    ANSWER_PERIOD_DAYS,
    SEVERITY_ORDER,
    DeviationItem,
    DeviationList,
    HistoryItem,
    OverdueItem,
    Page,
    StatusTarget,
    TargetKind,
)

STATUS_VERB: Final = "portfolioStatus"
OVERDUE_VERB: Final = "portfolioOverdue"
DEVIATIONS_VERB: Final = "portfolioDeviations"
HISTORY_VERB: Final = "portfolioHistory"
MAX_BUTTONS: Final = 5
"""Buttons in one row (`ActionSet`): Teams shows no more than about five side by side."""
MAX_CARD_ITEMS: Final = 50
"""Items one page may put on a card (pages are smaller; the byte budget applies too)."""

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeviationQuery:
    """The filters of a deviation list."""

    open_only: bool = True
    category: DeviationCategory | None = None
    severity: Severity | None = None

    @property
    def filtered(self) -> bool:
        return self.category is not None or self.severity is not None

    def data(self) -> Data:
        return {
            "open": self.open_only,
            "category": self.category.value if self.category else None,
            "severity": self.severity.value if self.severity else None,
        }


def target_data(target: StatusTarget | None) -> Data:
    """What a button carries to ask about the same part of the portfolio."""
    if target is None:
        return {}
    return {"target": target.kind.value, "key": target.key}


def _rows(actions: Sequence[Element], **style: Any) -> list[Element]:
    """Buttons in rows of at most `MAX_BUTTONS`."""
    return [
        {"type": "ActionSet", "actions": list(actions[i : i + MAX_BUTTONS]), **style}
        for i in range(0, len(actions), MAX_BUTTONS)
    ]


def _organisation_number(digits: str, locale: str | None) -> str:
    """`organisasjonsnummer 974 600 951`: spelt out, since «org.nr» reads as a web address to
    Teams and Web Chat and turns into a link; the groups kept together by no-break spaces."""
    grouped = format_organisation_number(digits) if len(digits) == 9 else digits
    return text("portfolio.organisation_number", locale, number=grouped.replace(" ", "\u00a0"))


def _target_name(target: StatusTarget, locale: str | None) -> str:
    """`Fjordbygg AS (leverandør, organisasjonsnummer 974 600 951)`, `Oppvekst (enhet)`."""
    kind = text(f"portfolio.target.{target.kind.value}", locale)
    detail = clip(target.detail, 80) if target.detail else None
    if detail and target.kind is TargetKind.SUPPLIER:
        detail = _organisation_number(detail, locale)  # after `clip`, which drops no-break spaces
    about = f"{kind}, {detail}" if detail else kind
    return f"{clip(target.name, 120)} ({about})"


def _showing(offset: int, count: int, total: int, locale: str | None) -> str:
    if count == 0:
        return text("portfolio.showing_none", locale, total=total)
    return text("portfolio.showing", locale, first=offset + 1, last=offset + count, total=total)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}" if whole else "–"


# --- the status card ---------------------------------------------------------------------------


def _status_facts(status: PortfolioStatus, locale: str | None) -> list[tuple[str, str]]:
    counts = status.counts
    window = status.window
    week = window.week_start.isocalendar().week
    on_time = (
        text(
            "portfolio.status.on_time_value",
            locale,
            on_time=counts.answered_on_time,
            due=counts.due_in_period,
            percent=_percent(counts.answered_on_time, counts.due_in_period),
        )
        if counts.due_in_period
        else text("portfolio.status.nothing_due", locale)
    )
    by_severity = " · ".join(
        f"{severity_label(s, locale).lower()} {counts.open_deviations.get(s, 0)}"
        for s in SEVERITY_ORDER
    )
    return [
        (
            text("portfolio.status.contracts", locale),
            formatting.number(counts.contracts_followed_up, locale),
        ),
        (
            text("portfolio.status.due_this_week", locale, week=week),
            formatting.number(counts.due_this_week, locale),
        ),
        (text("portfolio.status.on_time", locale), on_time),
        (text("portfolio.status.overdue", locale), formatting.number(counts.overdue, locale)),
        (text("portfolio.status.escalated", locale), formatting.number(counts.escalated, locale)),
        (
            text("portfolio.status.deviations", locale),
            f"{counts.open_deviations_total} ({by_severity})",
        ),
        (
            text("portfolio.status.unreachable", locale),
            formatting.number(counts.unreachable_owners, locale),
        ),
    ]


# Teams draws charts in Adaptive Cards (`Chart.*`, Microsoft Learn: "Charts in Adaptive
# Cards"); a client without them (Web Chat, older Teams) renders each chart's `fallback`
# instead. Every chart has one: without it such a client shows nothing in its place, or asks
# the element that holds it to fall back. `tests/card_schema.py` validates the card as those
# clients see it.
CHART_DONUT: Final = "Chart.Donut"
CHART_BAR: Final = "Chart.VerticalBar"
_SEVERITY_COLOURS: Final = {
    Severity.CRITICAL: "divergingMaroon",
    Severity.HIGH: "attention",
    Severity.MEDIUM: "warning",
    Severity.LOW: "neutral",
}


def _answers_chart(status: PortfolioStatus, locale: str | None) -> tuple[Element, str] | None:
    """A donut of the follow-ups due in the answer period: answered on time, late, not
    answered (they add up to the period's due count in the facts), and the same in words as
    its fallback. None when nothing was due."""
    counts = status.counts
    if not counts.due_in_period:
        return None
    slices = (
        ("on_time", counts.answered_on_time, "good"),
        ("late", counts.answered - counts.answered_on_time, "warning"),
        ("open", counts.due_in_period - counts.answered, "attention"),
    )
    said = text(
        "portfolio.chart.answers.text",
        locale,
        days=ANSWER_PERIOD_DAYS,
        **{name: value for name, value, _ in slices},
    )
    chart: Element = {
        "type": CHART_DONUT,
        "title": text("portfolio.chart.answers.title", locale, days=ANSWER_PERIOD_DAYS),
        "data": [
            {"legend": text(f"portfolio.chart.answers.{name}", locale), "value": value, "color": c}
            for name, value, c in slices
        ],
        "spacing": "Medium",
        "fallback": text_block(said, spacing="Small"),
    }
    return chart, said


def _deviations_chart(status: PortfolioStatus, locale: str | None) -> Element | None:
    """Bars of the open deviations by severity, most severe first (the numbers of the facts'
    «Åpne avvik» line, which clients without charts show instead: the fallback drops it).
    None when there are none."""
    counts = status.counts
    if not counts.open_deviations_total:
        return None
    return {
        "type": CHART_BAR,
        "title": text("portfolio.chart.deviations.title", locale),
        "data": [
            {
                "x": severity_label(severity, locale),
                "y": counts.open_deviations.get(severity, 0),
                "color": _SEVERITY_COLOURS[severity],
            }
            for severity in SEVERITY_ORDER
        ],
        "showBarValues": True,
        "spacing": "Medium",
        "fallback": "drop",
    }


def status_card(
    status: PortfolioStatus, heading: str, locale: str | None, *, note: str | None = None
) -> Card:
    """The portfolio (or a supplier's, unit's, owner's part of it) at a glance, with buttons
    to the lists behind the numbers, and charts of the same numbers where Teams draws them."""
    target = status.target
    title = text("portfolio.status.title", locale)
    about = _target_name(target, locale) if target else heading
    subtitle = text(
        "portfolio.status.subtitle",
        locale,
        about=plain(about, line_starts=False),
        today=formatting.long(status.window.today, locale, with_year=True),
    )
    facts = _status_facts(status, locale)
    body: list[Element] = [title_block(title), subtle_block(subtitle), fact_set(facts)]
    lines = [title, unescape(subtitle), *(f"{k}: {v}" for k, v in facts)]
    answers = _answers_chart(status, locale)
    if answers is not None:
        body.append(answers[0])
        lines.append(answers[1])
    deviations = _deviations_chart(status, locale)
    if deviations is not None:
        body.append(deviations)
    if status.unreachable:
        names = ", ".join(clip(p.display_name, 60) for p in status.unreachable)
        more = status.counts.unreachable_owners - len(status.unreachable)
        listed = text("portfolio.status.unreachable_names", locale, names=names)
        if more > 0:
            listed += " " + text("portfolio.more_names", locale, count=more)
        body.append(text_block(listed, color="Warning", spacing="Small"))
        lines.append(listed)
    explained = text("portfolio.status.explained", locale, days=ANSWER_PERIOD_DAYS)
    body.append(text_block(explained, isSubtle=True, spacing="Medium"))
    lines.append(explained)
    if note:
        body.append(text_block(note, color="Accent", spacing="Small"))
        lines.append(note)
    where = target_data(target)
    counts = status.counts
    actions = [
        execute_button(
            text("portfolio.button.overdue", locale, count=counts.overdue), OVERDUE_VERB, where
        ),
        execute_button(
            text("portfolio.button.open_deviations", locale, count=counts.open_deviations_total),
            DEVIATIONS_VERB,
            {**where, **DeviationQuery().data()},
        ),
    ]
    if target is not None:
        actions.append(execute_button(text("portfolio.button.whole", locale), STATUS_VERB, {}))
    body += _rows(actions, spacing="Medium")
    return adaptive_card(body, "\n".join(lines))


# --- one contract ------------------------------------------------------------------------------


def _person_name(person: Any, locale: str | None) -> str:
    return clip(person.display_name, 60) if person is not None else "–"


def _overview_facts(overview: ContractOverview, locale: str | None) -> list[tuple[str, str]]:
    contract = overview.contract
    supplier = (
        f"{clip(overview.supplier.name, 80)} "
        f"({_organisation_number(overview.supplier.organisation_number, locale)})"
        if overview.supplier
        else text("contracts.no_supplier", locale)
    )
    if contract.start_date and contract.end_date and not contract.ongoing:
        period = text(
            "plan.period",
            locale,
            start=formatting.numeric(contract.start_date, locale),
            end=formatting.numeric(contract.end_date, locale),
        )
    elif contract.start_date:
        period = text(
            "plan.period_open", locale, start=formatting.numeric(contract.start_date, locale)
        )
    else:
        period = text("plan.unknown_date", locale)
    value = (
        text(
            "portfolio.contract.value_nok",
            locale,
            value=contract.value_nok,
        )
        if contract.value_nok is not None
        else "–"
    )
    facts = [
        (text("plan.fact.supplier", locale), supplier),
        (text("portfolio.contract.unit", locale), clip(contract.unit or "–", 80)),
        (text("plan.fact.owner", locale), _person_name(overview.owner, locale)),
        (text("portfolio.contract.manager", locale), _person_name(overview.manager, locale)),
        (text("portfolio.contract.deputy", locale), _person_name(overview.deputy, locale)),
        (text("plan.fact.period", locale), period),
        (text("portfolio.contract.value", locale), value),
        (text("portfolio.contract.risk", locale), _risk(overview, locale)),
        (
            text("portfolio.contract.status", locale),
            text(f"portfolio.contract_status.{contract.status.value}", locale),
        ),
    ]
    onsite = overview.onsite_check
    if onsite is not None:
        value = text(
            "portfolio.contract.onsite.value",
            locale,
            # «03.12.2026: …», not «3. desember 2026: …»: a fact that starts with «3. » is
            # drawn as a numbered list, renumbered from 1 (Teams, Web Chat).
            when=formatting.numeric(onsite.checked_on, locale),
            workers=onsite.workers,
            without=onsite.without_card,
        )
        facts.append((text("portfolio.contract.onsite", locale), value))
    archived = overview.archived
    case_number = (archived.case_number if archived else None) or contract.case_number
    if case_number:
        facts.append((text("portfolio.contract.case_number", locale), clip(case_number, 40)))
    if archived is not None:
        value = text(
            "portfolio.contract.archived.value",
            locale,
            case=archived.case_number or contract.case_number or "–",
            records=archived.records,
            journal=archived.latest_journal_number or "–",
            title=clip(archived.latest_title or "", 60),
        )
        facts.append((text("portfolio.contract.archived", locale), value))
    return facts


def _risk(overview: ContractOverview, locale: str | None) -> str:
    """`høy – vurdert 23.11.2026 av Kari Nordmann (versjon 2)`, or the register's level."""
    level = text(f"portfolio.risk.{overview.contract.risk.value}", locale)
    assessed = overview.risk_assessment
    if assessed is None:
        return text("portfolio.contract.risk.register", locale, level=level)
    return text(
        "portfolio.contract.risk.assessed",
        locale,
        level=level,
        when=formatting.day_month(oslo_today(assessed.assessed_at), locale, with_year=True),
        who=clip(assessed.assessed_by or "–", 60),
        version=assessed.version,
    )


def _decision_facts(overview: ContractOverview, locale: str | None) -> list[tuple[str, str]]:
    """The latest option and expiry decisions: `Opsjon: Opsjonen utløses – besluttet av Kari
    Nordmann 03.12.2026`."""
    facts = []
    for item in overview.decisions:
        answer = item.answer
        said = text(f"answer.kind.{answer.kind.value}", locale)
        if answer.decided_by and answer.decided_on:
            said += " – " + text(
                "answer.decided",
                locale,
                name=plain(clip(answer.decided_by, 60), line_starts=False),
                date=formatting.numeric(answer.decided_on, locale),
            )
        key = (
            "portfolio.contract.option_decision"
            if answer.kind in OPTION_KINDS
            else "portfolio.contract.expiry_decision"
        )
        facts.append((text(key, locale), said))
    return facts


def _history_line(item: HistoryItem, locale: str | None) -> str:
    due = formatting.due(item.follow_up.due_date, locale)
    parts = [due, clip(item.checkpoint_title, 80)]
    answer = item.latest_answer
    if answer is None:
        parts.append(text(f"portfolio.state.{item.follow_up.state.value}", locale))
    else:
        said = text(f"answer.kind.{answer.kind.value}", locale)
        by = clip(item.answered_by_name or "?", 60)
        if item.on_behalf_of_name:
            by = text(
                "portfolio.history.for", locale, name=by, owner=clip(item.on_behalf_of_name, 60)
            )
        parts.append(
            text(
                "portfolio.history.answer",
                locale,
                answer=said,
                name=by,
                at=answered_at(answer.answered_at, locale),
            )
        )
        on_time = item.answered_on_time
        if on_time is not None:
            parts.append(
                text("portfolio.history.on_time" if on_time else "portfolio.history.late", locale)
            )
        if item.versions > 1:
            parts.append(text("portfolio.history.versions", locale, count=item.versions))
    if item.documents:
        parts.append(text("portfolio.history.documents", locale, count=item.documents))
    return " · ".join(parts)


def _history_element(item: HistoryItem, locale: str | None) -> tuple[Element, str]:
    line = _history_line(item, locale)
    items: list[Element] = [text_block(plain(line, line_starts=False), spacing="Small")]
    comment = item.latest_answer.text if item.latest_answer else None
    plain_line = f"- {line}"
    if comment:
        items.append(subtle_block(f"«{plain(clip(comment, 200), line_starts=False)}»"))
        plain_line += f" «{clip(comment, 200)}»"
    return {"type": "Container", "items": items, "spacing": "Small"}, plain_line


def _deviation_element(item: DeviationItem, locale: str | None) -> tuple[Element, str]:
    category = _category_label(item.category, locale)
    code = shown(item.code, item.deviation_id)
    head = f"**{code}** · **{plain(item.contract_reference)}** " + plain(
        clip(item.contract_title, 80), line_starts=False
    )
    detail = " · ".join(
        [
            category,
            severity_label(item.severity, locale),
            status_label(item.status, locale),
            formatting.numeric(item.occurred_on, locale),
        ]
    )
    if item.supplier_name:
        detail += " · " + clip(item.supplier_name, 60)
    element: Element = {
        "type": "Container",
        "id": f"deviation-{item.deviation_id}",
        "separator": True,
        "items": [
            text_block(head, color="Attention" if item.severity in SERIOUS else "Default"),
            subtle_block(plain(detail, line_starts=False)),
            text_block(plain(clip(item.description, 200)), spacing="Small"),
        ],
    }
    line = f"- {code} · {item.contract_reference} · {detail}: {clip(item.description, 200)}"
    return element, line


def _category_label(value: str, locale: str | None) -> str:
    try:
        return category_label(DeviationCategory(value), locale)
    except ValueError:
        return clip(value, 40)


def _section(
    body: list[Element],
    lines: list[str],
    budget: CardBudget,
    heading: str,
    elements: Sequence[tuple[Element, str]],
    empty: str | None = None,
) -> int:
    """A heading and its elements while the card's budget lasts; how many were shown."""
    body.append(text_block(heading, weight="Bolder", separator=True, spacing="Medium"))
    lines += ["", heading]
    if not elements and empty:
        body.append(subtle_block(empty))
        lines.append(empty)
    return _take(body, lines, budget, elements)


def _take(
    body: list[Element],
    lines: list[str],
    budget: CardBudget,
    elements: Iterable[tuple[Element, str]],
) -> int:
    """Elements onto the card (and their lines into its text) while its budget lasts; how
    many were taken."""
    shown = 0
    for element, line in elements:
        if not budget.take(element, line):
            break
        body.append(element)
        lines.append(line)
        shown += 1
    return shown


def overview_card(
    overview: ContractOverview,
    locale: str | None,
    *,
    note: str | None = None,
    waiting: Sequence[OpenFollowUp] = (),
    today: date | None = None,
) -> Card:
    """`status <avtalenr>`: the contract, its numbers, the follow-ups `waiting` for the asker's
    answer (an owner's, in a 1:1 chat: with their actions, `follow_up_lines`), plan, next
    follow-ups, history of answers, documents and deviations."""
    contract = overview.contract
    title = with_ended_mark(
        text(
            "portfolio.contract.title",
            locale,
            reference=contract.reference,
            title=clip(contract.title, 120),
        ),
        contract,
        locale,
    )
    facts = [*_overview_facts(overview, locale), *_decision_facts(overview, locale)]
    counts = overview.status.counts
    numbers = [
        (text("portfolio.status.overdue", locale), formatting.number(counts.overdue, locale)),
        (
            text("portfolio.status.on_time", locale),
            text(
                "portfolio.status.on_time_value",
                locale,
                on_time=counts.answered_on_time,
                due=counts.due_in_period,
                percent=_percent(counts.answered_on_time, counts.due_in_period),
            )
            if counts.due_in_period
            else text("portfolio.status.nothing_due", locale),
        ),
        (
            text("portfolio.status.deviations", locale),
            formatting.number(counts.open_deviations_total, locale),
        ),
    ]
    body: list[Element] = [title_block(title), fact_set(facts), fact_set(numbers, separator=True)]
    lines = [title, *(f"{k}: {v}" for k, v in [*facts, *numbers])]
    budget = CardBudget(MAX_CARD_ITEMS)
    taking = ItemLines(budget)
    if waiting and today is not None:
        heading = text("portfolio.contract.waiting", locale, count=len(waiting))
        body.append(text_block(heading, weight="Bolder", separator=True, spacing="Medium"))
        lines += ["", heading]
        for item in waiting:
            found = taking.take(item, today, locale)
            if found is None:
                break
            body.append(found[0])
            lines.append(found[1])
    plan = [
        _plain_element(
            f"**{clip(c.title, 100)}** – {describe_cadence(c.rrule, locale or 'nb')}"
            + (
                f" ({text('plan.status.paused', locale)})"
                if c.status is CheckpointStatus.PAUSED
                else ""
            )
        )
        for c in overview.checkpoints
    ]
    _section(
        body,
        lines,
        budget,
        text("portfolio.contract.plan", locale),
        plan,
        text("portfolio.contract.no_plan", locale),
    )
    upcoming = [
        _plain_element(
            f"{formatting.due(i.follow_up.due_date, locale)} · {clip(i.checkpoint_title, 100)}"
        )
        for i in overview.upcoming
        if i.follow_up.id not in taking.listed
    ]
    _section(
        body,
        lines,
        budget,
        text("portfolio.contract.upcoming", locale),
        upcoming,
        text("portfolio.contract.none", locale),
    )
    history = [_history_element(i, locale) for i in overview.history.items]
    _section(
        body,
        lines,
        budget,
        text("portfolio.contract.history", locale, total=overview.history.total),
        history,
        text("portfolio.contract.none", locale),
    )
    documents = [
        _plain_element(
            " · ".join(
                filter(
                    None,
                    [
                        plain(clip(d.file_name, 80), line_starts=False),
                        formatting.numeric(d.uploaded_at.date(), locale),
                        clip(d.evidence, 60) if d.evidence else None,
                        clip(d.checkpoint_title, 60) if d.checkpoint_title else None,
                    ],
                )
            )
        )
        for d in overview.documents
    ]
    _section(
        body,
        lines,
        budget,
        text("portfolio.contract.documents", locale),
        documents,
        text("portfolio.contract.none", locale),
    )
    deviations = [_deviation_element(d, locale) for d in overview.deviations]
    _section(
        body,
        lines,
        budget,
        text("portfolio.contract.deviations", locale),
        deviations,
        text("portfolio.contract.none", locale),
    )
    if note:
        body.append(text_block(note, color="Accent", spacing="Medium"))
        lines.append(note)
    target = overview.status.target or StatusTarget(
        TargetKind.CONTRACT, contract.id, contract.reference, contract.title
    )
    where = target_data(target)
    actions = []
    if overview.history.next_cursor:
        actions.append(
            execute_button(
                text("portfolio.button.more_history", locale),
                HISTORY_VERB,
                {
                    **where,
                    "cursor": overview.history.next_cursor,
                    "offset": len(overview.history.items),
                },
            )
        )
    actions += [
        execute_button(
            text("portfolio.button.overdue", locale, count=counts.overdue), OVERDUE_VERB, where
        ),
        execute_button(
            text("portfolio.button.all_deviations", locale),
            DEVIATIONS_VERB,
            {**where, **DeviationQuery(open_only=False).data()},
        ),
    ]
    body += _rows(actions, spacing="Medium")
    hint = taking.hint(locale)
    if hint:
        body.append(text_block(hint, isSubtle=True, spacing="Small"))
        lines.append(hint)
    if taking.acted:
        body.append(card_items_input(taking.acted))
    return adaptive_card(body, "\n".join(lines))


def _plain_element(value: str) -> tuple[Element, str]:
    return text_block(value, spacing="Small"), f"- {value}"


def history_card(overview: ContractOverview, locale: str | None, *, offset: int) -> Card:
    """The next page of one contract's history (`Mer` on its overview)."""
    contract = overview.contract
    page = overview.history
    title = text(
        "portfolio.history.title",
        locale,
        reference=contract.reference,
        title=clip(contract.title, 120),
    )
    showing = _showing(offset, len(page.items), page.total, locale)
    body: list[Element] = [title_block(title), subtle_block(showing)]
    lines = [title, showing, ""]
    _take(
        body, lines, CardBudget(MAX_CARD_ITEMS), (_history_element(i, locale) for i in page.items)
    )
    where = target_data(
        overview.status.target
        or StatusTarget(TargetKind.CONTRACT, contract.id, contract.reference, contract.title)
    )
    actions = []
    if page.next_cursor:
        actions.append(
            execute_button(
                text("portfolio.button.more", locale),
                HISTORY_VERB,
                {**where, "cursor": page.next_cursor, "offset": offset + len(page.items)},
            )
        )
    actions.append(
        execute_button(text("portfolio.button.back_to_contract", locale), STATUS_VERB, where)
    )
    body += _rows(actions, spacing="Medium")
    return adaptive_card(body, "\n".join(lines))


# --- overdue -----------------------------------------------------------------------------------


def _overdue_element(item: OverdueItem, locale: str | None) -> tuple[Element, str]:
    days = text("portfolio.overdue.days", locale, count=item.days_overdue)
    head = f"**{days}** · **{plain(item.contract_reference)}** " + plain(
        clip(item.contract_title, 80), line_starts=False
    )
    owner = (
        text("portfolio.overdue.owner", locale, name=clip(item.owner_name, 60))
        if item.owner_name
        else text("portfolio.overdue.no_owner", locale)
    )
    details = [
        clip(item.checkpoint_title, 80),
        text("portfolio.overdue.due", locale, date=formatting.due(item.due_date, locale)),
        owner,
    ]
    if item.supplier_name:
        details.append(clip(item.supplier_name, 60))
    if item.escalated:
        details.append(text("portfolio.overdue.escalated", locale))
    detail = " · ".join(details)
    element: Element = {
        "type": "Container",
        "id": f"overdue-{item.follow_up_id}",
        "separator": True,
        "items": [
            text_block(head, color="Attention" if item.escalated else "Default"),
            subtle_block(plain(detail, line_starts=False)),
        ],
    }
    line = f"- {days} · {item.contract_reference} {clip(item.contract_title, 80)} – {detail}"
    return element, line


def overdue_card(
    page: Page[OverdueItem],
    heading: str,
    target: StatusTarget | None,
    locale: str | None,
    *,
    offset: int,
    note: str | None = None,
) -> Card:
    """Overdue follow-ups, oldest first, with owner and days overdue; `Mer` for the next page."""
    title = text("portfolio.overdue.title", locale, total=page.total)
    about = _target_name(target, locale) if target else heading
    showing = _showing(offset, len(page.items), page.total, locale)
    subtitle = f"{plain(about, line_starts=False)} · {showing}"
    body: list[Element] = [title_block(title), subtle_block(subtitle)]
    lines = [title, unescape(subtitle), ""]
    if not page.items:
        empty = text("portfolio.overdue.none", locale)
        body.append(text_block(empty, spacing="Medium"))
        lines.append(empty)
    items = (_overdue_element(item, locale) for item in page.items)
    shown = _take(body, lines, CardBudget(MAX_CARD_ITEMS), items)
    if note:
        body.append(text_block(note, color="Accent", spacing="Medium"))
        lines.append(note)
    where = target_data(target)
    actions = []
    if page.next_cursor and shown == len(page.items):
        actions.append(
            execute_button(
                text("portfolio.button.more", locale),
                OVERDUE_VERB,
                {**where, "cursor": page.next_cursor, "offset": offset + shown},
            )
        )
    actions.append(execute_button(text("portfolio.button.status", locale), STATUS_VERB, where))
    if target is not None:
        actions.append(
            execute_button(text("portfolio.button.all_overdue", locale), OVERDUE_VERB, {})
        )
    body += _rows(actions, spacing="Medium")
    return adaptive_card(body, "\n".join(lines))


# --- deviations --------------------------------------------------------------------------------


FILTER_OPEN: Final = "filterOpen"
FILTER_SEVERITY: Final = "filterSeverity"
FILTER_CATEGORY: Final = "filterCategory"
FILTER_ANY: Final = "any"
"""The choice of «all severities» / «all categories» (no filter)."""


def _choices(input_id: str, label: str, value: str, choices: Sequence[tuple[str, str]]) -> Element:
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "value": value,
        "choices": [{"title": clip(title, 60), "value": v} for title, v in choices],
    }


def deviation_filters(
    listing: DeviationList,
    query: DeviationQuery,
    target: StatusTarget | None,
    locale: str | None,
) -> list[Element]:
    """The list's filters: open or all, severity and category as three drop-downs (the
    counts are those of the open/all choice), and «Vis» to list again with what is chosen
    (its data says `filter`: the choices, not the list's own data, make the question)."""
    states = [
        (text("portfolio.deviations.open", locale), "true"),
        (text("portfolio.deviations.all", locale), "false"),
    ]
    severities = [(text("portfolio.deviations.any_severity", locale), FILTER_ANY)]
    severities += [
        (f"{severity_label(s, locale)} ({listing.by_severity.get(s, 0)})", s.value)
        for s in SEVERITY_ORDER
    ]
    categories = [(text("portfolio.deviations.any_category", locale), FILTER_ANY)]
    for category in DeviationCategory:
        count = listing.by_category.get(category.value, 0)
        if count or category is query.category:
            categories.append((f"{category_label(category, locale)} ({count})", category.value))
    columns = [
        _choices(
            FILTER_OPEN,
            text("portfolio.deviations.filter_state", locale),
            "true" if query.open_only else "false",
            states,
        ),
        _choices(
            FILTER_SEVERITY,
            text("portfolio.deviations.filter_severity", locale),
            query.severity.value if query.severity else FILTER_ANY,
            severities,
        ),
        _choices(
            FILTER_CATEGORY,
            text("portfolio.deviations.filter_category", locale),
            query.category.value if query.category else FILTER_ANY,
            categories,
        ),
    ]
    show = execute_button(
        text("portfolio.button.filter", locale),
        DEVIATIONS_VERB,
        {**target_data(target), "filter": True},
    )
    return [
        {
            "type": "ColumnSet",
            "separator": True,
            "spacing": "Medium",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [choice]} for choice in columns
            ],
        },
        {"type": "ActionSet", "spacing": "Small", "actions": [show]},
    ]


def deviations_title(query: DeviationQuery, total: int, locale: str | None) -> str:
    key = "portfolio.deviations.title_open" if query.open_only else "portfolio.deviations.title"
    return text(key, locale, total=total)


def deviations_card(
    listing: DeviationList,
    query: DeviationQuery,
    heading: str,
    target: StatusTarget | None,
    locale: str | None,
    *,
    offset: int,
    note: str | None = None,
) -> Card:
    """Deviations, most severe first, each with its code (for `avviksstatus`), with the
    filters as drop-downs and `Mer` for the next page."""
    page = listing.page
    title = deviations_title(query, page.total, locale)
    about = _target_name(target, locale) if target else heading
    chosen = [
        label
        for label in (
            category_label(query.category, locale) if query.category else None,
            severity_label(query.severity, locale) if query.severity else None,
        )
        if label
    ]
    showing = _showing(offset, len(page.items), page.total, locale)
    subtitle = " · ".join([plain(about, line_starts=False), *chosen, showing])
    body: list[Element] = [title_block(title), subtle_block(subtitle)]
    lines = [title, unescape(subtitle), ""]
    if not page.items:
        empty = text("portfolio.deviations.none_filtered", locale)
        body.append(text_block(empty, spacing="Medium"))
        lines.append(empty)
    items = (_deviation_element(item, locale) for item in page.items)
    shown = _take(body, lines, CardBudget(MAX_CARD_ITEMS), items)
    hint = text("portfolio.deviations.hint", locale)
    body.append(text_block(hint, isSubtle=True, spacing="Medium"))
    lines.append(hint)
    if note:
        body.append(text_block(note, color="Accent", spacing="Small"))
        lines.append(note)
    where = target_data(target)
    actions = []
    if page.next_cursor and shown == len(page.items):
        actions.append(
            execute_button(
                text("portfolio.button.more", locale),
                DEVIATIONS_VERB,
                {**where, **query.data(), "cursor": page.next_cursor, "offset": offset + shown},
            )
        )
    actions.append(execute_button(text("portfolio.button.status", locale), STATUS_VERB, where))
    body += _rows(actions, spacing="Medium")
    body += deviation_filters(listing, query, target, locale)
    return adaptive_card(body, "\n".join(lines))


# --- pick one ----------------------------------------------------------------------------------


def candidates_card(
    asked: str,
    candidates: Sequence[StatusTarget],
    verb: str,
    extra: Mapping[str, Any],
    locale: str | None,
) -> Card:
    """`status <tekst>` matched several: one button for each, re-asking with the choice."""
    title = text("portfolio.pick.title", locale, text=echo(clip(asked, 60)))
    hint = text("portfolio.pick.hint", locale)
    body: list[Element] = [title_block(title), subtle_block(hint)]
    lines = [title, hint]
    for candidate in candidates:
        label = _target_name(candidate, locale)
        body.append(
            {
                "type": "ActionSet",
                "spacing": "Small",
                "actions": [execute_button(label, verb, {**extra, **target_data(candidate)})],
            }
        )
        lines.append(f"- {label}")
    return adaptive_card(body, "\n".join(lines))


__all__ = [
    "DEVIATIONS_VERB",
    "FILTER_ANY",
    "FILTER_CATEGORY",
    "FILTER_OPEN",
    "FILTER_SEVERITY",
    "HISTORY_VERB",
    "OVERDUE_VERB",
    "STATUS_VERB",
    "DeviationQuery",
    "candidates_card",
    "deviations_card",
    "history_card",
    "overdue_card",
    "overview_card",
    "status_card",
    "target_data",
]
