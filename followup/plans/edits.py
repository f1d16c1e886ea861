"""Procurement edits a contract's plan: add a checkpoint, change its cadence, pause, resume or
remove it. Only members of the procurement team may; every change is an audit event, and the
contract's calendar is brought in line at once (answered follow-ups are kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from followup.calendar.cadence import parse_cadence
from followup.calendar.workdays import WorkingCalendar, oslo_today
from followup.errors import InvalidInput, NotAllowed, NotFound
from followup.models import (
    AuditEvent,
    Checkpoint,
    CheckpointSource,
    CheckpointStatus,
    Contract,
    Person,
    Role,
)
from followup.plans.materialise import CalendarChanges, materialise_calendar
from followup.plans.plan_file import Applicability, PlanConfig, plan_for
from followup.ports import UnitOfWork
from followup.tasks import find_contract
from followup.words import fold_letters, normalise_words

MAX_TITLE = 200
MANUAL_ACTIONS = ("levert", "avvik", "ikke_relevant", "utsett")
"""The answers of a checkpoint procurement adds by title (no template says what it asks)."""


class PlanEdit(StrEnum):
    ADD = "add"
    CADENCE = "cadence"
    PAUSE = "pause"
    RESUME = "resume"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class EditCheckpoint:
    """One edit by `actor_id` of checkpoint `code` (a template code, or a title when adding)."""

    actor_id: str
    reference: str
    edit: PlanEdit
    code: str
    cadence: str | None = None


@dataclass(frozen=True, slots=True)
class EditedCheckpoint:
    contract: Contract
    checkpoint: Checkpoint
    edit: PlanEdit
    calendar: CalendarChanges


def require_procurement(uow: UnitOfWork, person_id: str | None) -> Person:
    person = uow.people.get(person_id) if person_id else None
    if person is None or Role.PROCUREMENT not in person.roles:
        raise NotAllowed("procurement only", code="plan.procurement_only")
    return person


def slug(title: str) -> str:
    folded = fold_letters(title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40] or "kontrollpunkt"


def _snapshot(checkpoint: Checkpoint) -> dict[str, object]:
    return {
        "code": checkpoint.code,
        "title": checkpoint.title,
        "rrule": checkpoint.rrule,
        "status": checkpoint.status.value,
    }


def _find(checkpoints: list[Checkpoint], code: str) -> Checkpoint | None:
    wanted = normalise_words(code)
    return next(
        (c for c in checkpoints if c.code == wanted or normalise_words(c.title) == wanted),
        None,
    )


def edit_checkpoint(
    cmd: EditCheckpoint,
    uow: UnitOfWork,
    now: datetime,
    *,
    config: PlanConfig,
    calendar: WorkingCalendar,
) -> EditedCheckpoint:
    """Apply one plan edit and refresh the contract's calendar. The caller commits."""
    require_procurement(uow, cmd.actor_id)
    contract = find_contract(uow, cmd.reference)
    checkpoints = list(uow.checkpoints.for_contracts([contract.id]))
    current = _find(checkpoints, cmd.code)
    before = _snapshot(current) if current else None
    if cmd.edit is PlanEdit.ADD:
        checkpoint = _add(cmd, contract, current, config, now, calendar)
        if current is None:
            uow.checkpoints.add(checkpoint)
        else:
            uow.checkpoints.update(checkpoint)
    else:
        if current is None or (
            current.status is CheckpointStatus.REMOVED and cmd.edit is not PlanEdit.RESUME
        ):
            raise NotFound(
                "no such checkpoint",
                code="plan.unknown_checkpoint",
                checkpoint=cmd.code,
                reference=contract.reference,
            )
        checkpoint = current
        if cmd.edit is PlanEdit.CADENCE:
            if not cmd.cadence:
                raise InvalidInput("cadence missing", code="plan.cadence_missing")
            checkpoint.rrule = parse_cadence(cmd.cadence)
            if checkpoint.rrule != (before or {}).get("rrule"):
                checkpoint.dtstart = _fresh_start(checkpoint, now, calendar)
        elif cmd.edit is PlanEdit.PAUSE:
            checkpoint.status = CheckpointStatus.PAUSED
        elif cmd.edit is PlanEdit.RESUME:
            checkpoint.status = CheckpointStatus.ACTIVE
        else:
            checkpoint.status = CheckpointStatus.REMOVED
        checkpoint.customised = True
        uow.checkpoints.update(checkpoint)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=cmd.actor_id,
            action=f"checkpoint.{cmd.edit.value}",
            entity="contract",
            entity_id=contract.id,
            before=before,
            after=_snapshot(checkpoint),
        )
    )
    changes = materialise_calendar(
        uow, [contract.id], now, settings=config.calendar, calendar=calendar
    )
    return EditedCheckpoint(contract, checkpoint, cmd.edit, changes)


def _add(
    cmd: EditCheckpoint,
    contract: Contract,
    current: Checkpoint | None,
    config: PlanConfig,
    now: datetime,
    calendar: WorkingCalendar,
) -> Checkpoint:
    today = oslo_today(now)
    if current is not None and current.status is not CheckpointStatus.REMOVED:
        raise InvalidInput(
            "checkpoint exists",
            code="plan.checkpoint_exists",
            checkpoint=current.code,
            reference=contract.reference,
        )
    template = config.template(normalise_words(cmd.code))
    rule = parse_cadence(cmd.cadence) if cmd.cadence else None
    if template is not None:
        planned = next((p for p in plan_for(contract, _only(config, template.code), today)), None)
        title, question = template.title, template.question
        evidence, actions = list(template.evidence), list(template.actions)
        rule = rule or (planned.rrule if planned else template.rule_for(contract.risk))
        code = template.code
    else:
        title = " ".join(cmd.code.split())[:MAX_TITLE]
        if not title:
            raise InvalidInput("title missing", code="plan.title_missing")
        question, evidence, actions = "", [], list(MANUAL_ACTIONS)
        code = slug(title)
    if rule is None:
        raise InvalidInput("cadence missing", code="plan.cadence_missing")
    checkpoint = current or Checkpoint(
        contract_id=contract.id, code=code, title=title, rrule=rule, dtstart=today
    )
    checkpoint.title = title
    checkpoint.question = question
    checkpoint.evidence = evidence
    checkpoint.actions = actions
    checkpoint.rrule = rule
    checkpoint.answer_window_days = config.calendar.answer_window_days
    checkpoint.dtstart = (
        _fresh_start(checkpoint, now, calendar)
        if cmd.cadence or template is None
        else (contract.start_date or today)
    )
    checkpoint.escalation = config.ladder_for(contract.risk, template)
    checkpoint.status = CheckpointStatus.ACTIVE
    checkpoint.source = CheckpointSource.MANUAL if template is None else CheckpointSource.TEMPLATE
    checkpoint.customised = True
    return checkpoint


def _fresh_start(checkpoint: Checkpoint, now: datetime, calendar: WorkingCalendar) -> date:
    """A new cadence counts from the end of a first answer window, so nothing is due at once."""
    return calendar.add_working_days(oslo_today(now), checkpoint.answer_window_days)


def _only(config: PlanConfig, code: str) -> PlanConfig:
    """The plan with only one template, whose applicability is ignored (procurement asked)."""
    template = config.template(code)
    if template is None:
        raise LookupError(code)
    forced = template.model_copy(update={"applies": Applicability()})
    return config.model_copy(update={"checkpoint": [forced]})
