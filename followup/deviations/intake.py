"""Taking a deviation report in steps (the bot's dialog, a submitted form): what the report is
about, each answer read and checked as `report_deviation` will check it, and the short code
people type to name a deviation.

What a report is about (`report_target`): a contract by reference or id, or a follow-up (and
with it its contract), which the person may report on (`followup.deviations.services`: the
contract's
owner, deputy and manager, whoever covers for the owner today, procurement). A follow-up the
plan has retired (skipped, or its checkpoint removed) takes no new deviation from a card or a
form (`IntakeRefusal.FOLLOW_UP_CLOSED`): the person is pointed to reporting it on the contract.

Choices typed as words (`read_category`, `read_severity`, `read_remedy`, `read_yes_no`) accept
the Norwegian labels, the stored codes, common synonyms and English; case, `-`, `_` and `/` do
not matter, and an unambiguous start of a word (three letters or more) is enough. A number is
the option's place in `CATEGORY_ORDER`, `SEVERITY_ORDER` or `REMEDY_ORDER` (1 = first).

Short codes: a deviation's id is time-ordered (`followup.models.new_id`): its first characters
are a clock, shared by every id made within seconds and one typo away from a neighbour. The
short code is therefore the id's LAST `SHORT_CODE_LENGTH` hex digits, which are random: a typo
almost never names another deviation. `deviations_by_code` accepts the code with or without a
leading `#`, in any case, or the whole id. Two deviations share a code with a chance of about
n² / 2³³ (n = deviations stored); such a code is refused as ambiguous and the whole id is asked
for (`IntakeRefusal.CODE_AMBIGUOUS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, TypeVar

from followup.calendar.workdays import oslo_today
from followup.deviations import codes
from followup.deviations.codes import SHORT_CODE_LENGTH, short_code
from followup.deviations.services import (
    SANCTION_LADDER,
    DeviationRefusal,
    DeviationRefused,
    answer_target,
    check_date,
    checked_description,
    checkpoint_of,
    contract_of,
    may_report,
)
from followup.errors import FollowUpError
from followup.models import (
    Checkpoint,
    CheckpointStatus,
    Contract,
    Deviation,
    DeviationCategory,
    FollowUp,
    FollowUpState,
    Person,
    Remedy,
    Severity,
)
from followup.ports import UnitOfWork
from followup.views import CATEGORY_LABELS, REMEDY_LABELS, SEVERITY_LABELS
from followup.words import normalise_words

T = TypeVar("T")

MAX_CONTRACT_CHOICES: Final = 6
"""A person with at most this many contracts is offered them as choices."""
MAX_CODE_MATCHES: Final = 5

CATEGORY_ORDER: Final = tuple(DeviationCategory)
SEVERITY_ORDER: Final = tuple(Severity)
REMEDY_ORDER: Final = (*(r for step in SANCTION_LADDER for r in step), Remedy.NO_RENEWAL)
"""The sanction ladder, mildest first, then the quiet sanction."""

CATEGORY_WORDS: Final[Mapping[DeviationCategory, tuple[str, ...]]] = {
    DeviationCategory.DELAY: (
        "forsinkelse", "forsinket", "forsinket levering", "sen levering", "for sent",
        "delay", "delayed", "late", "late delivery",
    ),
    DeviationCategory.DEFECT: (
        "mangel", "mangler", "kvalitetsavvik", "kvalitet", "defect", "quality",
    ),
    DeviationCategory.QUANTITY: (
        "feil mengde", "mengde", "feil antall", "antall", "quantity", "wrong quantity",
    ),
    DeviationCategory.PRICE: (
        "prisavvik", "fakturaavvik", "pris", "faktura", "feil pris", "price", "invoice",
    ),
    DeviationCategory.LEAKAGE: (
        "avtalelekkasje", "lekkasje", "kjøp utenfor avtalen", "leakage", "off contract",
    ),
    DeviationCategory.DOCUMENTATION: (
        "dokumentasjonsavvik", "dokumentasjon", "documentation",
    ),
    DeviationCategory.INTEGRITY: (
        "seriøsitetsavvik", "seriøsitet", "seriositet", "lønns og arbeidsvilkår",
        "arbeidsvilkår", "integrity", "pay and conditions",
    ),
    DeviationCategory.HSE: (
        "hms avvik", "hms", "helse miljø og sikkerhet", "hse", "health and safety", "safety",
    ),
    DeviationCategory.OTHER: ("annet", "annen", "other"),
}  # fmt: skip
SEVERITY_WORDS: Final[Mapping[Severity, tuple[str, ...]]] = {
    Severity.LOW: ("lav", "low", "liten", "minor"),
    Severity.MEDIUM: ("middels", "medium", "moderat", "moderate"),
    Severity.HIGH: ("høy", "hoy", "høg", "high", "alvorlig", "serious"),
    Severity.CRITICAL: ("kritisk", "critical", "svært alvorlig"),
}
REMEDY_WORDS: Final[Mapping[Remedy, tuple[str, ...]]] = {
    Remedy.NOTICE: ("reklamasjon", "reklamere", "notice", "notice of defect", "complaint"),
    Remedy.CORRECTION: ("retting", "utbedring", "rette", "correction", "rectification"),
    Remedy.REDELIVERY: ("omlevering", "ny levering", "redelivery"),
    Remedy.PRICE_REDUCTION: ("prisavslag", "avslag", "price reduction"),
    Remedy.ACTION_PLAN: ("handlingsplan", "action plan"),
    Remedy.DAILY_PENALTY: ("dagmulkt", "dagbot", "daily penalty", "liquidated damages"),
    Remedy.WITHHOLDING: (
        "tilbakeholdelse", "tilbakeholdelse av betaling", "holde tilbake betaling",
        "withholding", "withhold payment",
    ),
    Remedy.DAMAGES: ("erstatning", "damages"),
    Remedy.TERMINATION: ("heving", "heve", "heve kontrakten", "termination", "terminate"),
    Remedy.NO_RENEWAL: (
        "ikke prolongere", "ikke forlenge", "ikke prolongering", "no renewal", "do not renew",
    ),
}  # fmt: skip
NO_REMEDY_WORDS: Final = (
    "ingen forslag", "ingen", "nei", "vet ikke", "ikke noe", "none", "no", "no proposal",
    "nothing", "-",
)  # fmt: skip
YES_WORDS: Final = (
    "ja", "j", "jepp", "ja takk", "stemmer", "det stemmer", "ok", "lagre", "send", "bekreft",
    "ja lagre", "yes", "y", "confirm", "save",
)  # fmt: skip
NO_WORDS: Final = ("nei", "n", "nei takk", "ikke lagre", "no", "don't save")


class IntakeRefusal(StrEnum):
    """Why a step of a report was refused; the value is the code for the bot's texts."""

    FOLLOW_UP_CLOSED = "deviation.follow_up_closed"
    """values: reference"""
    CODE_AMBIGUOUS = "deviation.code_ambiguous"
    """values: short (the code as typed), count"""


class IntakeRefused(FollowUpError):
    def __init__(self, reason: IntakeRefusal, **values: object) -> None:
        super().__init__(reason.value, code=reason.value, **values)
        self.reason = reason


# --- what the report is about ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportTarget:
    person: Person
    contract: Contract
    supplier_name: str | None
    follow_up: FollowUp | None
    checkpoint: Checkpoint | None
    answers_follow_up: bool
    """Reporting also answers the follow-up (the person may answer it now)."""


def report_target(
    person_id: str,
    uow: UnitOfWork,
    now: datetime,
    *,
    contract_id: str | None = None,
    contract_reference: str | None = None,
    follow_up_id: str | None = None,
) -> ReportTarget:
    """The contract (and follow-up) a report names, for a person who may report on it.

    Raises `DeviationRefused` (UNKNOWN_CONTRACT, UNKNOWN_FOLLOW_UP, FOLLOW_UP_MISMATCH,
    NOT_ALLOWED) and `IntakeRefused` (FOLLOW_UP_CLOSED)."""
    today = oslo_today(now)
    contract, follow_up = contract_of(uow, contract_id, contract_reference, follow_up_id)
    person = uow.people.get(person_id)
    if person is None or not may_report(uow, person, contract, today):
        raise DeviationRefused(DeviationRefusal.NOT_ALLOWED, reference=contract.reference)
    checkpoint = checkpoint_of(uow, follow_up)
    if follow_up is not None and (
        follow_up.state is FollowUpState.SKIPPED
        or checkpoint is None
        or checkpoint.status is CheckpointStatus.REMOVED
    ):
        raise IntakeRefused(IntakeRefusal.FOLLOW_UP_CLOSED, reference=contract.reference)
    supplier = (
        uow.suppliers.get_many([contract.supplier_id]).get(contract.supplier_id)
        if contract.supplier_id
        else None
    )
    answers = answer_target(uow, follow_up, person, now) is not None
    return ReportTarget(
        person=person,
        contract=contract,
        supplier_name=supplier.name if supplier else None,
        follow_up=follow_up,
        checkpoint=checkpoint,
        answers_follow_up=answers,
    )


def contracts_to_offer(
    person_id: str, uow: UnitOfWork, *, limit: int = MAX_CONTRACT_CHOICES
) -> tuple[list[Contract], int]:
    """The person's own contracts (owner, manager, deputy) to offer as choices, by reference,
    and how many they have; none are offered when there are more than `limit` (the person
    types the reference)."""
    contracts = list(uow.contracts.for_person(person_id))
    return (contracts if len(contracts) <= limit else []), len(contracts)


# --- each answer, checked as report_deviation checks it ----------------------------------------


def check_description(description: str) -> str:
    """The description as it will be stored; raises `DeviationRefused` (DESCRIPTION_MISSING,
    DESCRIPTION_TOO_LONG)."""
    return checked_description(description)


def check_occurred_on(contract_id: str, occurred_on: date, uow: UnitOfWork, now: datetime) -> None:
    """Raises `DeviationRefused` (DATE_IN_FUTURE, DATE_TOO_OLD, DATE_BEFORE_CONTRACT,
    UNKNOWN_CONTRACT)."""
    contract = uow.contracts.get(contract_id)
    if contract is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_CONTRACT)
    check_date(occurred_on, oslo_today(now), contract)


# --- choices typed as words --------------------------------------------------------------------

_SEPARATORS: Final = re.compile(r"[\s_\-/]+")
_EDGES: Final = " .,;:!?\"'«»()[]"
MIN_PREFIX: Final = 3


def normalise(answer: str) -> str:
    """`normalise_words`, with `-`, `_` and `/` as spaces and no end marks."""
    return _SEPARATORS.sub(" ", normalise_words(answer)).strip(_EDGES).strip()


def _words(labels: Mapping[T, str], extra: Mapping[T, Iterable[str]]) -> dict[T, set[str]]:
    words: dict[T, set[str]] = {}
    for key, label in labels.items():
        found = {normalise(label), normalise(str(key))}
        found.update(normalise(w) for w in extra.get(key, ()))
        words[key] = {w for w in found if w}
    return words


def _read_word(answer: str, words: Mapping[T, set[str]]) -> T | None:
    wanted = normalise(answer)
    if not wanted:
        return None
    exact = [key for key, options in words.items() if wanted in options]
    if len(exact) == 1:
        return exact[0]
    if len(wanted) < MIN_PREFIX:
        return None
    starts = [key for key, options in words.items() if any(o.startswith(wanted) for o in options)]
    return starts[0] if len(starts) == 1 else None


def _read_number(answer: str, options: Sequence[T]) -> T | None:
    wanted = normalise(answer).removesuffix(".")
    if wanted.isdigit() and len(wanted) <= 3 and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1]
    return None


_CATEGORY: Final = _words(CATEGORY_LABELS, CATEGORY_WORDS)
_SEVERITY: Final = _words(SEVERITY_LABELS, SEVERITY_WORDS)
_REMEDY: Final = _words(REMEDY_LABELS, REMEDY_WORDS)


def read_category(answer: str) -> DeviationCategory | None:
    """A category by its number in `CATEGORY_ORDER`, label, code or synonym; None: not read."""
    return _read_number(answer, CATEGORY_ORDER) or _read_word(answer, _CATEGORY)


def read_severity(answer: str) -> Severity | None:
    return _read_number(answer, SEVERITY_ORDER) or _read_word(answer, _SEVERITY)


def read_remedy(answer: str) -> tuple[bool, Remedy | None]:
    """(read, remedy): a remedy by its number in `REMEDY_ORDER` (`len + 1`: no proposal),
    label or synonym; (True, None) is "no proposal"; (False, None) was not read."""
    wanted = normalise(answer)
    if wanted in {normalise(w) for w in NO_REMEDY_WORDS} or wanted == str(len(REMEDY_ORDER) + 1):
        return True, None
    remedy = _read_number(answer, REMEDY_ORDER) or _read_word(answer, _REMEDY)
    return remedy is not None, remedy


def read_yes_no(answer: str) -> bool | None:
    wanted = normalise(answer)
    if wanted in {normalise(w) for w in YES_WORDS}:
        return True
    if wanted in {normalise(w) for w in NO_WORDS}:
        return False
    return None


# --- short codes -------------------------------------------------------------------------------

_CODE: Final = re.compile(rf"#?(?P<code>[0-9a-f]{{{SHORT_CODE_LENGTH}}})")
_FULL_ID: Final = re.compile(
    r"#?(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


def parse_code(text: str) -> str | None:
    """A code as typed: `AV-2026-0042` (any case, `av-2026-42`) as stored; an older short code
    or a whole id (`#3f9c2b1a`, `3F9C2B1A`) in lower case; None when `text` is none of them."""
    if (numbered := codes.parse_code(text)) is not None:
        return numbered
    wanted = text.strip().strip(_EDGES).lower()
    if match := _FULL_ID.fullmatch(wanted):
        return match["id"]
    if match := _CODE.fullmatch(wanted):
        return match["code"]
    return None


def deviation_by_code(code: str, uow: UnitOfWork) -> Deviation:
    """The deviation a code (`AV-2026-0042`), an older short code or an id names. Raises
    `DeviationRefused` (UNKNOWN_DEVIATION) and `IntakeRefused` (CODE_AMBIGUOUS)."""
    if (numbered := codes.parse_code(code)) is not None:
        found_by_code = uow.deviations.with_code(numbered)
        if found_by_code is None:
            raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
        return found_by_code
    parsed = parse_code(code)
    if parsed is None:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
    if len(parsed) > SHORT_CODE_LENGTH:
        found = uow.deviations.get(parsed)
        matches: Sequence[Deviation] = [found] if found else []
    else:
        matches = uow.deviations.with_id_ending(parsed, MAX_CODE_MATCHES)
    if not matches:
        raise DeviationRefused(DeviationRefusal.UNKNOWN_DEVIATION)
    if len(matches) > 1:
        raise IntakeRefused(IntakeRefusal.CODE_AMBIGUOUS, short=parsed, count=len(matches))
    return matches[0]


__all__ = [
    "CATEGORY_ORDER",
    "MAX_CONTRACT_CHOICES",
    "REMEDY_ORDER",
    "SEVERITY_ORDER",
    "SHORT_CODE_LENGTH",
    "IntakeRefusal",
    "IntakeRefused",
    "ReportTarget",
    "check_description",
    "check_occurred_on",
    "contracts_to_offer",
    "deviation_by_code",
    "normalise",
    "parse_code",
    "read_category",
    "read_remedy",
    "read_severity",
    "read_yes_no",
    "report_target",
    "short_code",
]
