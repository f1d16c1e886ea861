"""Which follow-up a typed command means: `levert KOM-2025-0147`, `utsett KOM-2025-0147 fredag`
and `endre svar KOM-2025-0147` name a contract, not a follow-up. `choose_follow_up` is the one
choice for all of them, and it never guesses.

**The candidates** are the contract's follow-ups that the person may answer
(`followup.reminders.controls.may_answer`) and that are not closed (the contract is active, the
checkpoint not removed, the state takes an answer: `answer_closed_reason`):

- for an answer, a document or a snooze: the open ones due up to `AHEAD_DAYS` from today, and
  every overdue one, whatever its age;
- for `endre svar` (`action=None`), and for an answer when no open one is left (below): the
  answered ones, whatever their due date.

**What fits.** A follow-up fits a command when its checkpoint offers the command's action
(`fits`: `Checkpoint.actions`, codes `levert`, `delvis_levert`, `ikke_levert`,
`ikke_relevant`, `dokumentasjon`, `avvik` …; a checkpoint that lists none offers
`DEFAULT_ACTIONS`, as its card does). `utsett` fits every open follow-up, and `endre svar` every
answered one. A code the command does not know fits nothing but itself.

**Naming the checkpoint.** The words right after the contract number may name the checkpoint,
by its code or a word of its title, also in the definite form and without æ, ø, å
(`skatteattest`, `skatteattesten`, `hms-kort`, `levering`, `lonnsslipper`): those words narrow
the candidates down to that checkpoint's follow-ups, and the rest of the text is the comment (or
a snooze's date): `levert KOM-2025-0147 skatteattest alt i orden`.

**The outcome** (`FollowUpChoice.kind`):

- ONE: exactly one open candidate fits: the command is about it.
- ASK: several fit and the words name none of them apart: the bot asks which (a choice card).
- NONE_FITS: there are open candidates, but none takes this action (`levert` on a contract
  whose open follow-ups only ask for documents): the bot says which answers they take instead.
- NOTHING: nothing open (nothing answered, for `endre svar`).

An answer (not a snooze) with no open candidate at all turns to the answered ones that fit:
the answer is then a correction (a new version of that follow-up's answer, as «Endre svar» on
its card is), whatever the follow-up's due date, as long as it is not closed.

Uploads (`followup.documents.targets`) may use the same choice for a file whose message names a
contract: `choose_follow_up(..., action=UPLOAD)` gives the open follow-ups that take documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from followup import lifecycle
from followup.answers.actions import ANSWER_CODES, DEFAULT_ACTIONS, DEVIATION, SNOOZE, UPLOAD
from followup.answers.services import INACTIVE_CONTRACT, AnswerRefusal, AnswerRefused
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
from followup.words import fold_letters

AHEAD_DAYS: Final = 30
"""An answer may come this long before the due date (a delivery that came early)."""
LOOK_BACK_DAYS: Final = 400
"""How far back an upload looks for a follow-up to take a file (`followup.documents`); a typed
answer looks back without limit."""
ANSWERED: Final = frozenset({FollowUpState.ANSWERED, FollowUpState.DEVIATION_REPORTED})

KIND_ACTIONS: Final[Mapping[AnswerKind, str]] = MappingProxyType(
    {
        **{kind: code for code, kind in ANSWER_CODES.items()},
        AnswerKind.DOCUMENTS: UPLOAD,
        AnswerKind.DEVIATION: DEVIATION,
    }
)
"""The checkpoint action code of each answer kind."""

MAX_NAME_WORDS: Final = 4
"""Words after the contract number read as the checkpoint's name, at most."""
_SUFFIXES: Final = ("", "e", "en", "et", "a", "n", "ne", "ene", "er")
"""Endings a name word may take or lose (`skatteattesten`, `leveringen`, `timelistene`)."""
_STOP_WORDS: Final = frozenset(
    {
        "og", "i", "av", "pa", "for", "til", "med", "eller", "om", "fra", "per", "the", "and",
        "of", "kontrakt", "kontrakten", "avtale", "avtalen", "oversikt", "over",
    }
)  # fmt: skip
"""Words of a title that name nothing (folded: `på` is `pa`)."""
_EDGES: Final = "«»\"'“”‘’.,:;!?()[]{}<>"
_PARTS: Final = re.compile(r"[^\W_]+")
_WORD: Final = re.compile(r"\S+")


def action_of(kind: AnswerKind) -> str:
    """The checkpoint action code an answer of `kind` is (`levert` for DELIVERED); a kind
    with none is its own value, which fits only a checkpoint that lists it."""
    return KIND_ACTIONS.get(kind, kind.value)


def offered_actions(checkpoint: Checkpoint) -> tuple[str, ...]:
    """The actions a checkpoint offers, in its order (`DEFAULT_ACTIONS` when it lists none)."""
    return tuple(checkpoint.actions) or DEFAULT_ACTIONS


def fits(checkpoint: Checkpoint, action: str) -> bool:
    """Whether a follow-up of `checkpoint` takes `action` (`utsett`: every one does)."""
    return action == SNOOZE or action in offered_actions(checkpoint)


# --- the choice --------------------------------------------------------------------------------


class ChoiceKind(StrEnum):
    ONE = "one"
    ASK = "ask"
    NONE_FITS = "none_fits"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A follow-up the command may be about, with its checkpoint."""

    follow_up: FollowUp
    checkpoint: Checkpoint

    @property
    def answered(self) -> bool:
        return self.follow_up.state in ANSWERED

    def overdue(self, today: date) -> bool:
        return self.follow_up.due_date < today and not self.answered


@dataclass(frozen=True, slots=True)
class FollowUpChoice:
    """What a typed command is about (see the module docstring)."""

    kind: ChoiceKind
    candidates: tuple[Candidate, ...]
    """ONE: the one. ASK: those to choose from (open ones earliest due first, answered ones
    latest due first). NONE_FITS: the open follow-ups, none of which takes the action (or the
    answered ones, when none is open). NOTHING: none."""
    rest: str
    """The text after the words that named the checkpoint: the comment, or a snooze's date."""
    named: bool = False
    """Words of the text named a checkpoint (and narrowed the candidates to it)."""
    correction: bool = False
    """The candidates are answered: answering one stores a new version of its answer."""
    others_open: int = 0
    """ONE: the contract's other open follow-ups (that wait for an answer too)."""

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.kind is ChoiceKind.ONE else None


def choose_follow_up(
    uow: UnitOfWork,
    person: Person,
    contract: Contract,
    today: date,
    text: str,
    *,
    action: str | None,
) -> FollowUpChoice:
    """The follow-up of `contract` that `person`'s typed command is about (see the module
    docstring). `text` is what follows the contract number; `action` is the checkpoint action
    code of the command (`action_of(kind)` for an answer, `UPLOAD` for a document, `SNOOZE`
    for `utsett`), or None for `endre svar` (the answered follow-ups).

    Raises `AnswerRefused`: NOT_YOURS for someone who may not answer the contract,
    CONTRACT_INACTIVE for a contract that is no longer active."""
    if not may_answer(uow, person, contract, today):
        raise AnswerRefused(AnswerRefusal.NOT_YOURS, reference=contract.reference)
    if contract.status in INACTIVE_CONTRACT:
        raise AnswerRefused(AnswerRefusal.CONTRACT_INACTIVE, reference=contract.reference)
    found = uow.follow_ups.for_contracts_between(
        [contract.id], date.min, today + timedelta(days=AHEAD_DAYS)
    )
    checkpoints = {c.id: c for c in uow.checkpoints.for_contracts([contract.id])}
    candidates = [
        Candidate(f, checkpoints[f.checkpoint_id]) for f in found if f.checkpoint_id in checkpoints
    ]
    return choose(candidates, text, today, action=action)


def choose(
    found: Iterable[Candidate], text: str, today: date, *, action: str | None
) -> FollowUpChoice:
    """`choose_follow_up` once the contract's follow-ups are read (and the person may answer
    them): `found` may hold any of the contract's follow-ups; the closed ones and those due
    after `AHEAD_DAYS` are left out here."""
    usable = [
        c
        for c in found
        if c.checkpoint.status is not CheckpointStatus.REMOVED
        and lifecycle.allows(lifecycle.Event.ANSWERED, c.follow_up.state)
        and c.follow_up.due_date <= today + timedelta(days=AHEAD_DAYS)
    ]
    open_ones = sorted(
        (c for c in usable if c.follow_up.state in OPEN_FOLLOW_UP_STATES),
        key=lambda c: (c.follow_up.due_date, c.checkpoint.title, c.follow_up.id),
    )
    answered = sorted(
        (c for c in usable if c.answered),
        key=lambda c: (c.follow_up.due_date, c.checkpoint.title, c.follow_up.id),
        reverse=True,
    )
    pool_open = open_ones if action is not None else []
    pool_answered = answered if action != SNOOZE else []
    named, rest = name_checkpoint(text, [c.checkpoint for c in (*pool_open, *pool_answered)])
    if named is not None:
        pool_open = [c for c in pool_open if c.checkpoint.id in named]
        pool_answered = [c for c in pool_answered if c.checkpoint.id in named]

    def fitting(pool: Sequence[Candidate]) -> list[Candidate]:
        return [c for c in pool if action is None or fits(c.checkpoint, action)]

    def decided(pool: Sequence[Candidate], *, correction: bool) -> FollowUpChoice:
        was_named = named is not None
        if len(pool) > 1:
            return FollowUpChoice(ChoiceKind.ASK, tuple(pool), rest, was_named, correction)
        others = 0 if correction else len(open_ones) - 1
        return FollowUpChoice(ChoiceKind.ONE, (pool[0],), rest, was_named, correction, others)

    if pool_open:
        fit = fitting(pool_open)
        if fit:
            return decided(fit, correction=False)
        return FollowUpChoice(ChoiceKind.NONE_FITS, tuple(pool_open), rest, named is not None)
    if pool_answered:
        fit = fitting(pool_answered)
        if fit:
            return decided(fit, correction=True)
        return FollowUpChoice(
            ChoiceKind.NONE_FITS, tuple(pool_answered), rest, named is not None, correction=True
        )
    return FollowUpChoice(ChoiceKind.NOTHING, (), rest, named is not None)


# --- naming the checkpoint ---------------------------------------------------------------------


def checkpoint_names(checkpoint: Checkpoint) -> frozenset[str]:
    """The words that name a checkpoint, folded (`fold_letters`): its code whole and without
    hyphens, and the words of its code and title (at least three letters, not a stop word)."""
    code = fold_letters(checkpoint.code)
    names = {code, code.replace("-", "").replace("_", "")}
    for part in (code, fold_letters(checkpoint.title)):
        names.update(_PARTS.findall(part))
    return frozenset(n for n in names if len(n) >= 3 and n not in _STOP_WORDS)


def _folded(word: str) -> str:
    return fold_letters(word.strip(_EDGES))


def _stems(name: str) -> set[str]:
    """A name word and its stem without a plural or definite ending (`timelister` →
    `timelist`, so that `timelistene` is read too)."""
    return {name} | {
        name[: -len(ending)]
        for ending in _SUFFIXES
        if ending and name.endswith(ending) and len(name) - len(ending) >= 4
    }


def _names(word: str, names: frozenset[str]) -> bool:
    if len(word) < 3 or word in _STOP_WORDS:
        return False
    return any(
        word == stem + ending
        for name in names
        for stem in _stems(name)
        for ending in _SUFFIXES
        if not ending or len(stem) >= 4
    )


def name_checkpoint(
    text: str, checkpoints: Iterable[Checkpoint]
) -> tuple[frozenset[str] | None, str]:
    """The ids of the checkpoints the first words of `text` name (None: they name none), and
    the text after those words. Each word narrows down what the words before it named; a stop
    word between two name words is read with them (`hms-kort og mannskapsliste`)."""
    words = list(_WORD.finditer(text))
    if not words:  # `levert KOM-…` alone, the common case: no names to make
        return None, ""
    names = {c.id: checkpoint_names(c) for c in checkpoints}
    named: set[str] | None = None
    end = 0
    index = 0
    while index < len(words) and index < MAX_NAME_WORDS:
        word = _folded(words[index].group())
        pool = named if named is not None else set(names)
        hit = {i for i in pool if _names(word, names[i])}
        if not hit and named is not None and word in _STOP_WORDS and index + 1 < len(words):
            following = _folded(words[index + 1].group())
            hit = {i for i in pool if _names(following, names[i])}
            if hit:
                index += 1
        if not hit:
            break
        named = hit
        end = words[index].end()
        index += 1
    if named is None:
        return None, text.strip()
    return frozenset(named), text[end:].strip()


__all__ = [
    "AHEAD_DAYS",
    "ANSWERED",
    "KIND_ACTIONS",
    "LOOK_BACK_DAYS",
    "Candidate",
    "ChoiceKind",
    "FollowUpChoice",
    "action_of",
    "checkpoint_names",
    "choose",
    "choose_follow_up",
    "fits",
    "name_checkpoint",
    "offered_actions",
]
