"""Where a file sent to the bot goes: first the contract, then the evidence request on it.

A file arrives in a chat, not on a follow-up. **The contract** (`choose_target`), in this
order, the first that applies:

1. **A contract named in the message**: a word of it is a contract's reference. A person who
   may not answer the contract is refused (`AnswerRefused`, NOT_YOURS); a contract with nothing
   to take a file, too (`NothingToDocument`).
2. **A follow-up remembered**: the person pressed `Last opp dokumentasjon` on a card, or chose
   a request on the bot's question, a short while ago (the bot keeps that per conversation);
   still answerable by them and not closed. A request chosen (follow-up and evidence) is where
   the file goes; a follow-up alone is preferred when the file's kind cannot be told.
3. **A contract named in a file name** (`Leveransebekreftelse_KOM-2025-0147.pdf`), but only a
   hint: a contract the person may not answer, or with nothing to take a file, is passed over.
4. **The only one**: exactly one open follow-up of theirs asks for documents.
5. Otherwise nobody can tell: the choice is ASK, with the person's open evidence requests to
   offer.

**The request** (`place_file`): of the contract's open evidence requests (`evidence_requests`:
follow-ups that still wait for an evidence code, see there) the one the file is, by its name,
the message and its first page (`followup.documents.matching.match_evidence`): a tax
certificate goes to the `skatteattest` request even when another follow-up is due first. When
that cannot be told, the placement is to ask, offering the contract's open requests. A contract
with no open request takes a file as before this matching existed: on the earliest open
follow-up asking for documents, else the one most recently answered, else the earliest open
one of any kind (`follow_up_for_documents`).

A checkpoint asks for documents when it names evidence (`Checkpoint.evidence`) or offers the
`dokumentasjon` action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from followup.answers.services import (
    INACTIVE_CONTRACT,
    AnswerRefusal,
    AnswerRefused,
    answer_closed_reason,
    find_answer_target,
)
from followup.answers.targets import AHEAD_DAYS, ANSWERED, LOOK_BACK_DAYS
from followup.calendar.workdays import oslo_today
from followup.documents.matching import EvidenceMatch, EvidenceRequest, match_evidence
from followup.errors import FollowUpError
from followup.evidence import missing_evidence
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    AnswerKind,
    Checkpoint,
    CheckpointStatus,
    Contract,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer
from followup.tasks import list_tasks

DOCUMENTS_ACTION: Final = "dokumentasjon"
MAX_WORDS: Final = 12
"""Words of a message (and of a file name) tried as contract references."""
AHEAD_FOR_EVIDENCE_DAYS: Final = 400
"""How far ahead a request is taken for a file clearly of its kind (never offered)."""
STILL_WANTING: Final = frozenset({AnswerKind.DOCUMENTS, AnswerKind.MEETING_HELD})
"""Answers after which the evidence still missing is still asked for (some documents came; a
meeting was held and its minutes are to come)."""
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


# --- evidence requests -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceRequests:
    """A contract's open evidence requests."""

    contract: Contract
    offered: tuple[EvidenceRequest, ...] = ()
    """Due by `AHEAD_DAYS` from today (overdue ones too), due date first: what the bot offers."""
    later: tuple[EvidenceRequest, ...] = ()
    """Due later: taken only for a file clearly of a kind none of `offered` is."""

    def __bool__(self) -> bool:
        return bool(self.offered or self.later)


def _wanting(
    uow: UnitOfWork, follow_ups: Sequence[FollowUp], checkpoints: Mapping[str, Checkpoint]
) -> dict[str, list[str]]:
    """Per follow-up, the evidence codes it still waits for: an open follow-up, or one answered
    with some of its documents (or a meeting held) whose other documents are still missing."""
    asking = [f for f in follow_ups if checkpoints[f.checkpoint_id].evidence]
    documents = uow.documents.for_follow_ups([f.id for f in asking])
    delivered: dict[str, list[str | None]] = {}
    for document in documents:
        if document.follow_up_id is not None:
            delivered.setdefault(document.follow_up_id, []).append(document.evidence)
    wanting: dict[str, list[str]] = {}
    for follow_up in asking:
        if follow_up.state not in OPEN_FOLLOW_UP_STATES:
            if follow_up.state is not FollowUpState.ANSWERED:
                continue
            latest = uow.answers.latest(follow_up.id)
            if latest is None or latest.kind not in STILL_WANTING:
                continue
        missing = missing_evidence(
            checkpoints[follow_up.checkpoint_id].evidence, delivered.get(follow_up.id, ())
        )
        if missing:
            wanting[follow_up.id] = missing
    return wanting


def _requests(
    contract: Contract,
    follow_ups: Iterable[FollowUp],
    checkpoints: Mapping[str, Checkpoint],
    wanting: Mapping[str, Sequence[str]],
) -> list[EvidenceRequest]:
    return sorted(
        (
            EvidenceRequest(
                follow_up_id=f.id,
                contract_id=contract.id,
                reference=contract.reference,
                checkpoint_title=checkpoints[f.checkpoint_id].title,
                evidence=code,
                due_date=f.due_date,
            )
            for f in follow_ups
            for code in wanting.get(f.id, ())
        ),
        key=lambda r: (r.due_date, r.checkpoint_title, r.follow_up_id),
    )


def evidence_requests(uow: UnitOfWork, contract: Contract, today: date) -> EvidenceRequests:
    """The contract's open evidence requests: per follow-up due from `LOOK_BACK_DAYS` ago on,
    each evidence code its checkpoint asks for that none of its documents is yet, while the
    follow-up is open, or answered with documents or a meeting held (the rest is still to
    come). None for an ended contract or a removed checkpoint."""
    if contract.status in INACTIVE_CONTRACT:
        return EvidenceRequests(contract)
    found = uow.follow_ups.for_contracts_between(
        [contract.id],
        today - timedelta(days=LOOK_BACK_DAYS),
        today + timedelta(days=AHEAD_FOR_EVIDENCE_DAYS),
    )
    checkpoints = {
        c.id: c
        for c in uow.checkpoints.for_contracts([contract.id])
        if c.status is not CheckpointStatus.REMOVED
    }
    usable = [f for f in found if f.checkpoint_id in checkpoints]
    wanting = _wanting(uow, usable, checkpoints)
    requests = _requests(contract, usable, checkpoints, wanting)
    horizon = today + timedelta(days=AHEAD_DAYS)
    return EvidenceRequests(
        contract,
        tuple(r for r in requests if r.due_date <= horizon),
        tuple(r for r in requests if r.due_date > horizon),
    )


def person_requests(uow: UnitOfWork, person_id: str, today: date) -> list[EvidenceRequest]:
    """The open evidence requests of the person's open follow-ups (overdue, and due within 30
    days; as `followup.tasks.list_tasks` finds them), due date first."""
    items = [
        i
        for i in list_tasks(uow, person_id, today)
        if i.follow_up.state in OPEN_FOLLOW_UP_STATES and i.checkpoint.evidence
    ]
    checkpoints = {i.checkpoint.id: i.checkpoint for i in items}
    wanting = _wanting(uow, [i.follow_up for i in items], checkpoints)
    found: list[EvidenceRequest] = []
    for item in items:
        found += _requests(item.contract, [item.follow_up], checkpoints, wanting)
    return sorted(found, key=lambda r: (r.due_date, r.reference, r.checkpoint_title))


# --- the contract ----------------------------------------------------------------------------


class TargetSource(StrEnum):
    NAMED = "named"
    REMEMBERED = "remembered"
    FILE_NAME = "file_name"
    ONLY_ONE = "only_one"
    ASK = "ask"


@dataclass(frozen=True, slots=True)
class UploadTarget:
    source: TargetSource
    contract: Contract | None
    """None: ASK."""
    requests: EvidenceRequests | None = None
    """The contract's open evidence requests."""
    follow_up_id: str | None = None
    """A follow-up chosen on a card (REMEMBERED, or ONLY_ONE): preferred for a file of no clear
    kind; the file's place when `evidence` is set too."""
    evidence: str | None = None
    """The evidence code chosen with `follow_up_id` on the bot's question."""
    fallback_follow_up_id: str | None = None
    """The follow-up a file goes to when the contract has no evidence request to offer
    (`follow_up_for_documents`)."""
    candidates: tuple[EvidenceRequest, ...] = field(default_factory=tuple)
    """ASK: the person's open evidence requests to offer."""


class NothingToDocument(FollowUpError):
    """The contract named has no follow-up to take documents (nothing due or answered)."""

    def __init__(self, reference: str) -> None:
        super().__init__(
            "nothing to document", code="upload.none_for_contract", reference=reference
        )


def follow_up_for_documents(
    uow: UnitOfWork, person: Person, contract: Contract, today: date
) -> FollowUp | None:
    """The follow-up of `contract` a file from `person` goes to when no evidence request is
    open: the earliest open one asking for documents, else the one asking for documents most
    recently answered, else the earliest open one, else the one most recently answered. Raises
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


def contract_target(
    uow: UnitOfWork,
    person: Person,
    contract: Contract,
    today: date,
    source: TargetSource,
    *,
    follow_up_id: str | None = None,
    evidence: str | None = None,
) -> UploadTarget | None:
    """The target on `contract`: its open requests, or the follow-up a file goes to when it
    has none; None when nothing on it takes a file. Raises `AnswerRefused` (NOT_YOURS)."""
    fallback = follow_up_for_documents(uow, person, contract, today)
    requests = evidence_requests(uow, contract, today)
    if not requests and fallback is None and follow_up_id is None:
        return None
    return UploadTarget(
        source,
        contract,
        requests,
        follow_up_id=follow_up_id,
        evidence=evidence,
        fallback_follow_up_id=fallback.id if fallback else None,
    )


def named_contract(uow: UnitOfWork, words: Iterable[str]) -> Contract | None:
    """The first word that is a contract's reference (any case)."""
    for word in words:
        contract = uow.contracts.by_reference(word)
        if contract is not None:
            return contract
    return None


def choose_target(
    uow: UnitOfWork,
    person: Person,
    now: datetime,
    *,
    text: str | None,
    file_names: Sequence[str] = (),
    remembered_follow_up_id: str | None = None,
    remembered_evidence: str | None = None,
) -> UploadTarget:
    """The contract a file goes to (see the module docstring). Raises `AnswerRefused` when a
    named contract is not the person's, `NothingToDocument` when it has nothing to take a
    file."""
    today = oslo_today(now)
    contract = named_contract(uow, reference_words(text))
    if contract is not None:
        target = contract_target(uow, person, contract, today, TargetSource.NAMED)
        if target is None:
            raise NothingToDocument(contract.reference)
        return target
    if remembered_follow_up_id is not None:
        try:
            chosen = find_answer_target(uow, remembered_follow_up_id, person.id, now)
        except AnswerRefused:
            pass  # removed since, or no longer theirs: decide as if nothing was remembered
        else:
            if answer_closed_reason(chosen) is None:
                evidence = (
                    remembered_evidence
                    if remembered_evidence in chosen.checkpoint.evidence
                    else None
                )
                target = contract_target(
                    uow,
                    person,
                    chosen.contract,
                    today,
                    TargetSource.REMEMBERED,
                    follow_up_id=remembered_follow_up_id,
                    evidence=evidence,
                )
                if target is not None:
                    return target
    words: list[str] = []
    for name in file_names:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        words += [w for w in reference_words(stem) if w not in words]
    hinted = named_contract(uow, words[:MAX_WORDS])
    if hinted is not None:
        try:
            target = contract_target(uow, person, hinted, today, TargetSource.FILE_NAME)
        except AnswerRefused:
            target = None
        if target is not None:
            return target
    candidates = person_requests(uow, person.id, today)
    follow_ups = {r.follow_up_id for r in candidates}
    if len(follow_ups) == 1:
        only = candidates[0]
        contract = uow.contracts.get(only.contract_id)
        if contract is not None:
            target = contract_target(
                uow, person, contract, today, TargetSource.ONLY_ONE, follow_up_id=only.follow_up_id
            )
            if target is not None:
                return target
    return UploadTarget(TargetSource.ASK, None, candidates=tuple(candidates))


# --- the request -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one file goes on the target's contract."""

    follow_up_id: str | None
    """None: ask (`match.candidates`)."""
    evidence: str | None = None
    """The evidence code it is (None: the follow-up asks for none, or it is not known)."""
    match: EvidenceMatch | None = None


def place_file(
    target: UploadTarget,
    *,
    file_name: str | None,
    message: str | None = None,
    first_page: str | None = None,
) -> Placement:
    """The request a file goes to (see the module docstring); `target` must name a
    contract."""
    if target.follow_up_id is not None and target.evidence is not None:
        return Placement(target.follow_up_id, target.evidence)
    requests = target.requests
    preferred = target.follow_up_id
    if requests is None or not requests:
        return Placement(preferred or target.fallback_follow_up_id)
    every = (*requests.offered, *requests.later)
    if preferred is not None and all(r.follow_up_id != preferred for r in every):
        return Placement(preferred)  # chosen on a card, and it waits for no evidence
    match = match_evidence(
        requests.offered,
        file_name=file_name,
        message=message,
        first_page=first_page,
        preferred_follow_up_id=preferred,
        later=requests.later,
    )
    if match.request is not None:
        return Placement(match.request.follow_up_id, match.request.evidence, match)
    if not match.candidates and target.fallback_follow_up_id is not None:
        return Placement(target.fallback_follow_up_id, None, match)  # only later requests
    return Placement(None, None, match)


def evidence_in_text(target: UploadTarget, text: str | None) -> EvidenceMatch | None:
    """Which request a typed message (`dokument KOM-… skatteattest`) means, for the next
    file: as `place_file` with no file. None when there is nothing to offer (no request, or
    only later ones the text does not name): the fallback follow-up takes the file."""
    requests = target.requests
    if not requests:
        return None
    match = match_evidence(
        requests.offered,
        file_name=None,
        message=text,
        preferred_follow_up_id=target.follow_up_id,
        later=requests.later,
    )
    if match.request is None and not match.candidates:
        return None
    return match


__all__ = [
    "DOCUMENTS_ACTION",
    "EvidenceRequests",
    "NothingToDocument",
    "Placement",
    "TargetSource",
    "UploadTarget",
    "asks_for_documents",
    "choose_target",
    "contract_target",
    "evidence_in_text",
    "evidence_requests",
    "follow_up_for_documents",
    "named_contract",
    "person_requests",
    "place_file",
    "reference_words",
]
