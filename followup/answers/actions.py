"""The answers a checkpoint offers: its action codes (`Checkpoint.actions`, declared per
checkpoint in the plan file) and what each one is.

Most codes are an answer in one click (`ANSWER_CODES`: the code and the `AnswerKind` it
records). Three are not: `dokumentasjon` opens the upload, `avvik` the deviation dialog (the
follow-up is then answered as a deviation) and `utsett` puts the follow-up off.

Some answers belong to one kind of checkpoint (`TemplateKind` in the plan file): the option
decisions (`opsjon_utloses`, `opsjon_utloses_ikke`) to an option checkpoint, the expiry decisions
(`ny_anskaffelse`, `forlenges`, `avsluttes`) to an expiry checkpoint. A decision records who
decided and when (`followup.answers.decisions`). Delivery answers (`levert`, `delvis_levert`,
`ikke_levert`) do not answer a decision; older plan files used `levert` there, so that is a
warning (`fit_warning`), while a decision on the wrong kind of checkpoint is an error
(`fit_error`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from followup.models import AnswerKind

UPLOAD: Final = "dokumentasjon"
DEVIATION: Final = "avvik"
SNOOZE: Final = "utsett"

ANSWER_CODES: Final[Mapping[str, AnswerKind]] = MappingProxyType(
    {
        "levert": AnswerKind.DELIVERED,
        "delvis_levert": AnswerKind.PARTLY_DELIVERED,
        "ikke_levert": AnswerKind.NOT_DELIVERED,
        "ikke_relevant": AnswerKind.NOT_APPLICABLE,
        "opsjon_utloses": AnswerKind.OPTION_EXERCISED,
        "opsjon_utloses_ikke": AnswerKind.OPTION_NOT_EXERCISED,
        "ny_anskaffelse": AnswerKind.NEW_PROCUREMENT,
        "forlenges": AnswerKind.EXTENDED,
        "avsluttes": AnswerKind.ENDING,
        "i_samsvar": AnswerKind.IN_ORDER,
        "holdt": AnswerKind.MEETING_HELD,
    }
)
"""The codes that are an answer in one click, and the answer each records."""

ACTION_CODES: Final = frozenset({*ANSWER_CODES, UPLOAD, DEVIATION, SNOOZE})
DEFAULT_ACTIONS: Final = ("levert", "delvis_levert", "ikke_levert", "avvik", "ikke_relevant")
TYPED_CODES: Final = frozenset(
    {"levert", "delvis_levert", "ikke_levert", "ikke_relevant", UPLOAD, DEVIATION, SNOOZE}
)
"""The codes that have a typed command (`levert KOM-…`, `dokument KOM-…` …); the others are
answered on a card."""
"""What a checkpoint that lists no actions offers (on its card and to typed answers)."""
"""Every code a plan file may use."""

OPTION_KINDS: Final = frozenset({AnswerKind.OPTION_EXERCISED, AnswerKind.OPTION_NOT_EXERCISED})
EXPIRY_KINDS: Final = frozenset(
    {AnswerKind.NEW_PROCUREMENT, AnswerKind.EXTENDED, AnswerKind.ENDING}
)
DECISION_KINDS: Final = OPTION_KINDS | EXPIRY_KINDS
"""Answers that are a decision: who decided and when are recorded with them."""
DELIVERY_KINDS: Final = frozenset(
    {AnswerKind.DELIVERED, AnswerKind.PARTLY_DELIVERED, AnswerKind.NOT_DELIVERED}
)
EVIDENCE_AFTER: Final = frozenset({AnswerKind.MEETING_HELD})
"""Answers after which the checkpoint's evidence is asked for (the minutes of a meeting held),
also where the checkpoint does not offer `dokumentasjon` as an answer of its own."""

CLICKABLE: Final = frozenset(ANSWER_CODES.values())
"""The answers a card's button records (documents and deviations come their own ways)."""

OPTION_TEMPLATE: Final = "option"
EXPIRY_TEMPLATE: Final = "expiry"
_DECISIONS_OF: Final[Mapping[str, frozenset[AnswerKind]]] = MappingProxyType(
    {OPTION_TEMPLATE: OPTION_KINDS, EXPIRY_TEMPLATE: EXPIRY_KINDS}
)


def kind_of(code: str) -> AnswerKind | None:
    """The answer a code records in one click (None: not such a code)."""
    return ANSWER_CODES.get(code)


def unknown_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    return [c for c in codes if c not in ACTION_CODES]


def fit_error(template_kind: str, code: str) -> str | None:
    """Why `code` cannot be an action of a checkpoint of `template_kind` (`recurring`,
    `option`, `expiry`); None when it can. Only decisions are this strict: an option decision
    answers an option checkpoint and nothing else, an expiry decision an expiry checkpoint."""
    kind = kind_of(code)
    if kind is None or kind not in DECISION_KINDS:
        return None
    if kind in _DECISIONS_OF.get(template_kind, frozenset()):
        return None
    belongs = OPTION_TEMPLATE if kind in OPTION_KINDS else EXPIRY_TEMPLATE
    return f"the action {code!r} is a decision for kind = {belongs!r} checkpoints only"


def fit_warning(template_kind: str, codes: list[str] | tuple[str, ...]) -> str | None:
    """A doubt about the actions of an option or expiry checkpoint: a delivery answer
    (`levert` …) where a decision is asked, or no decision offered at all."""
    decisions = _DECISIONS_OF.get(template_kind)
    if decisions is None:
        return None
    delivery = [c for c in codes if kind_of(c) in DELIVERY_KINDS]
    if delivery:
        return (
            f"{', '.join(repr(c) for c in delivery)} answers a delivery, not a decision; "
            f"use {', '.join(repr(c) for c in decision_codes(decisions))}"
        )
    if not any(kind_of(c) in decisions for c in codes) and UPLOAD not in codes:
        # One that collects a document at that time (the final evaluation) asks no decision.
        return f"offers no decision; add {', '.join(repr(c) for c in decision_codes(decisions))}"
    return None


def decision_codes(kinds: frozenset[AnswerKind]) -> list[str]:
    return [code for code, kind in ANSWER_CODES.items() if kind in kinds]


__all__ = [
    "ACTION_CODES",
    "ANSWER_CODES",
    "CLICKABLE",
    "DECISION_KINDS",
    "DEFAULT_ACTIONS",
    "DELIVERY_KINDS",
    "DEVIATION",
    "EVIDENCE_AFTER",
    "EXPIRY_KINDS",
    "OPTION_KINDS",
    "SNOOZE",
    "TYPED_CODES",
    "UPLOAD",
    "decision_codes",
    "fit_error",
    "fit_warning",
    "kind_of",
    "unknown_codes",
]
