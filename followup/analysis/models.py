"""Purchase analysis (issue 16): what the procurement team's own checks of a framework
agreement read and what they find. Plain frozen dataclasses: a region's statistics run to
millions of lines, and a line is data, not a document to validate field by field.

Money and quantities are `Decimal` here (exact; kroner with øre, quantities with decimals);
storage keeps them as scaled integers (`followup.analysis.scales`). A line names its agreement by
reference (*avtalenr*) only when it is read; storage ties it to the contract's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from followup.accounts import AccountRange

# Price and statistics lines are read by the thousand for one analysis: plain slotted classes,
# read-only by convention (a frozen dataclass's `__init__` costs five times as much).


@dataclass(slots=True)
class PriceLine:
    """One article of an agreement's price list (*prisliste*)."""

    article: str
    """*Varenummer*, as the supplier writes it (compared after `article_key`)."""
    description: str
    unit: str | None
    agreed_price: Decimal
    """*Avtalt pris*: the unit price ex. VAT."""
    core: bool
    """In the core assortment (*kjernesortiment*)."""
    valid_from: date | None = None
    """*Gyldig fra*: a price adjustment; None is the agreement's first price."""


@dataclass(slots=True)
class StatisticsLine:
    """One line of a supplier's sales statistics (*salgsstatistikk*)."""

    period_from: date
    period_to: date
    customer: str | None
    """*Kunde*: the buying unit as the supplier names it."""
    article: str
    description: str | None
    unit: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    """*Enhetspris*: invoiced, ex. VAT; None when only the amount is given."""
    amount: Decimal
    """*Beløp eks. mva*."""
    core: bool | None = None
    """*Kjernesortiment* as the supplier marked it (the price list decides; this is shown)."""
    lines: int = 1
    """How many of the supplier's lines this one stands for: storage sums lines that differ
    only in customer and quantity (same article, period and invoiced unit price), which
    changes no figure (every figure is a sum over lines or is decided per article and price)."""


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One line of the municipality's ledger extract (*regnskapsutdrag*)."""

    voucher_date: date
    """*Bilagsdato*."""
    organisation_number: str | None
    """*Org.nr*, nine digits; None when the ledger has none (a private person, a foreign firm)."""
    supplier_name: str
    amount: Decimal
    """*Beløp eks. mva*; a credit note is negative."""
    account: str
    """*Konto*: the art account."""
    responsibility: str | None = None
    """*Ansvar*: the unit that bought."""


class Flag(StrEnum):
    """A finding of an analysis, by code (also in the JSON)."""

    CORE_SHARE_LOW = "core_share_low"
    OFF_LIST_HIGH = "off_list_high"
    PRICE_DEVIATION = "price_deviation"
    CEILING_80 = "ceiling_80"
    CEILING_100 = "ceiling_100"
    LEAKAGE_HIGH = "leakage_high"
    STATISTICS_MISSING = "statistics_missing"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a figure becomes a flag (settings; the defaults are the issue's)."""

    price_tolerance: Decimal = Decimal("0.005")
    """An invoiced price more than this share above the agreed price is a price deviation."""
    core_share_min: Decimal = Decimal("0.5")
    off_list_share_max: Decimal = Decimal("0.2")
    loyalty_min: Decimal = Decimal("0.8")
    ceiling_warn: Decimal = Decimal("0.8")


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    """What an analysis needs to know of the agreement itself (from the register)."""

    reference: str
    title: str
    start_date: date | None
    maximum_value: Decimal | None
    """*Maksverdi* ex. VAT; None when the register has none."""
    estimated_value: Decimal | None
    """*Estimert verdi*: the ceiling's fallback, said so in the result."""
    organisation_numbers: frozenset[str] = field(default_factory=frozenset)
    """The agreement's supplier(s), for loyalty."""
    accounts: tuple[AccountRange, ...] = ()
    """*Kontoer*: the ledger accounts the agreement covers."""


class ImportKind(StrEnum):
    PRICE_LIST = "price_list"
    STATISTICS = "statistics"
    LEDGER = "ledger"


@dataclass(frozen=True, slots=True)
class AnalysisImport:
    """One imported file: what kind, for which agreement (none for a ledger extract) and
    period, how many lines, who imported it and when (also in the audit trail)."""

    id: str
    kind: ImportKind
    contract_id: str | None
    file_name: str
    sha256: str
    period_from: date | None
    period_to: date | None
    lines: int
    imported_by: str
    imported_at: datetime
