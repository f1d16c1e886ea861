"""Risk assessment of a contract (issue 19, item 1).

Who: the contract's owner, manager and deputy, and procurement (`may_assess`). What: for each
risk area (`RiskArea`) a consequence and a likelihood on 1–4 (`followup.checks.models.SCALE`
says why), a comment, and the level: the suggestion (`suggested_level`) or another one with a
reason. A typed assessment without scores (`risiko <avtalenr> høy fordi …`) sets the level
with a reason.

The rule (`suggested_level`): a risk's score is consequence × likelihood (1–16); the highest
score of the contract gives the level: 9–16 *høy* (e.g. serious and likely, 3 × 3), 4–8
*middels* (e.g. moderate and possible, 2 × 2, or very serious but unlikely, 4 × 1), 1–3 *lav*.
One high risk is enough: a contract is followed up as closely as its worst risk demands.

Every assessment is a new version (never an overwrite) with an audit event. When the chosen
level differs from the contract's risk, the contract's risk changes (audited as the register
import audits it) and its plan is applied again as a register import's risk change is: the
templates by risk (`followup.plans.plan_file.apply_plans`) and the calendar
(`materialise_calendar`). What changed in the plan is returned for the reply (`PlanDiff`).

The register import's risk column is a first, unreasoned assessment: a contract without stored
versions has it as version 0, source `register` (`register_assessment`). `risk_overview` lists
for procurement contracts in force that were never assessed and those whose latest assessment
is more than `STALE_MONTHS` months old.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from dateutil.relativedelta import relativedelta

from followup.answers.services import clean_text
from followup.calendar.workdays import WorkingCalendar
from followup.checks.models import SCALE, RiskArea, RiskAssessment, RiskScore, RiskSource
from followup.checks.ports import ChecksUnitOfWork, RiskDue
from followup.errors import NotAllowed, Refused
from followup.models import (
    AuditEvent,
    Checkpoint,
    CheckpointStatus,
    Contract,
    Person,
    RiskLevel,
)
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import PlanConfig, apply_plans
from followup.tasks import find_contract

HIGH_FROM: Final = 9
MEDIUM_FROM: Final = 4
STALE_MONTHS: Final = 12
MAX_REASON: Final = 1_000
MAX_COMMENT: Final = 4_000
OVERVIEW_LIMIT: Final = 200
ACTOR_PLAN_SUFFIX: Final = "risiko"


class RiskRefusal(StrEnum):
    """Why an assessment is refused: the text catalogue's codes."""

    NOT_ALLOWED = "risk.not_allowed"
    SCORE_MISSING = "risk.score_missing"
    SCORE_INVALID = "risk.score_invalid"
    REASON_MISSING = "risk.reason_missing"
    LEVEL_MISSING = "risk.level_missing"
    TOO_LONG = "risk.too_long"


class RiskRefused(Refused):
    """An assessment refused; nothing is stored."""


def suggested_level(scores: Sequence[RiskScore]) -> RiskLevel | None:
    """The level the scores suggest (see the module docstring); None without scores."""
    if not scores:
        return None
    worst = max(score.product for score in scores)
    if worst >= HIGH_FROM:
        return RiskLevel.HIGH
    if worst >= MEDIUM_FROM:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def read_scores(values: Mapping[RiskArea, tuple[int | None, int | None]]) -> list[RiskScore]:
    """Scores for every area, in `RiskArea` order; `RiskRefused` when one is missing or off
    the scale (all or none: an empty mapping gives no scores)."""
    if not values:
        return []
    scores: list[RiskScore] = []
    for area in RiskArea:
        consequence, likelihood = values.get(area, (None, None))
        if consequence is None or likelihood is None:
            raise RiskRefused(RiskRefusal.SCORE_MISSING, area=area.value)
        if consequence not in SCALE or likelihood not in SCALE:
            raise RiskRefused(RiskRefusal.SCORE_INVALID, area=area.value)
        scores.append(RiskScore(area=area, consequence=consequence, likelihood=likelihood))
    return scores


def may_assess(person: Person, contract: Contract, *, procurement: bool) -> bool:
    return procurement or person.id in (contract.owner_id, contract.manager_id, contract.deputy_id)


def register_assessment(contract: Contract) -> RiskAssessment:
    """The register's risk column as version 0: no scores, no reason, no person."""
    return RiskAssessment(
        contract_id=contract.id,
        version=0,
        source=RiskSource.REGISTER,
        chosen=contract.risk,
    )


def latest_assessment(uow: ChecksUnitOfWork, contract: Contract) -> RiskAssessment:
    """The contract's latest assessment: a stored version, or the register's (version 0)."""
    return uow.risk_assessments.latest(contract.id) or register_assessment(contract)


# --- assessing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessRisk:
    """`actor_id` assesses contract `reference`. `scores` empty: a level set without scores
    (then `chosen` and `reason` are required). `chosen` None: the suggestion."""

    actor_id: str
    reference: str
    scores: Mapping[RiskArea, tuple[int | None, int | None]] = field(default_factory=dict)
    chosen: RiskLevel | None = None
    reason: str | None = None
    comment: str | None = None
    procurement: bool = False
    """The actor is procurement (by role or configuration: `followup.access.is_procurement`)."""


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What a change of level did to the contract's plan, by checkpoint title."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    cadence_changed: tuple[str, ...] = ()
    follow_ups_added: int = 0
    follow_ups_removed: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.cadence_changed)


@dataclass(frozen=True, slots=True)
class RiskAssessed:
    contract: Contract
    assessment: RiskAssessment
    level_changed: bool
    plan: PlanDiff


def check_assessment(cmd: AssessRisk) -> tuple[list[RiskScore], RiskLevel, RiskLevel | None]:
    """The scores, the chosen level and the suggestion of a command; `RiskRefused` if it
    cannot be stored (before anything is read or written)."""
    scores = read_scores(cmd.scores)
    suggested = suggested_level(scores)
    chosen = cmd.chosen or suggested
    if chosen is None:
        raise RiskRefused(RiskRefusal.LEVEL_MISSING)
    reason = clean_text(cmd.reason)
    if (suggested is None or chosen is not suggested) and not reason:
        raise RiskRefused(RiskRefusal.REASON_MISSING)
    if len(reason or "") > MAX_REASON or len(clean_text(cmd.comment) or "") > MAX_COMMENT:
        raise RiskRefused(RiskRefusal.TOO_LONG)
    return scores, chosen, suggested


def assess_risk(
    cmd: AssessRisk,
    uow: ChecksUnitOfWork,
    now: datetime,
    *,
    config: PlanConfig,
    calendar: WorkingCalendar,
) -> RiskAssessed:
    """Store a new version of the contract's risk assessment; when its level differs from the
    contract's risk, change the risk and apply the plan again. The caller commits."""
    contract = find_contract(uow, cmd.reference)
    person = uow.people.get(cmd.actor_id)
    if person is None or not may_assess(person, contract, procurement=cmd.procurement):
        raise NotAllowed("not the contract's", code=RiskRefusal.NOT_ALLOWED.value)
    scores, chosen, suggested = check_assessment(cmd)
    reason = clean_text(cmd.reason)
    latest = uow.risk_assessments.latest(contract.id)
    assessment = RiskAssessment(
        contract_id=contract.id,
        version=(latest.version if latest else 0) + 1,
        assessed_by_id=person.id,
        assessed_at=now,
        scores=scores,
        suggested=suggested,
        chosen=chosen,
        reason=reason if reason else None,
        comment=clean_text(cmd.comment),
        previous=contract.risk,
    )
    uow.risk_assessments.add(assessment)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=person.id,
            action="risk.assessed",
            entity="contract",
            entity_id=contract.id,
            before=_audited(latest) if latest else {"risk": contract.risk.value},
            after=_audited(assessment),
        )
    )
    if chosen is contract.risk:
        return RiskAssessed(contract, assessment, level_changed=False, plan=PlanDiff())
    changed = contract.model_copy(update={"risk": chosen})
    uow.contracts.update(changed, now)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=person.id,
            action="contract.updated",
            entity="contract",
            entity_id=contract.id,
            before={"risk": contract.risk.value},
            after={"risk": chosen.value},
        )
    )
    plan = replan(uow, changed, now, config=config, calendar=calendar, actor=person.id)
    return RiskAssessed(changed, assessment, level_changed=True, plan=plan)


def _audited(assessment: RiskAssessment) -> dict[str, object]:
    return {
        "version": assessment.version,
        "scores": {s.area.value: [s.consequence, s.likelihood] for s in assessment.scores},
        "suggested": assessment.suggested.value if assessment.suggested else None,
        "chosen": assessment.chosen.value,
        "reason": assessment.reason,
        "comment": assessment.comment,
    }


def replan(
    uow: ChecksUnitOfWork,
    contract: Contract,
    now: datetime,
    *,
    config: PlanConfig,
    calendar: WorkingCalendar,
    actor: str,
) -> PlanDiff:
    """Apply the plan to the contract again (templates by risk) and its calendar; what changed."""
    before = _active(uow.checkpoints.for_contracts([contract.id]))
    apply_plans(uow, [contract.id], config, now, actor=actor)
    calendar_changes = materialise_calendar(
        uow, [contract.id], now, settings=config.calendar, calendar=calendar
    )
    after = _active(uow.checkpoints.for_contracts([contract.id]))
    return PlanDiff(
        added=tuple(after[code].title for code in after.keys() - before.keys()),
        removed=tuple(before[code].title for code in before.keys() - after.keys()),
        cadence_changed=tuple(
            after[code].title
            for code in after.keys() & before.keys()
            if after[code].rrule != before[code].rrule
        ),
        follow_ups_added=calendar_changes.created,
        follow_ups_removed=calendar_changes.removed,
    )


def _active(checkpoints: Sequence[Checkpoint]) -> dict[str, Checkpoint]:
    """Active checkpoints by code, copied (the repository may hand out what it then changes)."""
    return {
        c.code: c.model_copy(deep=True) for c in checkpoints if c.status is CheckpointStatus.ACTIVE
    }


# --- the overview for procurement ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskOverview:
    never: tuple[RiskDue, ...]
    """Contracts in force with only the register's level."""
    stale: tuple[RiskDue, ...]
    """Contracts whose latest assessment is more than `STALE_MONTHS` months old."""
    stale_before: datetime


def risk_overview(
    uow: ChecksUnitOfWork,
    now: datetime,
    *,
    procurement: bool,
    limit: int = OVERVIEW_LIMIT,
) -> RiskOverview:
    """For procurement: contracts never assessed and assessments older than 12 months."""
    if not procurement:
        raise NotAllowed("procurement only", code="risk.overview_procurement_only")
    before = now - relativedelta(months=STALE_MONTHS)
    due = uow.risk_assessments.due(before, limit)
    return RiskOverview(
        never=tuple(d for d in due if d.assessed_at is None),
        stale=tuple(d for d in due if d.assessed_at is not None),
        stale_before=before,
    )


__all__ = [
    "AssessRisk",
    "PlanDiff",
    "RiskAssessed",
    "RiskOverview",
    "RiskRefusal",
    "RiskRefused",
    "assess_risk",
    "check_assessment",
    "latest_assessment",
    "may_assess",
    "read_scores",
    "register_assessment",
    "replan",
    "risk_overview",
    "suggested_level",
]
