"""Which follow-up a file sent to the bot belongs to.

A file arrives in a chat, not on a follow-up. In this order, the first that applies decides
(`choose_target`):

1. **A contract named in the message**: a word of it is a contract's reference. Of that
   contract's follow-ups the earliest open one whose checkpoint asks for documents is taken;
   else the one asking for documents most recently answered (the file completes or corrects
   that answer); else the earliest open follow-up of any kind; else the most recently answered
   one. A person who may not answer the contract is refused (`AnswerRefused`, NOT_YOURS); a
   contract with none of these, too (`NothingToDocument`).
2. **A follow-up remembered**: the person pressed `Last opp dokumentasjon` on a card a short
   while ago (the bot keeps that per conversation); still answerable by them and not closed.
3. **A contract named in a file name** (`Leveransebekreftelse_KOM-2025-0147.pdf`), chosen as
   in 1, but only a hint: a contract the person may not answer, or with nothing to take a file,
   is passed over.
4. **The only one**: exactly one open follow-up of theirs asks for documents.
5. Otherwise nobody can tell: the choice is ASK, with the person's open follow-ups (those
   asking for documents first) to offer.

A checkpoint asks for documents when it names evidence (`Checkpoint.evidence`) or offers the
`dokumentasjon` action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from followup.answers.services import (
    AnswerRefusal,
    AnswerRefused,
    answer_closed_reason,
    find_answer_target,
)
from followup.answers.targets import AHEAD_DAYS, ANSWERED, LOOK_BACK_DAYS
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.evidence import guess_evidence
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    Checkpoint,
    CheckpointStatus,
    Contract,
    FollowUp,
    Person,
)
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer
from followup.tasks import TaskItem, list_tasks

DOCUMENTS_ACTION: Final = "dokumentasjon"
MAX_WORDS: Final = 12
"""Words of a message (and of a file name) tried as contract references."""
_REFERENCE_LIKE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{1,62}[A-Za-z0-9]")
_TRIM: Final = "«»\"'()[]{}<>.,;:!?"


def asks_for_documents(checkpoint: Checkpoint) -> bool:
    return bool(checkpoint.evidence) or DOCUMENTS_ACTION in checkpoint.actions


def reference_words(text: str | None, limit: int = MAX_WORDS) -> list[str]:
    """Words that could be a contract reference (letters, digits, `-`, `.`, `/`, with at
    least one digit), in order, at most `limit`. Links are skipped; `_` separates words, as in
    file names."""
    found: list[str] = []
    for raw in re.split(r"[\s_]+", text or ""):
        if "://" in raw:
            continue
        word = raw.strip(_TRIM)
        if _REFERENCE_LIKE.fullmatch(word) and any(c.isdigit() for c in word):
            if word not in found:
                found.append(word)
            if len(found) >= limit:
                break
    return found


class TargetSource(StrEnum):
    NAMED = "named"
    REMEMBERED = "remembered"
    FILE_NAME = "file_name"
    ONLY_ONE = "only_one"
    ASK = "ask"


@dataclass(frozen=True, slots=True)
class UploadTarget:
    source: TargetSource
    follow_up_id: str | None
    """None: ASK (or a named contract with nothing to take documents)."""
    contract: Contract | None = None
    """The contract named, or the chosen follow-up's contract."""
    candidates: Sequence[TaskItem] = field(default_factory=tuple)
    """ASK: the person's open follow-ups to offer, those asking for documents first."""


class NothingToDocument(FollowUpError):
    """The contract named has no follow-up to take documents (nothing due or answered)."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            "nothing to document", code="upload.none_for_contract", reference=reference
        )


def follow_up_for_documents(
    uow: UnitOfWork, person: Person, contract: Contract, today: date
) -> FollowUp | None:
    """The follow-up of `contract` a file from `person` goes to (rule 1 above); raises
    `AnswerRefused` (NOT_YOURS) for someone who may not answer the contract."""
    if not may_answer(uow, person, contract, today):
        raise AnswerRefused(AnswerRefusal.NOT_YOURS, reference=contract.reference)
    found = uow.follow_ups.for_contracts_between(
        [contract.id], today - timedelta(days=LOOK_BACK_DAYS), today + timedelta(days=AHEAD_DAYS)
    )
    checkpoints = {
        c.id: c
        for c in uow.checkpoints.for_contracts([contract.id])
        if c.status is not CheckpointStatus.REMOVED
    }
    usable = [f for f in found if f.checkpoint_id in checkpoints]
    open_ones = sorted(
        (f for f in usable if f.state in OPEN_FOLLOW_UP_STATES), key=lambda f: f.due_date
    )
    answered = sorted(
        (f for f in usable if f.state in ANSWERED and f.due_date <= today + timedelta(days=7)),
        key=lambda f: f.due_date,
    )

    def documents(items: Iterable[FollowUp]) -> list[FollowUp]:
        return [f for f in items if asks_for_documents(checkpoints[f.checkpoint_id])]

    for pick in (
        documents(open_ones)[:1],
        documents(answered)[-1:],
        open_ones[:1],
        answered[-1:],
    ):
        if pick:
            return pick[0]
    return None


def named_contract(uow: UnitOfWork, words: Iterable[str]) -> Contract | None:
    """The first word that is a contract's reference (any case)."""
    for word in words:
        contract = uow.contracts.by_reference(word)
        if contract is not None:
            return contract
    return None


def open_follow_ups(uow: UnitOfWork, person_id: str, today: date) -> list[TaskItem]:
    """The person's open follow-ups (overdue, and due within 30 days), those asking for
    documents first, each group by due date."""
    items = [
        i for i in list_tasks(uow, person_id, today) if i.follow_up.state in OPEN_FOLLOW_UP_STATES
    ]
    return sorted(items, key=lambda i: not asks_for_documents(i.checkpoint))


def choose_target(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    *,
    text: str | None,
    file_names: Sequence[str] = (),
    remembered_follow_up_id: str | None = None,
) -> UploadTarget:
    """Where a file goes (see the module docstring). Raises `AnswerRefused` when a named
    contract is not the person's, `NothingToDocument` when it has nothing to take a file."""
    today = oslo_today(now)
    contract = named_contract(uow, reference_words(text))
    if contract is not None:
        follow_up = follow_up_for_documents(uow, person, contract, today)
        if follow_up is None:
            raise NothingToDocument(contract.reference)
        return UploadTarget(TargetSource.NAMED, follow_up.id, contract)
    if remembered_follow_up_id is not None:
        try:
            target = find_answer_target(uow, remembered_follow_up_id, person.id, now)
        except AnswerRefused:
            pass  # removed since, or no longer theirs: decide as if nothing was remembered
        else:
            if answer_closed_reason(target) is None:
                return UploadTarget(
                    TargetSource.REMEMBERED, remembered_follow_up_id, target.contract
                )
    words: list[str] = []
    for name in file_names:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        words += [w for w in reference_words(stem) if w not in words]
    hinted = named_contract(uow, words[:MAX_WORDS])
    if hinted is not None:
        try:
            follow_up = follow_up_for_documents(uow, person, hinted, today)
        except AnswerRefused:
            follow_up = None
        if follow_up is not None:
            return UploadTarget(TargetSource.FILE_NAME, follow_up.id, hinted)
    candidates = open_follow_ups(uow, person.id, today)
    asking = [i for i in candidates if asks_for_documents(i.checkpoint)]
    if len(asking) == 1:
        only = asking[0]
        return UploadTarget(TargetSource.ONLY_ONE, only.follow_up.id, only.contract)
    return UploadTarget(TargetSource.ASK, None, None, tuple(candidates))


def evidence_named(caption: str | None, file_name: str, required: Sequence[str]) -> str | None:
    """The evidence code the message names for a file whose name names none (`skatteattest`
    in «her er skatteattesten»); None when the name says it, or nothing does."""
    if not caption or not required or guess_evidence(file_name, required) is not None:
        return None
    return guess_evidence(caption.replace(".", " "), required)


__all__ = [
    "DOCUMENTS_ACTION",
    "NothingToDocument",
    "TargetSource",
    "UploadTarget",
    "asks_for_documents",
    "choose_target",
    "evidence_named",
    "follow_up_for_documents",
    "named_contract",
    "open_follow_ups",
    "reference_words",
]
