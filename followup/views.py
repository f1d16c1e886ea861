"""Read models: what the ports are asked and what they answer with (scopes, pages, list
items, status numbers, export queries, columns and rows), and the words for stored codes that
exports and cards show. `followup.ports` and `storage` use them; the services
(`followup.access`, `followup.portfolio`, `followup.exports`, `followup.deviations`) build on
them.

This module imports only `followup.models`: the ports depend on no service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Generic, TypeVar

from followup.models import (
    Answer,
    AnswerKind,
    Contract,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Remedy,
    RiskLevel,
    Severity,
)

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

ANSWER_PERIOD_DAYS: Final = 90
DEFAULT_PAGE_SIZE: Final = 10
MAX_PAGE_SIZE: Final = 50

SEVERITY_ORDER: Final = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
"""Most severe first: the order of deviation lists."""


# --- who may see what (`followup.access`) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The contracts one may see.

    `people_sets` empty: every contract. Otherwise a contract is visible when, for EACH set,
    its owner, deputy or manager is in that set. One person's scope has one set (themselves and
    whom they cover today); a channel's has one set per member who is not procurement, so a
    contract is visible only when every such member may see it. An empty set sees nothing.
    """

    people_sets: tuple[frozenset[str], ...] = ()

    @classmethod
    def everything(cls) -> Scope:
        return cls(())

    @classmethod
    def nothing(cls) -> Scope:
        return cls((frozenset(),))

    @classmethod
    def of_people(cls, person_ids: Iterable[str]) -> Scope:
        return cls((frozenset(person_ids),))

    @property
    def is_everything(self) -> bool:
        return not self.people_sets

    @property
    def is_nothing(self) -> bool:
        return any(not people for people in self.people_sets)

    def __and__(self, other: Scope) -> Scope:
        """What both scopes see."""
        if self.is_nothing or other.is_nothing:
            return Scope.nothing()
        sets = list(dict.fromkeys((*self.people_sets, *other.people_sets)))
        # A set that contains another set adds nothing: drop it.
        kept = tuple(s for s in sets if not any(t < s for t in sets))
        return Scope(kept)

    def sees(self, contract: Contract) -> bool:
        """The same rule as the SQL, for one contract already in hand."""
        people = {contract.owner_id, contract.deputy_id, contract.manager_id} - {None}
        return all(people & s for s in self.people_sets)


@dataclass(frozen=True, slots=True)
class CoverFact:
    """An owner away today, with the deputy named for the absence and their standing deputy."""

    owner_id: str
    absence_deputy_id: str | None
    standing_deputy_id: str | None

    @property
    def deputy_id(self) -> str | None:
        """Who covers: the absence's deputy, else the standing deputy (the contract's own
        deputy and manager see the contract anyway)."""
        return self.absence_deputy_id or self.standing_deputy_id


# --- parts of the portfolio ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subset:
    """Part of the portfolio: contracts of one supplier, one unit, one owner, or one contract
    (fields given are all required). The empty subset is the whole portfolio."""

    supplier_id: str | None = None
    unit: str | None = None
    owner_id: str | None = None
    contract_id: str | None = None

    @property
    def is_whole(self) -> bool:
        return all(
            value is None
            for value in (self.supplier_id, self.unit, self.owner_id, self.contract_id)
        )


WHOLE: Final = Subset()


class TargetKind(StrEnum):
    CONTRACT = "contract"
    SUPPLIER = "supplier"
    UNIT = "unit"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class StatusTarget:
    """What `status <text>` is about. `key`: the contract, supplier or person id, or the
    unit's name. `name`: the reference, supplier name, unit or person's name; `detail`: the
    contract's title, the organisation number (nine digits), the e-mail."""

    kind: TargetKind
    key: str
    name: str
    detail: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name

    def subset(self) -> Subset:
        match self.kind:
            case TargetKind.CONTRACT:
                return Subset(contract_id=self.key)
            case TargetKind.SUPPLIER:
                return Subset(supplier_id=self.key)
            case TargetKind.UNIT:
                return Subset(unit=self.key)
            case TargetKind.OWNER:
                return Subset(owner_id=self.key)


# --- the status card -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusCounts:
    contracts_followed_up: int
    due_this_week: int
    due_in_period: int
    answered: int
    answered_on_time: int
    overdue: int
    escalated: int
    open_deviations: Mapping[Severity, int]
    """Every severity, zero included."""
    unreachable_owners: int

    @property
    def open_deviations_total(self) -> int:
        return sum(self.open_deviations.values())


@dataclass(frozen=True, slots=True)
class StatusWindow:
    """The dates a status is counted over."""

    today: date
    week_start: date
    week_end: date
    period_start: date
    period_end: date

    @classmethod
    def for_today(cls, today: date) -> StatusWindow:
        monday = today - timedelta(days=today.weekday())
        return cls(
            today=today,
            week_start=monday,
            week_end=monday + timedelta(days=6),
            period_start=today - timedelta(days=ANSWER_PERIOD_DAYS - 1),
            period_end=today,
        )


@dataclass(frozen=True, slots=True)
class PortfolioCounts:
    """Numbers for the weekly summary."""

    answered: int
    answered_on_time: int
    overdue: int
    escalated: int
    open_deviations: Mapping[str, int]
    unreachable_people: Sequence[Person]


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`cursor`: from the previous page's `next_cursor` (None: the first page)."""

    cursor: str | None = None
    size: int = DEFAULT_PAGE_SIZE

    @property
    def limit(self) -> int:
        return max(1, min(self.size, MAX_PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None
    """None on the last page; otherwise pass it back for the next (`mer`)."""
    total: int
    """Items on all pages together."""


@dataclass(frozen=True, slots=True)
class OverdueItem:
    follow_up_id: str
    contract_id: str
    contract_reference: str
    contract_title: str
    supplier_name: str | None
    checkpoint_title: str
    due_date: date
    days_overdue: int
    """Calendar days from the due date to `today`."""
    state: FollowUpState
    reminder_step: int
    escalated: bool
    owner_id: str | None
    owner_name: str | None


@dataclass(frozen=True, slots=True)
class DeviationFilter:
    open_only: bool = True
    category: str | None = None
    """A `DeviationCategory` value."""
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class DeviationItem:
    deviation_id: str
    code: str | None
    """`AV-2026-0042` (`followup.deviations.codes`)."""
    contract_id: str
    contract_reference: str
    contract_title: str
    supplier_name: str | None
    follow_up_id: str | None
    category: str
    severity: Severity
    occurred_on: date
    description: str
    remedy: str | None
    status: DeviationStatus
    reported_by_name: str | None
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class DeviationList:
    """Newest first within each severity, most severe first; open before closed."""

    page: Page[DeviationItem]
    by_severity: Mapping[Severity, int]
    """For the same scope, subset and `open_only`, ignoring the category and severity filters
    (the numbers to show on the filter buttons)."""
    by_category: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """A follow-up with its latest answer."""

    follow_up: FollowUp
    checkpoint_title: str
    latest_answer: Answer | None
    versions: int
    answered_by_name: str | None
    first_answered_on: date | None
    """Oslo date of the first answer."""
    documents: int
    on_behalf_of_name: str | None = None
    """Whose follow-up it was, when a deputy (or someone else) answered for the owner."""

    @property
    def answered_on_time(self) -> bool | None:
        if self.first_answered_on is None:
            return None
        return self.first_answered_on <= self.follow_up.due_date


@dataclass(frozen=True, slots=True)
class AssessedRisk:
    """A contract's latest risk assessment in `status <avtalenr>` (issue 19): the level, the
    version, when and by whom (`followup.checks.risk`)."""

    level: RiskLevel
    version: int
    assessed_at: datetime
    assessed_by: str | None
    """The person's display name; None when no longer in the register."""


@dataclass(frozen=True, slots=True)
class LatestOnsiteCheck:
    """A contract's latest on-site check in `status <avtalenr>` (issue 19): the day, the
    workers on site and how many had no valid HMS-kort."""

    checked_on: date
    workers: int
    without_card: int


@dataclass(frozen=True, slots=True)
class ArchivedCase:
    """What the municipality's archive has of a contract (issue 17): its case number from the
    archive's receipts, and how many records it confirmed, the latest first."""

    case_number: str | None
    """``"2025/17"``; None until a receipt names the case."""
    records: int
    latest_journal_number: str | None
    """``"2025/1042"``: the latest confirmed record's journal number."""
    latest_title: str | None


@dataclass(frozen=True, slots=True)
class DecisionItem:
    """A decision on a contract (an option's, or what happens when it expires): the answer in
    force of one of its follow-ups, documents sent to it aside."""

    follow_up_id: str
    checkpoint_title: str
    due_date: date
    answer: Answer
    answered_by_name: str | None


@dataclass(frozen=True, slots=True)
class DocumentItem:
    document_id: str
    follow_up_id: str | None
    checkpoint_title: str | None
    file_name: str
    media_type: str
    size_bytes: int
    uploaded_at: datetime
    evidence: str | None


# --- exports ---------------------------------------------------------------------------------


class ExportKind(StrEnum):
    SVAR = "svar"
    """Answered follow-ups due in the period, one row each (first and latest answer)."""
    AVVIK = "avvik"
    """Deviations that occurred in the period (open only, or all)."""
    FORFALT = "forfalt"
    """Open follow-ups due before today (and in the period when one is given), oldest
    first."""
    KONTRAKTER = "kontrakter"
    """Active contracts followed up (with a follow-up due in the period when one is given)."""
    OPPFOLGINGER = "oppfolginger"
    """Follow-ups due in the period, except skipped ones, with their state and answer."""
    UTILGJENGELIGE = "utilgjengelige"
    """Unreachable owners with open follow-ups."""
    HISTORIKK = "historikk"
    """The audit trail of the contracts: every change, who made it (and for whom), before and
    after; the period filters when it happened."""
    KONTROLLER = "kontroller"
    """On-site checks made in the period (issue 19), one row each, newest first."""
    RISIKO = "risiko"
    """Risk assessment versions made in the period (issue 19), one row each, newest first."""
    EVALUERINGER = "evalueringer"
    """Supplier evaluation versions made in the period (issue 19), one row each, newest
    first."""
    ANALYSE = "analyse"
    """An agreement's purchase analysis: a workbook of its own (the figures and the lines
    behind them, `followup.exports.prepare_file`), not rows of a query: no `EXPORT_COLUMNS`."""
    EVALUERING = "evaluering"
    """A supplier evaluation as a letter to the supplier (`evaluer <avtalenr> brev`): a file of
    its own, like `ANALYSE`."""


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    DATETIME = "datetime"
    """Aware; written in Oslo time."""
    BOOLEAN = "boolean"
    """Written Ja / Nei."""
    MONEY = "money"
    """Whole kroner."""


@dataclass(frozen=True, slots=True)
class ExportColumn:
    header: str
    type: ColumnType = ColumnType.TEXT
    width: int = 14
    """In characters, for spreadsheets."""
    labels: Mapping[str, str] | None = field(default=None, compare=False, hash=False)
    """Stored codes and the words written for them (`export_rows` applies them)."""


Cell = str | int | bool | date | datetime | None
ExportRow = tuple[Cell, ...]


# --- words for stored codes (exports, cards and typed choices) -------------------------------

CATEGORY_LABELS: Final[Mapping[DeviationCategory, str]] = {
    DeviationCategory.DELAY: "Forsinkelse",
    DeviationCategory.DEFECT: "Mangel / kvalitetsavvik",
    DeviationCategory.QUANTITY: "Feil mengde",
    DeviationCategory.PRICE: "Prisavvik / fakturaavvik",
    DeviationCategory.LEAKAGE: "Avtalelekkasje",
    DeviationCategory.DOCUMENTATION: "Dokumentasjonsavvik",
    DeviationCategory.INTEGRITY: "Seriøsitetsavvik",
    DeviationCategory.HSE: "HMS-avvik",
    DeviationCategory.OTHER: "Annet",
}
SEVERITY_LABELS: Final[Mapping[Severity, str]] = {
    Severity.LOW: "Lav",
    Severity.MEDIUM: "Middels",
    Severity.HIGH: "Høy",
    Severity.CRITICAL: "Kritisk",
}
REMEDY_LABELS: Final[Mapping[Remedy, str]] = {
    Remedy.NOTICE: "Reklamasjon",
    Remedy.CORRECTION: "Retting",
    Remedy.REDELIVERY: "Omlevering",
    Remedy.PRICE_REDUCTION: "Prisavslag",
    Remedy.ACTION_PLAN: "Handlingsplan",
    Remedy.DAILY_PENALTY: "Dagmulkt (dagbot)",
    Remedy.WITHHOLDING: "Tilbakeholdelse av betaling",
    Remedy.DAMAGES: "Erstatning",
    Remedy.TERMINATION: "Heving",
    Remedy.NO_RENEWAL: "Ikke prolongere",
}
STATUS_LABELS: Final[Mapping[DeviationStatus, str]] = {
    DeviationStatus.OPEN: "Åpent",
    DeviationStatus.IN_PROGRESS: "Under behandling",
    DeviationStatus.CLOSED: "Lukket",
}
"""Of deviations (`DeviationStatus`)."""
FOLLOW_UP_STATE_LABELS: Final[Mapping[FollowUpState, str]] = {
    FollowUpState.PLANNED: "planlagt",
    FollowUpState.NOTIFIED: "varslet",
    FollowUpState.REMINDED: "purret",
    FollowUpState.ANSWERED: "besvart",
    FollowUpState.DEVIATION_REPORTED: "avvik meldt",
    FollowUpState.ESCALATED: "eskalert",
    FollowUpState.SNOOZED: "utsatt",
    FollowUpState.SKIPPED: "utgått",
}
ANSWER_KIND_LABELS: Final[Mapping[AnswerKind, str]] = {
    AnswerKind.DELIVERED: "levert",
    AnswerKind.PARTLY_DELIVERED: "delvis levert",
    AnswerKind.NOT_DELIVERED: "ikke levert",
    AnswerKind.DOCUMENTS: "dokumentasjon",
    AnswerKind.DEVIATION: "avvik",
    AnswerKind.NOT_APPLICABLE: "ikke aktuelt",
    AnswerKind.OPTION_EXERCISED: "opsjonen utløses",
    AnswerKind.OPTION_NOT_EXERCISED: "opsjonen utløses ikke",
    AnswerKind.NEW_PROCUREMENT: "ny anskaffelse startet",
    AnswerKind.EXTENDED: "kontrakten forlenges",
    AnswerKind.ENDING: "kontrakten avsluttes",
    AnswerKind.IN_ORDER: "i samsvar",
    AnswerKind.MEETING_HELD: "møtet er holdt",
}


def _by_value(labels: Mapping[E, str]) -> Mapping[str, str]:
    return {key.value: label for key, label in labels.items()}


_STATES = _by_value(FOLLOW_UP_STATE_LABELS)
CREW_LIST_LABELS: Final = {
    "ja": "Stemte",
    "nei": "Stemte ikke",
    "ikke_kontrollert": "Ikke kontrollert",
}
"""An on-site check's crew list (`followup.checks.onsite_models.CrewList`) in an export."""
RISK_LEVEL_LABELS: Final[Mapping[RiskLevel, str]] = {
    RiskLevel.LOW: "Lav",
    RiskLevel.MEDIUM: "Middels",
    RiskLevel.HIGH: "Høy",
}
RISK_SOURCE_LABELS: Final = {"chat": "Chat", "register": "Registeret"}
"""Where a risk assessment came from (`followup.checks.models.RiskSource`)."""
RISK_AREA_HEADERS: Final = (
    ("leveranse", "Leveranse og kvalitet"),
    ("pris", "Pris og økonomi"),
    ("arbeidsvilkar", "Lønns- og arbeidsvilkår"),
    ("hms", "HMS"),
    ("leverandorkjede", "Leverandørkjede"),
    ("omdomme", "Omdømme"),
)
"""The risk areas (`followup.checks.models.RiskArea` values, in its order: this module imports
only `followup.models`) and their names in the risk export's headers."""
EVALUATION_HEADING_HEADERS: Final = (
    ("leveringssikkerhet", "Leveringssikkerhet"),
    ("kvalitet", "Kvalitet og kompetanse"),
    ("samarbeid", "Samarbeid"),
    ("fakturering", "Fakturering og økonomi"),
    ("samfunnsansvar", "Samfunnsansvar"),
    ("samlet", "Samlet vurdering"),
)
"""DFØ's headings (`followup.checks.evaluation_models.EvaluationHeading` values, in its order)
and their names in the evaluations export's headers."""
_C = ExportColumn
_CONTRACT_COLUMNS = (
    _C("Avtalenr", width=16),
    _C("Kontrakt", width=36),
    _C("Leverandør", width=28),
    _C("Enhet", width=24),
)
_ANSWER_COLUMNS = (
    _C("Svar", width=22, labels=_by_value(ANSWER_KIND_LABELS)),
    _C("Besluttet av", width=24),
    _C("Besluttet dato", ColumnType.DATE, 11),
)
"""The latest answer, and who decided it and when (option and expiry decisions)."""
EXPORT_COLUMNS: Final[Mapping[ExportKind, tuple[ExportColumn, ...]]] = {
    ExportKind.FORFALT: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Dager forfalt", ColumnType.INTEGER, 8),
        _C("Status", width=12, labels=_STATES),
        _C("Påminnelsestrinn", ColumnType.INTEGER, 8),
        _C("Eskalert", ColumnType.BOOLEAN, 9),
        _C("Avtaleeier", width=24),
        _C("E-post avtaleeier", width=30),
    ),
    ExportKind.OPPFOLGINGER: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Status", width=12, labels=_STATES),
        _C("Avtaleeier", width=24),
        _C("Besvart", ColumnType.BOOLEAN, 8),
        _C("Første svar", ColumnType.DATE, 11),
        _C("Besvart i tide", ColumnType.BOOLEAN, 8),
        *_ANSWER_COLUMNS,
    ),
    ExportKind.SVAR: (
        *_CONTRACT_COLUMNS,
        _C("Kontrollpunkt", width=32),
        _C("Frist", ColumnType.DATE, 11),
        _C("Første svar", ColumnType.DATE, 11),
        _C("Besvart i tide", ColumnType.BOOLEAN, 8),
        _C("Siste svar", ColumnType.DATETIME, 17),
        *_ANSWER_COLUMNS,
        _C("Kommentar", width=40),
        _C("Svart av", width=24),
        _C("På vegne av", width=24),
        _C("Versjoner", ColumnType.INTEGER, 8),
        _C("Dokumenter", ColumnType.INTEGER, 8),
    ),
    ExportKind.AVVIK: (
        _C("Avviksnr", width=13),
        *_CONTRACT_COLUMNS,
        _C("Org.nr", width=11),
        _C("Kategori", width=22, labels=_by_value(CATEGORY_LABELS)),
        _C("Alvorlighetsgrad", width=10, labels=_by_value(SEVERITY_LABELS)),
        _C("Dato", ColumnType.DATE, 11),
        _C("Beskrivelse", width=48),
        _C("Tiltak", width=18, labels=_by_value(REMEDY_LABELS)),
        _C("Status", width=16, labels=_by_value(STATUS_LABELS)),
        _C("Meldt av", width=24),
        _C("Meldt", ColumnType.DATETIME, 17),
        _C("Lukket", ColumnType.DATETIME, 17),
    ),
    ExportKind.KONTRAKTER: (
        _C("Avtalenr", width=16),
        _C("Saksnummer", width=12),
        _C("Kontrakt", width=36),
        _C("Avtaletype", width=14),
        _C("Leverandør", width=28),
        _C("Org.nr", width=11),
        _C("Enhet", width=24),
        _C("Avtaleeier", width=24),
        _C("Kontraktsforvalter", width=24),
        _C("Stedfortreder", width=24),
        _C("Startdato", ColumnType.DATE, 11),
        _C("Sluttdato", ColumnType.DATE, 11),
        _C("Estimert verdi", ColumnType.MONEY, 14),
        _C("Risiko", width=9),
        _C("Risikovurdert", ColumnType.DATE, 11),
        _C("Oppfølginger", ColumnType.INTEGER, 9),
        _C("Forfalt", ColumnType.INTEGER, 8),
        _C("Åpne avvik", ColumnType.INTEGER, 8),
        _C("Evaluert", ColumnType.DATE, 11),
        _C("Samlet vurdering", ColumnType.INTEGER, 9),
        _C("Arkivsak", width=12),
        _C("Arkiverte journalposter", ColumnType.INTEGER, 10),
    ),
    ExportKind.KONTROLLER: (
        *_CONTRACT_COLUMNS,
        _C("Nr.", ColumnType.INTEGER, 6),
        _C("Dato", ColumnType.DATE, 11),
        _C("Sted", width=24),
        _C("Deltakere", width=24),
        _C("Arbeidere", ColumnType.INTEGER, 9),
        _C("HMS-kort kontrollert", ColumnType.INTEGER, 10),
        _C("Uten gyldig HMS-kort", ColumnType.INTEGER, 10),
        _C("Mannskapsliste", width=16, labels=CREW_LIST_LABELS),
        _C("Notater", width=40),
        _C("Avvik", width=13),
        _C("Registrert av", width=24),
    ),
    ExportKind.RISIKO: (
        *_CONTRACT_COLUMNS,
        _C("Versjon", ColumnType.INTEGER, 8),
        _C("Vurdert", ColumnType.DATETIME, 17),
        _C("Vurdert av", width=24),
        _C("Kilde", width=11, labels=RISK_SOURCE_LABELS),
        *(
            _C(f"{name}: {part}", ColumnType.INTEGER, 12)
            for _code, name in RISK_AREA_HEADERS
            for part in ("konsekvens", "sannsynlighet")
        ),
        _C("Foreslått nivå", width=10, labels=_by_value(RISK_LEVEL_LABELS)),
        _C("Valgt nivå", width=10, labels=_by_value(RISK_LEVEL_LABELS)),
        _C("Forrige nivå", width=10, labels=_by_value(RISK_LEVEL_LABELS)),
        _C("Begrunnelse for valgt nivå", width=40),
        _C("Kommentar", width=40),
    ),
    ExportKind.EVALUERINGER: (
        *_CONTRACT_COLUMNS,
        _C("Org.nr", width=11),
        _C("Versjon", ColumnType.INTEGER, 8),
        _C("Evaluert", ColumnType.DATETIME, 17),
        _C("Evaluert av", width=24),
        *(
            column
            for _code, name in EVALUATION_HEADING_HEADERS
            for column in (
                _C(name, ColumnType.INTEGER, 10),
                _C(f"{name}: kommentar", width=36),
            )
        ),
    ),
    ExportKind.UTILGJENGELIGE: (
        _C("Navn", width=28),
        _C("E-post", width=32),
        _C("Åpne oppfølginger", ColumnType.INTEGER, 10),
        _C("Forfalt", ColumnType.INTEGER, 8),
    ),
    ExportKind.HISTORIKK: (
        _C("Avtalenr", width=16),
        _C("Kontrakt", width=40),
        _C("Tidspunkt", ColumnType.DATETIME, 17),
        _C("Utført av", width=28),
        _C("På vegne av", width=28),
        _C("Handling", width=28),
        _C("Gjelder", width=14),
        _C("Endring", width=60),
    ),
}
"""The columns of each export, in order: Norwegian headers, types and widths."""


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """What to export. `from_date` / `to_date` (both included; None: open) filter by due date
    (FORFALT, OPPFOLGINGER, SVAR), by the day a deviation occurred (AVVIK), by having a
    follow-up due in the period (KONTRAKTER), by the day of a check (KONTROLLER), by the Oslo
    day an assessment or evaluation was made (RISIKO, EVALUERINGER); UTILGJENGELIGE ignores
    them."""

    kind: ExportKind
    today: date
    from_date: date | None = None
    to_date: date | None = None
    subset: Subset = field(default=WHOLE)
    on_time: bool | None = None
    """SVAR: only answered on time (True) or late (False)."""
    escalated_only: bool = False
    """FORFALT: only escalated."""
    open_only: bool = True
    """AVVIK: only deviations not closed."""
    severity: Severity | None = None
    """AVVIK"""
    category: str | None = None
    """AVVIK: a `DeviationCategory` value."""

    def replace(self, **changes: Any) -> ExportQuery:
        return dataclasses.replace(self, **changes)

    @property
    def columns(self) -> tuple[ExportColumn, ...]:
        return EXPORT_COLUMNS[self.kind]

    def file_name(self, extension: str) -> str:
        """E.g. `kontraktsvakt-forfalt-2026-11-23.xlsx`."""
        return f"kontraktsvakt-{self.kind.value}-{self.today.isoformat()}.{extension}"


__all__ = [
    "ANSWER_KIND_LABELS",
    "ANSWER_PERIOD_DAYS",
    "CATEGORY_LABELS",
    "DEFAULT_PAGE_SIZE",
    "EVALUATION_HEADING_HEADERS",
    "EXPORT_COLUMNS",
    "FOLLOW_UP_STATE_LABELS",
    "MAX_PAGE_SIZE",
    "REMEDY_LABELS",
    "RISK_AREA_HEADERS",
    "RISK_LEVEL_LABELS",
    "RISK_SOURCE_LABELS",
    "SEVERITY_LABELS",
    "SEVERITY_ORDER",
    "STATUS_LABELS",
    "WHOLE",
    "Cell",
    "ColumnType",
    "CoverFact",
    "DecisionItem",
    "DeviationFilter",
    "DeviationItem",
    "DeviationList",
    "DocumentItem",
    "ExportColumn",
    "ExportKind",
    "ExportQuery",
    "ExportRow",
    "HistoryItem",
    "OverdueItem",
    "Page",
    "PageRequest",
    "PortfolioCounts",
    "Scope",
    "StatusCounts",
    "StatusTarget",
    "StatusWindow",
    "Subset",
    "TargetKind",
]
