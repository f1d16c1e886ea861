"""Supplier evaluation of a contract (issue 19, item 3).

Who: the contract's owner, manager and deputy, and procurement (`may_assess`, as for the risk
assessment). What: for each of DFØ's headings (`EvaluationHeading`) a score on 1–5
(`EVALUATION_SCALE` says why) and a comment; the last heading, *samlet vurdering*, is the
overall score. A score of 1 or 2 needs a comment: the evaluation is sent to the supplier as a
letter to comment on, and a low score must say why.

Every evaluation is a new version (never an overwrite) with an audit event
(`evaluation.recorded`). When the contract has an open evaluation follow-up (a checkpoint whose
evidence names `evaluering`, the plan file's yearly «Leverandørevaluering») due within
`ANSWERS_DUE_WITHIN_DAYS` days, the evaluation answers it (documentation given), as the person
would have answered it by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from followup.answers.services import (
    AnswerRecorded,
    AnswerRefused,
    answer_closed_reason,
    answer_target_for,
    clean_text,
    store_checked_answer,
)
from followup.calendar.workdays import oslo_today
from followup.checks.evaluation_models import (
    EVALUATION_SCALE,
    EvaluationHeading,
    HeadingScore,
    SupplierEvaluation,
)
from followup.checks.ports import EvaluationUnitOfWork
from followup.checks.risk import may_assess
from followup.errors import NotAllowed, Refused
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    AnswerKind,
    AuditEvent,
    Contract,
    FollowUp,
)
from followup.ports import UnitOfWork
from followup.tasks import find_contract

COMMENT_BELOW: Final = 3
"""Scores below this need a comment."""
MAX_COMMENT: Final = 2_000
EVIDENCE_CODE: Final = "evaluering"
"""The plan file's evidence code for an evaluation (`default_plan.toml`)."""
ANSWERS_DUE_WITHIN_DAYS: Final = 90
"""An evaluation answers an open evaluation follow-up due at most this many days ahead (or
overdue): the yearly one being done a little early, not next year's."""
OLDEST_DUE: Final = date(2000, 1, 1)


class EvaluationRefusal(StrEnum):
    """Why an evaluation is refused: the text catalogue's codes."""

    NOT_ALLOWED = "evaluation.not_allowed"
    SCORE_MISSING = "evaluation.score_missing"
    SCORE_INVALID = "evaluation.score_invalid"
    COMMENT_MISSING = "evaluation.comment_missing"
    TOO_LONG = "evaluation.too_long"


class EvaluationRefused(Refused):
    """An evaluation refused; nothing is stored. `heading` names the heading at fault."""


@dataclass(frozen=True, slots=True)
class RecordEvaluation:
    """`actor_id` evaluates the supplier of contract `reference`: a score (None: not given)
    and a comment per heading."""

    actor_id: str
    reference: str
    scores: Mapping[EvaluationHeading, tuple[int | None, str | None]] = field(default_factory=dict)
    procurement: bool = False


@dataclass(frozen=True, slots=True)
class EvaluationRecorded:
    contract: Contract
    evaluation: SupplierEvaluation
    answered: AnswerRecorded | None
    """The evaluation follow-up it answered, if any."""
    answered_title: str | None = None
    """That follow-up's checkpoint title (the yearly evaluation, or the one at the end)."""


def read_scores(
    values: Mapping[EvaluationHeading, tuple[int | None, str | None]],
) -> list[HeadingScore]:
    """A score for every heading, in `EvaluationHeading` order; `EvaluationRefused` for the
    first heading without a score, off the scale, low without a comment, or too long."""
    scores: list[HeadingScore] = []
    for heading in EvaluationHeading:
        score, comment = values.get(heading, (None, None))
        cleaned = clean_text(comment)
        if score is None:
            raise EvaluationRefused(EvaluationRefusal.SCORE_MISSING, heading=heading.value)
        if score not in EVALUATION_SCALE:
            raise EvaluationRefused(EvaluationRefusal.SCORE_INVALID, heading=heading.value)
        if score < COMMENT_BELOW and not cleaned:
            raise EvaluationRefused(EvaluationRefusal.COMMENT_MISSING, heading=heading.value)
        if len(cleaned or "") > MAX_COMMENT:
            raise EvaluationRefused(EvaluationRefusal.TOO_LONG, heading=heading.value)
        scores.append(HeadingScore(heading=heading, score=score, comment=cleaned))
    return scores


def record_evaluation(
    cmd: RecordEvaluation, uow: EvaluationUnitOfWork, now: datetime
) -> EvaluationRecorded:
    """Store a new version of the contract's supplier evaluation (audited) and answer its open
    evaluation follow-up, if any. The caller commits."""
    contract = find_contract(uow, cmd.reference)
    person = uow.people.get(cmd.actor_id)
    if person is None or not may_assess(person, contract, procurement=cmd.procurement):
        raise NotAllowed("not the contract's", code=EvaluationRefusal.NOT_ALLOWED.value)
    scores = read_scores(cmd.scores)
    latest = uow.supplier_evaluations.latest(contract.id)
    evaluation = SupplierEvaluation(
        contract_id=contract.id,
        supplier_id=contract.supplier_id,
        version=(latest.version if latest else 0) + 1,
        evaluated_by_id=person.id,
        evaluated_at=now,
        scores=scores,
    )
    uow.supplier_evaluations.add(evaluation)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=person.id,
            action="evaluation.recorded",
            entity="contract",
            entity_id=contract.id,
            before=audited(latest) if latest else None,
            after=audited(evaluation),
        )
    )
    answered, answered_title = _answer_follow_up(uow, contract, person.id, evaluation, now)
    return EvaluationRecorded(contract, evaluation, answered, answered_title)


def audited(evaluation: SupplierEvaluation) -> dict[str, object]:
    return {
        "version": evaluation.version,
        "scores": {s.heading.value: [s.score, s.comment] for s in evaluation.scores},
    }


def open_evaluation_follow_up(
    uow: UnitOfWork, contract: Contract, now: datetime
) -> FollowUp | None:
    """The contract's earliest open evaluation follow-up due by `ANSWERS_DUE_WITHIN_DAYS`
    from today (overdue ones included); None when there is none."""
    evaluation_checkpoints = {
        c.id for c in uow.checkpoints.for_contracts([contract.id]) if EVIDENCE_CODE in c.evidence
    }
    if not evaluation_checkpoints:
        return None
    today = oslo_today(now)
    due = uow.follow_ups.for_contracts_between(
        [contract.id], OLDEST_DUE, today + timedelta(days=ANSWERS_DUE_WITHIN_DAYS)
    )
    open_ones = [
        f
        for f in due
        if f.checkpoint_id in evaluation_checkpoints and f.state in OPEN_FOLLOW_UP_STATES
    ]
    return min(open_ones, key=lambda f: f.due_date, default=None)


def _answer_follow_up(
    uow: UnitOfWork,
    contract: Contract,
    person_id: str,
    evaluation: SupplierEvaluation,
    now: datetime,
) -> tuple[AnswerRecorded | None, str | None]:
    follow_up = open_evaluation_follow_up(uow, contract, now)
    person = uow.people.get(person_id)
    if follow_up is None or person is None:
        return None, None
    try:
        target = answer_target_for(uow, follow_up.id, person, now)
    except AnswerRefused:
        return None, None  # procurement, say, who may evaluate but not answer the owner's one
    if answer_closed_reason(target) is not None:
        return None, None
    return store_checked_answer(
        uow,
        target,
        AnswerKind.DOCUMENTS,
        now,
        text=f"Leverandørevaluering versjon {evaluation.version}: samlet {evaluation.overall}/5.",
        source=None,
        channel="msteams",
    ), target.checkpoint.title


def latest_evaluation(uow: EvaluationUnitOfWork, contract: Contract) -> SupplierEvaluation | None:
    return uow.supplier_evaluations.latest(contract.id)


__all__ = [
    "ANSWERS_DUE_WITHIN_DAYS",
    "COMMENT_BELOW",
    "EvaluationRecorded",
    "EvaluationRefusal",
    "EvaluationRefused",
    "RecordEvaluation",
    "audited",
    "latest_evaluation",
    "open_evaluation_follow_up",
    "read_scores",
    "record_evaluation",
]
