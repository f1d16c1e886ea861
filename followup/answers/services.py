"""Answers: the owner, or whoever answers for them, answers a follow-up in one click.

Who may answer is `followup.reminders.controls.may_answer`: the contract's owner, deputy and
manager, and whoever covers for an absent owner today. An answer given by the contract's
deputy, or by whoever covers for the owner, is recorded on behalf of the owner
(`on_behalf_of_id`); the owner and the manager answer in their own name.

An answer is never overwritten or deleted: answering again (a correction) stores the next
version, and the follow-up takes the state of the latest one. Each answer is idempotent on the
activity it came in, in its conversation (`SourceKey`: channel + conversation + activity id):
Teams re-sends an activity it got no reply to in time, and the same activity stores one answer,
also when both arrive at once. Teams message ids are per-conversation timestamps, so two people
may send the same id at once: in two conversations they are two answers.

What an answer does to the follow-up: it leaves the reminder ladder (`next_action_at = None`)
and its state becomes

- ANSWERED for DELIVERED, PARTLY_DELIVERED, DOCUMENTS and NOT_APPLICABLE;
- DEVIATION_REPORTED for DEVIATION and NOT_DELIVERED: a delivery that did not come is a
  deviation from the contract (DOMAIN.md: *forsinkelse*), and procurement's views count it
  as such. The bot offers to report it in full (`followup.deviations.services.report_deviation`).

Every other answer (`followup.answers.actions`: an option or expiry decision, a price check in
order, a status meeting held) makes it ANSWERED. A decision records who decided and when
(`Answer.decided_by`, `Answer.decided_on`): nobody named is the person answering, no date is
today (Oslo); a date after today, one that cannot be read, or a name longer than
`MAX_DECIDED_BY` is refused, and nothing is stored.

NOT_APPLICABLE is an answer, not SKIPPED: SKIPPED is the plan's word for an occurrence it
retired, which can no longer be answered; a person saying "not relevant here" can change
their mind, and the answer shows who said so and when.

Refused (`AnswerRefused`, with a reason code for the bot's text catalogue): an unknown
follow-up, a person who may not answer it, a contract that is no longer active (expired or
terminated: corrections too), a follow-up the plan skipped or whose checkpoint was removed,
and text longer than `MAX_ANSWER_TEXT` once cleaned (`clean_text`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from followup import lifecycle
from followup.absence import responsible_person
from followup.answers.actions import DECISION_KINDS
from followup.calendar.workdays import oslo_today
from followup.dates import read_date
from followup.errors import Refused
from followup.evidence import missing_evidence
from followup.models import (
    MAX_DECIDED_BY,
    Answer,
    AnswerKind,
    AuditEvent,
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractStatus,
    Deviation,
    Document,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer

MAX_ANSWER_TEXT: Final = 2_000
MAX_ACTIVITY_ID: Final = 200
MAX_CHANNEL: Final = 32

STATE_AFTER: Final = lifecycle.STATE_AFTER_ANSWER
"""The follow-up's state after an answer of each kind (`followup.lifecycle`)."""

INACTIVE_CONTRACT: Final = frozenset({ContractStatus.EXPIRED, ContractStatus.TERMINATED})


class AnswerRefusal(StrEnum):
    """Why an answer was refused; the value is the code for the bot's text catalogue."""

    UNKNOWN_FOLLOW_UP = "answer.unknown_follow_up"
    NOT_YOURS = "answer.not_yours"
    CONTRACT_INACTIVE = "answer.contract_inactive"
    FOLLOW_UP_CLOSED = "answer.follow_up_closed"
    TEXT_TOO_LONG = "answer.text_too_long"
    UNKNOWN_KIND = "answer.unknown_kind"
    DECIDED_BY_TOO_LONG = "answer.decided_by_too_long"
    DECIDED_ON_UNREADABLE = "answer.decided_on_unreadable"
    DECIDED_ON_FUTURE = "answer.decided_on_future"


class AnswerRefused(Refused):
    reason: AnswerRefusal

    def __init__(self, reason: AnswerRefusal, message: str = "", **values: object) -> None:
        super().__init__(reason, message, **values)


# --- text ------------------------------------------------------------------------------------

_DROPPED: Final = frozenset(
    "\u200b\ufeff"  # zero-width space, byte order mark
    "\u200e\u200f\u061c"  # direction marks
    "\u202a\u202b\u202c\u202d\u202e"  # direction embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # direction isolates
)
_SPACES: Final = re.compile(r"[^\S\n]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


def clean_text(value: str | None) -> str | None:
    """Free text as stored: Unicode kept (NFC), control characters and direction overrides
    dropped, runs of spaces made one space, at most one blank line in a row, ends trimmed.
    Empty → None. Markup is not interpreted: `<script>` stays the text `<script>`."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    kept: list[str] = []
    for char in text:
        if char in "\r\u2028\u2029\u0085":
            kept.append("\n")
        elif char == "\n":
            kept.append(char)
        elif char in _DROPPED:
            continue
        elif unicodedata.category(char) in ("Cc", "Cs"):
            # Tabs and other spacing controls become spaces; the rest goes.
            if char in "\t\x0b\x0c":
                kept.append(" ")
        else:
            kept.append(char)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    cleaned = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return cleaned or None


def activity_key(source_activity_id: str | None) -> str | None:
    """The activity id as stored: blank is none, and an overlong id is stored as its hash
    (cutting it could make two ids one)."""
    if source_activity_id is None or not source_activity_id.strip():
        return None
    key = source_activity_id.strip()
    if len(key) > MAX_ACTIVITY_ID:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def conversation_key(channel_id: str | None, conversation_id: str | None) -> str:
    """The conversation an activity came in, as stored next to its activity id: the SHA-256 of
    channel and conversation id (hex), as the endpoint's claim combines them
    (`bot.teams.endpoint.activity_key`); "" when the conversation is not known."""
    if not conversation_id:
        return ""
    return hashlib.sha256(f"{channel_id or ''}\x1f{conversation_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SourceKey:
    """What an answer or a deviation is idempotent on: the activity it came in, in its
    conversation. Teams message ids are per-conversation timestamps, so the id alone is not
    unique: two people may send the same one."""

    conversation: str
    """`conversation_key`; "" when not known (and on rows stored before migration 0007, whose
    conversation was not kept)."""
    activity: str
    """`activity_key`."""


def source_key(
    activity_id: str | None, channel_id: str | None = None, conversation_id: str | None = None
) -> SourceKey | None:
    """The key of an activity (None without an activity id: nothing to de-duplicate)."""
    activity = activity_key(activity_id)
    if activity is None:
        return None
    return SourceKey(conversation_key(channel_id, conversation_id), activity)


# --- who answers what ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerTarget:
    """A follow-up a person may answer now, with what the answer needs."""

    follow_up: FollowUp
    contract: Contract
    checkpoint: Checkpoint
    person: Person
    on_behalf_of_id: str | None


def find_answer_target(
    uow: UnitOfWork, follow_up_id: str, person_id: str, now: datetime
) -> AnswerTarget:
    """The follow-up, if the person may answer it now; raises `AnswerRefused` otherwise."""
    follow_up, contract, checkpoint = load_follow_up(uow, follow_up_id)
    person = uow.people.get(person_id)
    if person is None:
        raise AnswerRefused(AnswerRefusal.NOT_YOURS, reference=contract.reference)
    return chosen_target(uow, person, contract, follow_up, checkpoint, now)


def answer_target_for(
    uow: UnitOfWork, follow_up_id: str, person: Person, now: datetime
) -> AnswerTarget:
    """As `find_answer_target`, for a person this unit of work has read already (the turn's
    sender): not read a second time."""
    follow_up, contract, checkpoint = load_follow_up(uow, follow_up_id)
    return chosen_target(uow, person, contract, follow_up, checkpoint, now)


def chosen_target(
    uow: UnitOfWork,
    person: Person,
    contract: Contract,
    follow_up: FollowUp,
    checkpoint: Checkpoint,
    now: datetime,
) -> AnswerTarget:
    """As `find_answer_target`, for a follow-up already read in this unit of work with its
    contract and checkpoint (a typed answer's choice): not read a second time."""
    today = oslo_today(now)
    if follow_up.contract_id != contract.id or follow_up.checkpoint_id != checkpoint.id:
        raise AnswerRefused(AnswerRefusal.UNKNOWN_FOLLOW_UP, follow_up_id=follow_up.id)
    if not may_answer(uow, person, contract, today):
        raise AnswerRefused(AnswerRefusal.NOT_YOURS, reference=contract.reference)
    return AnswerTarget(
        follow_up, contract, checkpoint, person, _on_behalf_of(uow, person, contract, today)
    )


def load_follow_up(uow: UnitOfWork, follow_up_id: str) -> tuple[FollowUp, Contract, Checkpoint]:
    """The follow-up with its contract and checkpoint; raises `AnswerRefused`
    (UNKNOWN_FOLLOW_UP)."""
    follow_up = uow.follow_ups.get_many([follow_up_id]).get(follow_up_id)
    contract = uow.contracts.get(follow_up.contract_id) if follow_up else None
    if follow_up is None or contract is None:
        raise AnswerRefused(AnswerRefusal.UNKNOWN_FOLLOW_UP, follow_up_id=follow_up_id)
    for checkpoint in uow.checkpoints.for_contracts([contract.id]):
        if checkpoint.id == follow_up.checkpoint_id:
            return follow_up, contract, checkpoint
    raise AnswerRefused(AnswerRefusal.UNKNOWN_FOLLOW_UP, follow_up_id=follow_up_id)


def answer_closed_reason(target: AnswerTarget) -> AnswerRefusal | None:
    """Why the follow-up takes no answer now (None: it does)."""
    if target.contract.status in INACTIVE_CONTRACT:
        return AnswerRefusal.CONTRACT_INACTIVE
    if (
        not lifecycle.allows(lifecycle.Event.ANSWERED, target.follow_up.state)
        or target.checkpoint.status is CheckpointStatus.REMOVED
    ):
        return AnswerRefusal.FOLLOW_UP_CLOSED
    return None


def _on_behalf_of(uow: UnitOfWork, person: Person, contract: Contract, today: date) -> str | None:
    owner_id = contract.owner_id
    if owner_id is None or person.id == owner_id:
        return None
    if person.id == contract.deputy_id:
        return owner_id
    owner = uow.people.get(owner_id)
    absences = uow.absences.for_people([owner_id], today)
    if responsible_person(contract, owner, absences, today) == person.id:
        return owner_id
    return None


# --- recording -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerRecorded:
    answer: Answer
    created: bool
    """False: this activity's answer was already stored, and is what came back."""
    follow_up: FollowUp
    """The follow-up after the answer."""
    previous: Answer | None
    """The version before `answer`, if any."""


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    """`person_id` answers `follow_up_id` with `kind`, from the activity `source_activity_id`
    in the conversation `source_conversation_id` of the channel `source_channel_id` (the
    answer is idempotent on the three, `source_key`). A decision (`DECISION_KINDS`) says who
    decided (`decided_by`) and when (`decided_on`: a date, or as typed or sent by a card's date
    field); both are optional and ignored for other answers."""

    follow_up_id: str
    kind: AnswerKind | str
    person_id: str
    text: str | None = None
    source_activity_id: str | None = None
    source_channel_id: str | None = None
    source_conversation_id: str | None = None
    channel: str = "msteams"
    decided_by: str | None = None
    decided_on: date | str | None = None


def record_answer(
    cmd: RecordAnswer, uow: UnitOfWork, now: datetime, *, target: AnswerTarget | None = None
) -> AnswerRecorded:
    """Record an answer (see the module docstring); raises `AnswerRefused`. The caller commits.

    `target`: the follow-up as `find_answer_target` found it for `cmd` in this unit of work
    (then it is not looked up again). When a concurrent transaction stored this activity's
    answer first, what this call wrote is rolled back and theirs comes back (`created` False)."""
    answer_kind = parse_kind(cmd.kind)
    cleaned = clean_text(cmd.text)
    if target is None:
        target = find_answer_target(uow, cmd.follow_up_id, cmd.person_id, now)
    key = source_key(cmd.source_activity_id, cmd.source_channel_id, cmd.source_conversation_id)
    replay = replayed_answer(uow, key)
    if replay is not None:
        return replay
    reason = answer_closed_reason(target)
    if reason is not None:
        raise AnswerRefused(reason, reference=target.contract.reference)
    check_text(cleaned)
    decision = read_decision(answer_kind, cmd.decided_by, cmd.decided_on, target.person, now)
    return store_checked_answer(
        uow,
        target,
        answer_kind,
        now,
        text=cleaned,
        source=key,
        channel=cmd.channel,
        decision=decision,
    )


def store_checked_answer(
    uow: UnitOfWork,
    target: AnswerTarget,
    kind: AnswerKind,
    now: datetime,
    *,
    text: str | None,
    source: SourceKey | None,
    channel: str,
    decision: Decision | None = None,
) -> AnswerRecorded:
    """Store an answer whose checks the caller has made in this unit of work (no answer of
    this activity yet, the follow-up open, the text cleaned and short enough, the decision
    read: `record_answer` and `store_document` make them). A concurrent transaction that
    stored this activity's answer first wins: what this call wrote is rolled back and theirs
    comes back."""
    recorded = _store_answer(
        uow, target, kind, now, text=text, source=source, channel=channel, decision=decision
    )
    if not recorded.created:
        uow.rollback()
        return replayed_answer(uow, source) or recorded
    return recorded


def parse_kind(kind: AnswerKind | str) -> AnswerKind:
    try:
        return AnswerKind(kind)
    except ValueError:
        raise AnswerRefused(AnswerRefusal.UNKNOWN_KIND, kind=str(kind)[:40]) from None


def check_text(cleaned: str | None) -> None:
    if cleaned is not None and len(cleaned) > MAX_ANSWER_TEXT:
        raise AnswerRefused(AnswerRefusal.TEXT_TOO_LONG, length=len(cleaned), limit=MAX_ANSWER_TEXT)


# --- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """Who decided an option or expiry question, and on which day."""

    decided_by: str
    decided_on: date


def read_decision(
    kind: AnswerKind,
    decided_by: str | None,
    decided_on: date | str | None,
    person: Person,
    now: datetime,
) -> Decision | None:
    """The decision an answer of `kind` records (None: `kind` is no decision, and what was
    given is ignored). No name is `person`, the one answering; no date is today (Oslo). A date
    is a `date`, ISO (a card's date field) or typed in Norwegian (`3.12.2026`, `i går`; a date
    without a year is the most recent one). Raises `AnswerRefused`: a name longer than
    `MAX_DECIDED_BY`, a date that cannot be read (or could be two), a date after today."""
    if kind not in DECISION_KINDS:
        return None
    today = oslo_today(now)
    name = " ".join((clean_text(decided_by) or "").split())
    if len(name) > MAX_DECIDED_BY:
        raise AnswerRefused(
            AnswerRefusal.DECIDED_BY_TOO_LONG, length=len(name), limit=MAX_DECIDED_BY
        )
    day = _decision_day(decided_on, now) or today
    if day > today:
        raise AnswerRefused(AnswerRefusal.DECIDED_ON_FUTURE)
    return Decision(name or person.display_name[:MAX_DECIDED_BY], day)


def _decision_day(value: date | str | None, now: datetime) -> date | None:
    if value is None or isinstance(value, date):
        return value
    typed = " ".join(value.split())
    if not typed:
        return None
    reading = read_date(typed, now, prefer="past")
    if reading.date is None:
        raise AnswerRefused(AnswerRefusal.DECIDED_ON_UNREADABLE, value=typed[:40])
    return reading.date


def replayed_answer(uow: UnitOfWork, key: SourceKey | None) -> AnswerRecorded | None:
    """The answer already stored for this activity, as `record_answer` returned it."""
    answer = uow.answers.by_source_activity(key.conversation, key.activity) if key else None
    if answer is None:
        return None
    follow_up = uow.follow_ups.get_many([answer.follow_up_id])[answer.follow_up_id]
    return AnswerRecorded(answer, False, follow_up, _previous(uow, answer))


def _previous(uow: UnitOfWork, answer: Answer) -> Answer | None:
    if answer.version <= 1:
        return None  # versions count from 1: the first answer has none before it (not read)
    return next(
        (
            a
            for a in uow.answers.for_follow_up(answer.follow_up_id)
            if a.version == answer.version - 1
        ),
        None,
    )


def _store_answer(
    uow: UnitOfWork,
    target: AnswerTarget,
    kind: AnswerKind,
    now: datetime,
    *,
    text: str | None,
    source: SourceKey | None,
    channel: str,
    decision: Decision | None,
) -> AnswerRecorded:
    """Store the answer and move the follow-up in `uow`, checks done (`created` False: a
    concurrent transaction stored this activity's answer, and this one must be rolled back)."""
    before = target.follow_up
    after = lifecycle.answer(before, kind)
    # The follow-up's row first: its lock puts concurrent answers to one follow-up in turn,
    # so each takes the next version number.
    uow.follow_ups.reschedule([lifecycle.schedule_change(after)])
    answer, created = uow.answers.add(
        Answer(
            follow_up_id=before.id,
            kind=kind,
            answered_by_id=target.person.id,
            on_behalf_of_id=target.on_behalf_of_id,
            answered_at=now,
            text=text,
            channel=(channel.strip() or "msteams")[:MAX_CHANNEL],
            source_activity_id=source.activity if source else None,
            source_conversation=source.conversation if source else "",
            decided_by=decision.decided_by if decision else None,
            decided_on=decision.decided_on if decision else None,
        )
    )
    if not created:
        return AnswerRecorded(answer, False, after, None)
    previous = _previous(uow, answer)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{target.person.id}",
            action="answer.recorded",
            entity="follow_up",
            entity_id=before.id,
            before={
                "state": before.state.value,
                "next_action_at": before.next_action_at.isoformat()
                if before.next_action_at
                else None,
                "answer_version": previous.version if previous else None,
            },
            after={
                "state": after.state.value,
                "next_action_at": None,
                "answer_id": answer.id,
                "answer_version": answer.version,
                "kind": kind.value,
                "on_behalf_of_id": answer.on_behalf_of_id,
                **(
                    {
                        "decided_by": decision.decided_by,
                        "decided_on": decision.decided_on.isoformat(),
                    }
                    if decision
                    else {}
                ),
            },
        )
    )
    return AnswerRecorded(answer, True, after, previous)


# --- the card after an answer ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerSummary:
    answer: Answer
    answered_by_name: str | None
    on_behalf_of_name: str | None

    @property
    def kind(self) -> AnswerKind:
        return self.answer.kind

    @property
    def text(self) -> str | None:
        return self.answer.text

    @property
    def answered_at(self) -> datetime:
        return self.answer.answered_at

    @property
    def version(self) -> int:
        return self.answer.version


@dataclass(frozen=True, slots=True)
class FollowUpView:
    """What the bot shows of a follow-up after an answer."""

    follow_up: FollowUp
    contract: Contract
    supplier_name: str | None
    checkpoint: Checkpoint
    latest: AnswerSummary | None
    """The answer in force (the latest version), with names for "answered by X for Y"."""
    versions: int
    documents: Sequence[Document]
    missing_evidence: Sequence[str]
    """Evidence codes the checkpoint asks for that no document of this follow-up is."""
    deviations: Sequence[Deviation]

    @property
    def due_date(self) -> date:
        return self.follow_up.due_date

    @property
    def state(self) -> FollowUpState:
        return self.follow_up.state


def answer_view(follow_up_id: str, uow: UnitOfWork) -> FollowUpView:
    """The follow-up with its contract, supplier, checkpoint, latest answer, documents, missing
    evidence and deviations; raises `AnswerRefused` (UNKNOWN_FOLLOW_UP)."""
    follow_up, contract, checkpoint = load_follow_up(uow, follow_up_id)
    return answer_view_of(follow_up, contract, checkpoint, uow)


def answer_view_of(
    follow_up: FollowUp, contract: Contract, checkpoint: Checkpoint, uow: UnitOfWork
) -> FollowUpView:
    """As `answer_view`, for a follow-up this unit of work has read already with its contract
    and checkpoint (a typed command's choice): those are not read a second time."""
    follow_up_id = follow_up.id
    answers = uow.answers.for_follow_up(follow_up_id)
    latest = answers[-1] if answers else None
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    summary = None
    if latest is not None:
        people = uow.people.get_many(
            {p for p in (latest.answered_by_id, latest.on_behalf_of_id) if p}
        )
        by = people.get(latest.answered_by_id)
        for_ = people.get(latest.on_behalf_of_id) if latest.on_behalf_of_id else None
        summary = AnswerSummary(
            latest, by.display_name if by else None, for_.display_name if for_ else None
        )
    documents = list(uow.documents.for_follow_up(follow_up_id))
    return FollowUpView(
        follow_up=follow_up,
        contract=contract,
        supplier_name=supplier.name if supplier else None,
        checkpoint=checkpoint,
        latest=summary,
        versions=len(answers),
        documents=documents,
        missing_evidence=missing_evidence(checkpoint.evidence, (d.evidence for d in documents)),
        deviations=list(uow.deviations.for_follow_up(follow_up_id)),
    )


def answer_view_after(
    recorded: AnswerRecorded, target: AnswerTarget, uow: UnitOfWork
) -> FollowUpView:
    """As `answer_view`, just after `record_answer` stored `recorded` for `target` in `uow`:
    what the answer read or wrote is not read again (the follow-up, its contract and checkpoint,
    the answers, who answered), only the supplier, the documents and the deviations."""
    if not recorded.created:  # a copy of an answer stored before: show what is stored
        return answer_view(recorded.follow_up.id, uow)
    answer, contract = recorded.answer, target.contract
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    on_behalf_of = (
        uow.people.get_many([answer.on_behalf_of_id]).get(answer.on_behalf_of_id)
        if answer.on_behalf_of_id
        else None
    )
    follow_up_id = recorded.follow_up.id
    documents = list(uow.documents.for_follow_up(follow_up_id))
    return FollowUpView(
        follow_up=recorded.follow_up,
        contract=contract,
        supplier_name=supplier.name if supplier else None,
        checkpoint=target.checkpoint,
        latest=AnswerSummary(
            answer,
            target.person.display_name,
            on_behalf_of.display_name if on_behalf_of else None,
        ),
        versions=answer.version,
        documents=documents,
        missing_evidence=missing_evidence(
            target.checkpoint.evidence, (d.evidence for d in documents)
        ),
        deviations=list(uow.deviations.for_follow_up(follow_up_id)),
    )


__all__ = [
    "MAX_ANSWER_TEXT",
    "STATE_AFTER",
    "AnswerRecorded",
    "AnswerRefusal",
    "AnswerRefused",
    "AnswerSummary",
    "AnswerTarget",
    "Decision",
    "FollowUpView",
    "RecordAnswer",
    "SourceKey",
    "activity_key",
    "answer_closed_reason",
    "answer_target_for",
    "answer_view",
    "answer_view_after",
    "answer_view_of",
    "check_text",
    "chosen_target",
    "clean_text",
    "conversation_key",
    "find_answer_target",
    "load_follow_up",
    "parse_kind",
    "read_decision",
    "record_answer",
    "replayed_answer",
    "source_key",
]
