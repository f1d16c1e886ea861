"""The purchase-analysis files as people send them: column vocabularies and row parsing.

Three files feed the analysis of a framework agreement (issue 16): the agreement's price list
(*prisliste*), the supplier's sales statistics (*salgsstatistikk*) and the municipality's ledger
extract (*regnskapsutdrag*). Each comes as a CSV export or an Excel sheet with Norwegian column
headers (or English ones) in any order, and values written the Norwegian way. This module turns
one row of such a file into a `PriceLine`, `StatisticsLine` or `LedgerLine`, or into the list of
every problem in the row (`RowProblem`, with Norwegian messages a person can act on). It touches
no file and no database; the cell primitives (`header_key`, `parse_date`, `parse_bool`,
`cell_text`, `RowProblem`) are the register import's (`followup.register.reading`).

What a cell means, and what an empty cell means:

- Money (*Avtalt pris*, *Enhetspris*, *Beløp eks. mva*) is kroner with øre, exact (`Decimal`):
  `1 250,50`, `1.250,50`, `1250.50`, `kr 12,5`, `1 250,-`, an Excel number (rounded to the 15
  significant digits Excel itself keeps). Any space separates thousands (also U+00A0, U+202F).
  A comma is always the decimal mark (`0,125`), and so is a lone dot (`12.50`, `0.125`), except
  in `1.250` (one to three digits, a dot, three digits): that could be 1 250 or 1,25 and is
  refused as ambiguous rather than guessed. Several dots, or dots before a comma, separate
  thousands (`1.250.000`, `1.250,50`). An amount marked *inkl. mva* is refused: every figure is
  ex. VAT.
- Negative amounts: the ledger has credit notes (`-1 250,00`, `(1 250,00)`, `1 250,00-`). The
  statistics have returns (*retur*): a negative *Antall* with a negative *Beløp*, which lower
  the turnover as they should; the two must then have the same sign. A price (*Avtalt pris*,
  *Enhetspris*) is never negative. Zero is allowed everywhere (a free article, a zero line).
- Quantities (*Antall*) are decimals (`2,5` metres), written like money without currency.
- Dates are read as the register reads them: `31.12.2026`, `31.12.26`, `2026-12-31`, Excel dates.
- A period (statistics) is *Periode fra* + *Periode til*, or one *Periode* cell: a quarter
  (`1. kvartal 2026`, `Q1 2026`, `2026-Q1`), a tertial of four months (`T1 2026`: January to
  April), a half year (`1. halvår 2026`, `H1 2026`), a month (`januar 2026`, `2026-01`,
  `01.2026`), a year (`2026`), a span of months (`jan–mar 2026`) or two dates
  (`01.01.2026–31.03.2026`). One date (an Excel date cell) is a period of that day.
- *Kjernesortiment*: J/N, Ja/Nei, X/blank, Yes/No, 1/0; an empty cell is "not core". In the
  statistics, where the column is optional, a file without it gives `core=None` (unknown).
- *Org.nr* (ledger) is nine digits with a valid check digit in any usual spelling
  (`NO 974 600 951 MVA`); an empty cell is allowed (a private person, a foreign firm), but then
  the row needs the supplier's name.
- *Konto*: the account number, or the number followed by its name (`1250 Kontorrekvisita`).
- Articles (*Varenummer*) are kept as written and compared by `article_key`: spaces and case do
  not matter, and leading zeros of an all-digit number do not either (`000123` is `123`: Excel
  drops them when a sheet is opened, and one supplier system pads where another does not).
- Required columns: price list *Varenummer*, *Varetekst*, *Avtalt pris*, *Kjernesortiment*;
  statistics the period, *Varenummer* and *Beløp eks. mva*; ledger *Bilagsdato*, *Org.nr*,
  *Leverandør*, *Beløp eks. mva* and *Konto*. Every other column may be left out (its field is
  then None), and headers the file has beyond these are reported and ignored. An empty cell in
  a required column fails the row (`mangler varenummer`); elsewhere it is None (an empty
  *Leverandør* beside an *Org.nr* is the empty name).
- Numbers are kept as written, not rounded: storage decides the scale it keeps.
- The register's columns *Maksverdi* and *Kontoer* are read with the rest of the register
  (`followup.register.reading`: `parse_amount`, `parse_accounts`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

from followup.accounts import MAX_ACCOUNT_CHARS
from followup.analysis.models import LedgerLine, PriceLine, StatisticsLine
from followup.errors import InvalidInput
from followup.orgnr import InvalidOrganisationNumber, normalise_organisation_number
from followup.register.reading import (
    EXTRA_CELLS_KEY,
    MIN_HEADER_MATCHES,
    ROW_ERROR_KEY,
    InvalidCell,
    RowProblem,
    cell_text,
    format_date,
    header_key,
    parse_bool,
    parse_date,
)
from followup.words import fold_letters, normalise_words

# --- limits ------------------------------------------------------------------------------------

MAX_ARTICLE_CHARS: Final = 100
MAX_DESCRIPTION_CHARS: Final = 500
MAX_UNIT_CHARS: Final = 50
MAX_CUSTOMER_CHARS: Final = 200
MAX_SUPPLIER_NAME_CHARS: Final = 300
MAX_RESPONSIBILITY_CHARS: Final = 200
MAX_MONEY: Final = Decimal(10) ** 13
"""10 000 billion kroner, as for the register's values: anything above is a typing error."""
MAX_QUANTITY: Final = Decimal(10) ** 12
_MIN_YEAR, _MAX_YEAR = 1950, 2149


class InvalidAnalysisFile(InvalidInput):
    """The file as a whole cannot be read (missing or doubled columns); Norwegian messages."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --- columns -----------------------------------------------------------------------------------


class AnalysisFile(StrEnum):
    """Which of the analysis' files a sheet is."""

    PRICE_LIST = "price_list"
    STATISTICS = "statistics"
    LEDGER = "ledger"


class AnalysisColumn(StrEnum):
    ARTICLE = "article"
    DESCRIPTION = "description"
    UNIT = "unit"
    AGREED_PRICE = "agreed_price"
    CORE = "core"
    VALID_FROM = "valid_from"
    PERIOD_FROM = "period_from"
    PERIOD_TO = "period_to"
    PERIOD = "period"
    CUSTOMER = "customer"
    QUANTITY = "quantity"
    UNIT_PRICE = "unit_price"
    AMOUNT = "amount"
    VOUCHER_DATE = "voucher_date"
    ORGANISATION_NUMBER = "organisation_number"
    SUPPLIER_NAME = "supplier_name"
    ACCOUNT = "account"
    RESPONSIBILITY = "responsibility"


C = AnalysisColumn

# The name a column goes by in messages, Bokmål.
COLUMN_LABELS: Final[Mapping[AnalysisColumn, str]] = {
    C.ARTICLE: "Varenummer",
    C.DESCRIPTION: "Varetekst",
    C.UNIT: "Enhet",
    C.AGREED_PRICE: "Avtalt pris",
    C.CORE: "Kjernesortiment",
    C.VALID_FROM: "Gyldig fra",
    C.PERIOD_FROM: "Periode fra",
    C.PERIOD_TO: "Periode til",
    C.PERIOD: "Periode",
    C.CUSTOMER: "Kunde",
    C.QUANTITY: "Antall",
    C.UNIT_PRICE: "Enhetspris",
    C.AMOUNT: "Beløp eks. mva",
    C.VOUCHER_DATE: "Bilagsdato",
    C.ORGANISATION_NUMBER: "Org.nr",
    C.SUPPLIER_NAME: "Leverandør",
    C.ACCOUNT: "Konto",
    C.RESPONSIBILITY: "Ansvar",
}

_ARTICLE = (
    "varenummer", "varenr", "vare nr", "vare-nr", "artikkelnummer", "artikkelnr", "art.nr",
    "artnr", "art nr", "produktnummer", "produktnr", "article number", "article no",
    "item number", "item no", "product number", "product no", "sku",
)  # fmt: skip
_DESCRIPTION = (
    "varetekst", "varenavn", "beskrivelse", "varebeskrivelse", "produktnavn", "artikkelnavn",
    "tekst", "description", "item description", "product name", "article name",
)  # fmt: skip
_UNIT = ("enhet", "måleenhet", "salgsenhet", "unit", "unit of measure", "uom")
_CORE = (
    "kjernesortiment", "kjerne", "kjernevare", "kjerneprodukt", "i kjernesortiment", "core",
    "core assortment", "core item", "core range",
)  # fmt: skip
_AMOUNT = (
    "beløp", "nettobeløp", "netto beløp", "sum", "sum netto", "linjesum", "total", "totalt",
    "amount", "net amount", "line amount", "line total",
)  # fmt: skip

_VOCABULARIES: Final[Mapping[AnalysisFile, Mapping[AnalysisColumn, tuple[str, ...]]]] = {
    AnalysisFile.PRICE_LIST: {
        C.ARTICLE: _ARTICLE,
        C.DESCRIPTION: _DESCRIPTION,
        C.UNIT: _UNIT,
        C.AGREED_PRICE: (
            "avtalt pris", "avtalepris", "enhetspris", "pris", "nettopris", "netto pris",
            "avtalt enhetspris", "agreed price", "unit price", "price", "contract price",
            "net price",
        ),
        C.CORE: _CORE,
        C.VALID_FROM: (
            "gyldig fra", "fra dato", "fradato", "fra", "gjelder fra", "prisdato", "valid from",
            "effective from", "effective date",
        ),
    },
    AnalysisFile.STATISTICS: {
        C.PERIOD_FROM: (
            "periode fra", "fra dato", "fradato", "fra", "periodestart", "from", "from date",
            "period from", "period start", "start date",
        ),
        C.PERIOD_TO: (
            "periode til", "til dato", "tildato", "til", "periodeslutt", "to", "to date",
            "period to", "period end", "end date",
        ),
        C.PERIOD: ("periode", "kvartal", "tertial", "måned", "period", "quarter", "month"),
        C.CUSTOMER: (
            "kunde", "enhet kunde", "kundeenhet", "kundenavn", "kunde navn", "bestiller",
            "bestillende enhet", "customer", "customer name", "buyer", "buying unit",
        ),
        C.ARTICLE: _ARTICLE,
        C.DESCRIPTION: _DESCRIPTION,
        C.UNIT: _UNIT,
        C.QUANTITY: ("antall", "mengde", "kvantum", "ant", "quantity", "qty"),
        C.UNIT_PRICE: (
            "enhetspris", "fakturert pris", "fakturert enhetspris", "pris", "netto enhetspris",
            "unit price", "invoiced price", "invoiced unit price", "price",
        ),
        C.AMOUNT: (*_AMOUNT, "omsetning", "fakturert beløp", "turnover", "sales",
                   "invoiced amount"),
        C.CORE: _CORE,
    },
    AnalysisFile.LEDGER: {
        C.VOUCHER_DATE: (
            "bilagsdato", "dato", "bokføringsdato", "posteringsdato", "voucher date", "date",
            "posting date",
        ),
        C.ORGANISATION_NUMBER: (
            "org.nr", "orgnr", "org nr", "org-nr", "org. nummer", "organisasjonsnummer",
            "organisasjonsnr", "leverandør org.nr", "org.nr leverandør", "foretaksnummer",
            "organisation number", "organization number", "org number", "org no",
            "supplier org no",
        ),
        C.SUPPLIER_NAME: (
            "leverandør", "leverandørnavn", "leverandør navn", "leverandørens navn", "firmanavn",
            "supplier", "supplier name", "vendor", "vendor name",
        ),
        C.AMOUNT: _AMOUNT,
        C.ACCOUNT: (
            "konto", "art", "artskonto", "art konto", "kontonummer", "kontonr", "konto nr",
            "account", "account number", "account no", "gl account",
        ),
        C.RESPONSIBILITY: (
            "ansvar", "ansvarssted", "ansvarsnummer", "ansvarsnr", "koststed", "responsibility",
            "cost centre", "cost center",
        ),
    },
}  # fmt: skip

_REQUIRED: Final[Mapping[AnalysisFile, tuple[AnalysisColumn, ...]]] = {
    AnalysisFile.PRICE_LIST: (C.ARTICLE, C.DESCRIPTION, C.AGREED_PRICE, C.CORE),
    AnalysisFile.STATISTICS: (C.ARTICLE, C.AMOUNT),  # and a period: see `AnalysisColumns`
    AnalysisFile.LEDGER: (
        C.VOUCHER_DATE, C.ORGANISATION_NUMBER, C.SUPPLIER_NAME, C.AMOUNT, C.ACCOUNT,
    ),
}  # fmt: skip

_REQUIRED_HINTS: Final[Mapping[AnalysisColumn, str]] = {
    C.ARTICLE: "Hver linje trenger varenummeret; det er det prisliste og statistikk "
    "sammenlignes på.",
    C.DESCRIPTION: "Hver vare i prislisten trenger en varetekst.",
    C.AGREED_PRICE: "Prislisten trenger den avtalte enhetsprisen eks. mva.",
    C.CORE: "Prislisten må si hvilke varer som er kjernesortiment (J/N eller X).",
    C.AMOUNT: "Hver linje trenger beløpet eks. mva.",
    C.VOUCHER_DATE: "Hver linje trenger bilagsdatoen.",
    C.ORGANISATION_NUMBER: "Leverandørens organisasjonsnummer (Org.nr) må være med; "
    "cellen kan stå tom der det ikke finnes.",
    C.SUPPLIER_NAME: "Leverandørens navn må være med.",
    C.ACCOUNT: "Hver linje trenger kontoen (artskontoen) den er ført på.",
}

# Words after a header that do not change its meaning: "Beløp eks. mva", "Pris (NOK)". An
# amount *with* VAT is another column: "Beløp inkl. mva" is not read as the amount.
_HEADER_SUFFIXES = (
    "eksklusivmva", "eksklmva", "eksmva", "exmva", "exclvat", "exvat", "eksmoms", "nok", "kr",
)  # fmt: skip
_WITH_VAT = re.compile("inklmva|inkmva|inklusivmva|medmva|inclvat|inkvat")


def _build_header_tables() -> dict[AnalysisFile, dict[str, AnalysisColumn]]:
    tables: dict[AnalysisFile, dict[str, AnalysisColumn]] = {}
    for kind, vocabulary in _VOCABULARIES.items():
        table = tables.setdefault(kind, {})
        for column, aliases in vocabulary.items():
            for alias in aliases:
                for key in (header_key(alias), fold_letters(header_key(alias))):
                    if table.setdefault(key, column) is not column:
                        raise AssertionError(f"header alias {alias!r} is ambiguous in {kind}")
    return tables


_HEADER_TABLES: Final = _build_header_tables()
ABSENT: Final = "\x00absent"
"""The header `AnalysisColumns.cells_of` gives a column the file lacks (no cell has it)."""


def column_for_header(kind: AnalysisFile, text: object) -> AnalysisColumn | None:
    """The column a header names in a file of `kind`, or None: `Beløp eks. mva` and `Amount`
    → the amount; `Beløp inkl. mva` → None (the analysis reads amounts ex. VAT only)."""
    key = header_key(text)
    if not key or _WITH_VAT.search(key):
        return None
    table = _HEADER_TABLES[kind]
    for candidate in (key, fold_letters(key)):
        found = table.get(candidate)
        if found is not None:
            return found
        for suffix in _HEADER_SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) > len(suffix):
                found = table.get(candidate[: -len(suffix)])
                if found is not None:
                    return found
    return None


def count_known_headers(kind: AnalysisFile, cells: Iterable[object]) -> int:
    """How many cells of a row name known columns (a reader's test for the header row; compare
    with `MIN_HEADER_MATCHES`)."""
    return len({c for c in (column_for_header(kind, cell) for cell in cells) if c is not None})


def _with_vat_column(kind: AnalysisFile, header: str) -> AnalysisColumn | None:
    """The column `header` would be without its "inkl. mva": `Beløp inkl. mva` → the amount."""
    key = header_key(header)
    if not _WITH_VAT.search(key):
        return None
    return column_for_header(kind, _WITH_VAT.sub("", key))


@dataclass(frozen=True)
class AnalysisColumns:
    """Which header (as written in the file) holds which column, in a file of `kind`."""

    kind: AnalysisFile
    headers: tuple[str, ...]
    columns: Mapping[AnalysisColumn, str]
    unknown: tuple[str, ...]
    duplicates: Mapping[AnalysisColumn, tuple[str, ...]]

    @classmethod
    def from_headers(cls, kind: AnalysisFile, headers: Iterable[object]) -> AnalysisColumns:
        written = tuple(str(h).strip() for h in headers if h is not None and str(h).strip())
        columns: dict[AnalysisColumn, str] = {}
        seen: dict[AnalysisColumn, list[str]] = {}
        unknown: list[str] = []
        for header in written:
            column = column_for_header(kind, header)
            if column is None:
                unknown.append(header)
                continue
            seen.setdefault(column, []).append(header)
            columns.setdefault(column, header)
        duplicates = {c: tuple(hs) for c, hs in seen.items() if len(hs) > 1}
        return cls(kind, written, columns, tuple(unknown), duplicates)

    @functools.cached_property
    def cells_of(self) -> tuple[str, ...]:
        """Every column's header as written, in `AnalysisColumn` order; `ABSENT` for a column
        the file lacks (the row parsers' fast path looks cells up by position)."""
        return tuple(self.columns.get(column, ABSENT) for column in AnalysisColumn)

    @property
    def split_period(self) -> bool:
        """The statistics give the period as *Periode fra* and *Periode til* (read before a
        *Periode* column when the file has both)."""
        return C.PERIOD_FROM in self.columns and C.PERIOD_TO in self.columns

    @property
    def missing(self) -> tuple[AnalysisColumn, ...]:
        """The required columns the file lacks. For the statistics' period: *Periode* when it
        has none of the period columns, the other half when it has only one of fra/til."""
        missing = [c for c in _REQUIRED[self.kind] if c not in self.columns]
        if (
            self.kind is AnalysisFile.STATISTICS
            and not self.split_period
            and C.PERIOD not in self.columns
        ):
            if C.PERIOD_FROM in self.columns:
                missing.insert(0, C.PERIOD_TO)
            elif C.PERIOD_TO in self.columns:
                missing.insert(0, C.PERIOD_FROM)
            else:
                missing.insert(0, C.PERIOD)
        return tuple(missing)

    def header(self, column: AnalysisColumn) -> str:
        """The header as written in the file, or the column's Norwegian name when absent."""
        return self.columns.get(column, COLUMN_LABELS[column])

    def problems(self) -> list[str]:
        """What stops the whole file from being read, in Norwegian (empty when fine)."""
        problems = [self._missing_message(c) for c in self.missing]
        for column, headers in self.duplicates.items():
            names = ", ".join(f"«{h}»" for h in headers)
            problems.append(
                f"Kolonnene {names} betyr det samme ({COLUMN_LABELS[column]}). "
                "Fjern eller gi nytt navn til den ene."
            )
        return problems

    def _missing_message(self, column: AnalysisColumn) -> str:
        label = COLUMN_LABELS[column]
        if column in (C.PERIOD_FROM, C.PERIOD_TO):
            other = self.header(C.PERIOD_TO if column is C.PERIOD_FROM else C.PERIOD_FROM)
            return (
                f"Kolonnen «{label}» mangler: med «{other}» trengs også «{label}» (eller én "
                "kolonne «Periode», for eksempel 1. kvartal 2026)."
            )
        if column is C.PERIOD:
            return (
                "Kolonnen «Periode» mangler. Skriv perioden linjen gjelder, enten i «Periode fra» "
                "og «Periode til» eller i én kolonne «Periode» (for eksempel 1. kvartal 2026)."
            )
        message = f"Kolonnen «{label}» mangler. {_REQUIRED_HINTS[column]}"
        with_vat = [h for h in self.unknown if _with_vat_column(self.kind, h) is column]
        if with_vat:
            message += (
                f" Kolonnen «{with_vat[0]}» er med mva; analysen bruker beløp og priser eks. mva."
            )
        return message

    def warnings(self) -> list[str]:
        """What the file has that is not read, in Norwegian."""
        warnings: list[str] = []
        if self.unknown:
            names = ", ".join(f"«{h}»" for h in self.unknown)
            noun = "Kolonnen" if len(self.unknown) == 1 else "Kolonnene"
            warnings.append(f"{noun} {names} er ukjent og blir ikke lest.")
        if self.kind is not AnalysisFile.STATISTICS or C.PERIOD not in self.columns:
            return warnings
        if self.split_period:
            warnings.append(
                f"Kolonnen «{self.columns[C.PERIOD]}» blir ikke lest: perioden leses fra "
                f"«{self.columns[C.PERIOD_FROM]}» og «{self.columns[C.PERIOD_TO]}»."
            )
        for half in (C.PERIOD_FROM, C.PERIOD_TO):
            if half in self.columns and not self.split_period:
                warnings.append(
                    f"Kolonnen «{self.columns[half]}» blir ikke lest: perioden leses fra "
                    f"«{self.columns[C.PERIOD]}»."
                )
        return warnings

    def require_readable(self) -> None:
        problems = self.problems()
        if problems:
            raise InvalidAnalysisFile(problems)


# --- numbers -----------------------------------------------------------------------------------

_MONEY_HINT = "skriv for eksempel 1 250,50"
_QUANTITY_HINT = "skriv et tall, for eksempel 12 eller 2,5"
# The fast paths: plain `1234`, `1234,50`, `-1234.5` (no thousands, at most two decimals), and
# the forms Norwegian exports write: `1 234,50`, `1.234,50`, `kr 1 234,50`, `1 234,50 kr`.
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d{1,2})?")
_NORWEGIAN_NUMBER = re.compile(
    r"(?P<before>(?:kr\.?|nok) ?)?(?P<sign>-)?"
    r"(?P<whole>\d{1,3}(?P<sep>[ \u00a0\u202f.])\d{3}(?:(?P=sep)\d{3})*|\d+)"
    r"(?:,(?P<fraction>\d{1,2}))?(?P<after> ?(?:kr|nok))?",
    re.IGNORECASE,
)


def _quick_decimal(text: str, *, money: bool) -> tuple[Decimal, bool] | None:
    """The number in `text` and whether it is written negative, for the common forms (see
    above; kroner only for `money`); None for any other (the full reading decides)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text.replace(",", ".")), text[0] == "-"
    match = _NORWEGIAN_NUMBER.fullmatch(text)
    if match is None or (not money and (match["before"] or match["after"])):
        return None
    whole, separator, fraction = match.group("whole", "sep", "fraction")
    if separator == "." and fraction is None:
        return None  # `1.250`: ambiguous, worded by the full reading
    if separator:
        whole = whole.replace(separator, "")
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    negative = match["sign"] is not None
    return (-number if negative else number), negative


_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2014": "-"})
_CURRENCY = re.compile(r"\b(?:nok|kroner|kr)\b\.?|\beks(?:kl)?\.?\s*mva\b|\bex\.?\s*vat\b")
_WITH_VAT_TEXT = re.compile(r"\binkl?\.?\s*mva\b|\bincl?\.?\s*vat\b|\bmed\s+mva\b")
_NO_ORE = re.compile(r"(?<=\d)(?P<mark>[.,:])-$")  # `1 250,-`: no øre
_SCALES: Final = (
    (re.compile(r"(?<![a-z])(?:mrd|milliarder|milliard)\b\.?"), Decimal(10) ** 9),
    (re.compile(r"(?<![a-z])(?:mill(?:ioner|ion)?|mnok|mkr|mln)\b\.?"), Decimal(10) ** 6),
    (re.compile(r"(?<=\d)\s*(?:tusen|tnok)\b\.?"), Decimal(10) ** 3),
)
_NUMBER_CHARS = re.compile(r"[0-9.,' ]+")
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


def _float_decimal(value: float) -> Decimal:
    """An Excel number as the 15 significant digits Excel keeps: 0.1 + 0.2 is 0.3."""
    return Decimal(format(value, ".15g"))


def _excel_number(value: object, invalid: str) -> Decimal:
    """The number in an Excel cell (int, float, Decimal); `invalid` when it holds none."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidCell(invalid)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidCell(invalid)
        return _float_decimal(value)
    if not value.is_finite():
        raise InvalidCell(invalid)
    return value


def _number_text(text: str, invalid: str, *, money: bool) -> Decimal:
    """A number written as text, with its sign (`-12`, `(12)`, `12-`)."""
    text = cell_text(text).casefold().translate(_MINUS_SIGNS)
    if money and _WITH_VAT_TEXT.search(text):
        raise InvalidCell("beløpet er oppgitt inkl. mva: skriv beløpet eks. mva")
    text = _NO_ORE.sub(lambda m: ".00" if m["mark"] == "." else ",00", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if money:
        text = _CURRENCY.sub(" ", text)
    text = text.strip()
    if text.startswith("-"):
        negative, text = not negative, text[1:].strip()
    elif text.endswith("-"):
        negative, text = not negative, text[:-1].strip()
    text = text.removeprefix("+")
    scale = Decimal(1)
    if money:
        for pattern, factor in _SCALES:
            if pattern.search(text):
                text, scale = pattern.sub(" ", text).strip(), factor
                break
    text = _SPACES.sub(" ", text)
    if not text or not _NUMBER_CHARS.fullmatch(text) or not any(c.isdigit() for c in text):
        raise InvalidCell(invalid)
    number = _grouped_decimal(text, invalid, scaled=scale != 1) * scale
    return -number if negative else number


def _grouped_decimal(text: str, invalid: str, *, scaled: bool) -> Decimal:
    """`1 250,50`, `1.250,50`, `1,250.50`, `1'250`, `12.50`, `0,125` as a Decimal."""
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if mark == "," else ","
        if text.count(mark) > 1:
            raise InvalidCell(invalid)
        whole, _, fraction = text.rpartition(mark)
        return _assemble(whole, fraction, grouping, invalid)
    if commas > 1 or dots > 1:
        return _assemble(text, "", "," if commas else ".", invalid)  # 1.250.000
    if commas or dots:
        mark = "," if commas else "."
        whole, _, fraction = text.partition(mark)
        whole, fraction = whole.strip(), fraction.strip()
        if (
            mark == "."
            and len(fraction) == 3
            and not scaled
            and 1 <= len(whole) <= 3
            and whole.isdigit()
            and not whole.startswith("0")
        ):
            decimals = fraction.rstrip("0")
            small = f"{whole},{decimals}" if decimals else whole
            raise InvalidCell(
                f"«{text}» kan leses både som {whole} {fraction} og som {small}: "
                f"skriv {whole} {fraction} (uten punktum) eller {small} (med desimalkomma)"
            )
        return _assemble(whole or "0", fraction, "", invalid)
    return _assemble(text, "", "", invalid)


_GROUPED = re.compile(r"\d{1,3}(?:[ ']\d{3})*")


def _assemble(whole: str, fraction: str, grouping: str, invalid: str) -> Decimal:
    """`whole` (thousands separated by `grouping`, spaces or apostrophes, in groups of three)
    and `fraction` (digits) as a Decimal."""
    whole, fraction = whole.strip(), fraction.strip()
    if grouping:
        whole = whole.replace(grouping, " ")
    if " " in whole or "'" in whole:
        if not _GROUPED.fullmatch(whole):
            raise InvalidCell(invalid)
        whole = whole.replace(" ", "").replace("'", "")
    if not whole.isdigit() or not (fraction.isdigit() or not fraction):
        raise InvalidCell(invalid)
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _decimal(value: object, invalid: str, *, money: bool) -> tuple[Decimal, bool] | None:
    """A cell as a number and whether it is below zero; None for an empty cell."""
    if type(value) is str:
        quick = _quick_decimal(value, money=money)
        if quick is not None:
            return quick
        if not value.strip():
            return None
        number = _number_text(value, invalid, money=money)
    elif value is None:
        return None
    else:
        number = _excel_number(value, invalid)
    return number, number < 0


def _money(value: object, *, negative: bool, noun: str, refused: str) -> Decimal | None:
    found = _decimal(value, f"ugyldig {noun}: {_MONEY_HINT}", money=True)
    if found is None:
        return None
    amount, below_zero = found
    if below_zero and amount and not negative:
        raise InvalidCell(refused)
    if abs(amount) > MAX_MONEY:
        raise InvalidCell(f"{noun} er urimelig stort: sjekk antall sifre")
    return amount


def parse_money(value: object, *, negative: bool = False) -> Decimal | None:
    """Kroner with øre, exact; None for an empty cell. `negative`: a credit (ledger) or a
    return (statistics) may be below zero; otherwise a negative amount is refused.

    `1 250,50`, `1.250,50`, `1250.50`, `kr 12,5`, `1 250,-`, `NOK 2,5 mill` (for *Maksverdi*),
    `-1 250,00`, `(1 250,00)`, `1 250,00-`, an Excel number. `1.250` is refused as ambiguous.
    """
    return _money(
        value, negative=negative, noun="beløp", refused="beløpet kan ikke være negativt her"
    )


def parse_price(value: object) -> Decimal | None:
    """A unit price ex. VAT (*Avtalt pris*, *Enhetspris*): money that is never negative."""
    return _money(value, negative=False, noun="pris", refused="prisen kan ikke være negativ")


def parse_quantity(value: object, *, negative: bool = False) -> Decimal | None:
    """A quantity (*Antall*), decimals allowed (`2,5`); None for an empty cell. `negative`: a
    return in the statistics may be below zero."""
    found = _decimal(value, f"ugyldig antall: {_QUANTITY_HINT}", money=False)
    if found is None:
        return None
    quantity, below_zero = found
    if below_zero and quantity and not negative:
        raise InvalidCell("antallet kan ikke være negativt her")
    if abs(quantity) > MAX_QUANTITY:
        raise InvalidCell("antallet er urimelig stort: sjekk antall sifre")
    return quantity


# --- periods -----------------------------------------------------------------------------------

PERIOD_HINT: Final = (
    "skriv for eksempel «1. kvartal 2026», «Q1 2026», «2026-Q1», «T1 2026» (tertial), "
    "«1. halvår 2026», «H1 2026», «januar 2026», «jan 2026», «2026-01», «01.2026», «2026» "
    "eller «01.01.2026–31.03.2026»"
)
_MONTH_NAMES: Final[Mapping[str, int]] = {
    name: month
    for month, names in enumerate(
        (
            "januar jan january",
            "februar feb february",
            "mars mar march",
            "april apr",
            "mai may",
            "juni jun june",
            "juli jul july",
            "august aug",
            "september sep sept",
            "oktober okt october oct",
            "november nov",
            "desember des december dec",
        ),
        start=1,
    )
    for name in names.split()
}
# Months per unit, and how many of them a year has.
_UNITS: Final[Mapping[str, tuple[int, str]]] = {
    "kvartal": (3, "kvartaler"),
    "tertial": (4, "tertialer"),
    "halvår": (6, "halvår"),
}
_UNIT_WORDS: Final[Mapping[str, str]] = {
    "kvartal": "kvartal", "kv": "kvartal", "quarter": "kvartal", "q": "kvartal", "k": "kvartal",
    "tertial": "tertial", "t": "tertial",
    "halvår": "halvår", "halvar": "halvår", "half": "halvår", "h": "halvår",
}  # fmt: skip
_ORDINALS: Final[Mapping[str, int]] = {"første": 1, "andre": 2, "tredje": 3, "fjerde": 4}
_YEAR = r"(?P<y>\d{4})"
_SEP = r"\s*[-/.,]?\s*"
_PERIOD_FORMS: Final = (
    # 1. kvartal 2026, 1. kv. 2026, første tertial 2026, 1 halvår 2026
    re.compile(
        r"(?:(?P<n>\d{1,2})\.?\s*|(?P<word>første|andre|tredje|fjerde)\s+)"
        r"(?P<unit>kvartal|kv|tertial|halvår|halvar|quarter|half)(?:et)?\.?" + _SEP + _YEAR
    ),
    # kvartal 1 2026, tertial 1/2026
    re.compile(r"(?P<unit>kvartal|tertial|halvår|halvar)\s*(?P<n>\d{1,2})" + _SEP + _YEAR),
    # Q1 2026, T1-2026, H1/2026, K1 2026
    re.compile(r"(?P<unit>[qkth])\s*(?P<n>\d{1,2})" + _SEP + _YEAR),
    # 2026-Q1, 2026 Q1, 2026Q1
    re.compile(_YEAR + _SEP + r"(?P<unit>[qkth])\s*(?P<n>\d{1,2})"),
)
_MONTH_FORMS: Final = (
    re.compile(r"(?P<m>[a-zæøå]+)\.?" + _SEP + _YEAR),  # januar 2026, jan. 2026
    re.compile(_YEAR + r"\s*[-/.]\s*(?P<m>\d{1,2})"),  # 2026-01
    re.compile(r"(?P<m>\d{1,2})\s*[-/.]\s*" + _YEAR),  # 01.2026
)
_MONTH_SPAN = re.compile(
    r"(?P<m1>[a-zæøå]+)\.?(?:\s*-\s*|\s+(?:til|to)\s+)(?P<m2>[a-zæøå]+)\.?" + _SEP + _YEAR
)
_DATE = r"\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}"
_DATE_SPAN = re.compile(rf"(?:fra\s*|from\s*)?(?P<a>{_DATE})\s*(?:-|til|to|\.\.)\s*(?P<b>{_DATE})")
_ONE_DATE = re.compile(_DATE)


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _year(text: str) -> int:
    year = int(text)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidCell(f"ugyldig periode: året {year} er ikke rimelig")
    return year


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), _month_end(year, last)


def parse_period(text: str) -> tuple[date, date]:
    """The first and last day of the period `text` names (see the module docstring for the
    forms). Raises `InvalidCell` with a Norwegian message listing the forms."""
    return _period_of(normalise_words(text).translate(_MINUS_SIGNS).strip(" .,;"))


@functools.lru_cache(maxsize=4096)  # a file names a handful of periods, row after row
def _period_of(text: str) -> tuple[date, date]:
    if not text:
        raise InvalidCell(f"mangler periode: {PERIOD_HINT}")
    found = _numbered_period(text) or _month_period(text) or _dated_period(text)
    if found is None:
        raise InvalidCell(f"ugyldig periode: {PERIOD_HINT}")
    first, last = found
    if last < first:
        raise InvalidCell(
            f"perioden slutter ({format_date(last)}) før den begynner ({format_date(first)})"
        )
    return first, last


def _numbered_period(text: str) -> tuple[date, date] | None:
    if text.isdigit() and len(text) == 4:
        return _months(_year(text), 1, 12)
    for form in _PERIOD_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        unit = _UNIT_WORDS[groups["unit"]]
        size, plural = _UNITS[unit]
        n = _ORDINALS[groups["word"]] if groups.get("word") else int(groups["n"])
        if not 1 <= n <= 12 // size:
            raise InvalidCell(f"ugyldig periode: et år har {12 // size} {plural} ({PERIOD_HINT})")
        return _months(_year(groups["y"]), (n - 1) * size + 1, n * size)
    return None


def _month_number(written: str) -> int:
    if written.isdigit():
        month = int(written)
        if not 1 <= month <= 12:
            raise InvalidCell(f"ugyldig periode: måned {month} finnes ikke ({PERIOD_HINT})")
        return month
    named = _MONTH_NAMES.get(written)
    if named is None:
        raise InvalidCell(f"ugyldig periode: ukjent måned «{written}» ({PERIOD_HINT})")
    return named


def _month_period(text: str) -> tuple[date, date] | None:
    if match := _MONTH_SPAN.fullmatch(text):
        year = _year(match["y"])
        first, last = _month_number(match["m1"]), _month_number(match["m2"])
        return date(year, first, 1), _month_end(year, last)
    for form in _MONTH_FORMS:
        match = form.fullmatch(text)
        if match is not None:
            if not match["m"].isdigit() and match["m"] not in _MONTH_NAMES:
                return None
            return _months(_year(match["y"]), *(_month_number(match["m"]),) * 2)
    return None


def _dated_period(text: str) -> tuple[date, date] | None:
    if match := _DATE_SPAN.fullmatch(text):
        return _required_date(match["a"]), _required_date(match["b"])
    if _ONE_DATE.fullmatch(text):
        day = _required_date(text)
        return day, day
    return None


def _required_date(text: str) -> date:
    found = parse_date(text)
    if found is None:  # pragma: no cover - the pattern matched digits
        raise InvalidCell(f"ugyldig periode: {PERIOD_HINT}")
    return found


def parse_period_cell(value: object) -> tuple[date, date] | None:
    """A *Periode* cell: text (`parse_period`), an Excel date (a period of that day) or an
    Excel number that is a year (`2026`); None when empty."""
    if value is None:
        return None
    if type(value) is str:
        if not value.strip():
            return None
        return _period_of(normalise_words(value).translate(_MINUS_SIGNS).strip(" .,;"))
    if isinstance(value, datetime):
        return value.date(), value.date()
    if isinstance(value, date):
        return value, value
    if (
        isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and _MIN_YEAR <= value <= _MAX_YEAR
        and value == int(value)
    ):
        return _months(int(value), 1, 12)
    raise InvalidCell(f"ugyldig periode: {PERIOD_HINT}")


# --- accounts and articles ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def article_key(text: str) -> str:
    """How article numbers are compared: without spaces, case-folded, and an all-digit number
    without its leading zeros (`000123` and `123` are one article; `AB-0123` keeps its zero).

    Leading zeros go because Excel drops them from a number the moment a sheet is opened and
    one supplier system pads article numbers to a fixed width where another does not; a
    catalogue that uses `0123` and `123` for two different articles is not known.

    Remembered: an analysis meets each of an agreement's articles twice (price list and
    statistics), and the next analysis the same ones again."""
    key = "".join(text.split()).casefold()
    if not key.isascii():
        key = "".join(normalise_words(key).split())
    if key.isdigit():
        return key.lstrip("0") or "0"
    return key


# --- rows --------------------------------------------------------------------------------------

T = TypeVar("T")
_SHOWN_CHARS: Final = 100
"""A problem shows at most this much of a cell's text (a pasted document is not a value)."""


class _Row:
    """One row being read: its cells, where problems are collected."""

    __slots__ = ("cells", "columns", "problems", "row")

    def __init__(self, row: int, cells: Mapping[str, object], columns: AnalysisColumns) -> None:
        self.row = row
        self.cells = cells
        self.columns = columns
        self.problems: list[RowProblem] = []

    def raw(self, column: AnalysisColumn) -> object:
        header = self.columns.columns.get(column)
        return None if header is None else self.cells.get(header)

    def fail(self, column: AnalysisColumn, value: object, message: str) -> None:
        text = cell_text(value)
        if len(text) > _SHOWN_CHARS:
            text = text[: _SHOWN_CHARS - 1] + "…"
        self.problems.append(RowProblem(self.row, self.columns.header(column), text, message))

    def read(self, column: AnalysisColumn, parse: Callable[[object], T]) -> T | None:
        """The parsed cell, or None when it failed (the problem is recorded)."""
        value = self.raw(column)
        try:
            return parse(value)
        except InvalidCell as exc:
            self.fail(column, value, exc.message)
            return None

    def required(
        self, column: AnalysisColumn, parse: Callable[[object], T | None], what: str
    ) -> T | None:
        """A cell that must have a value (`what` names it when it is empty); None when it has
        none or failed (the problem is recorded)."""
        value = self.raw(column)
        try:
            parsed = parse(value)
        except InvalidCell as exc:
            self.fail(column, value, exc.message)
            return None
        if parsed is None:
            self.fail(column, value, f"mangler {what}")
        return parsed


def _text_parser(limit: int) -> Callable[[object], str | None]:
    """A parser for a free-text cell of at most `limit` characters; None when empty."""

    def parse(value: object) -> str | None:
        if value is None:
            return None
        text = cell_text(value)
        if not text:
            return None
        if len(text) > limit:
            raise InvalidCell(f"for lang: høyst {limit} tegn (her {len(text)})")
        return text

    return parse


_ARTICLE_TEXT = _text_parser(MAX_ARTICLE_CHARS)
_DESCRIPTION_TEXT = _text_parser(MAX_DESCRIPTION_CHARS)
_UNIT_TEXT = _text_parser(MAX_UNIT_CHARS)
_CUSTOMER_TEXT = _text_parser(MAX_CUSTOMER_CHARS)
_SUPPLIER_TEXT = _text_parser(MAX_SUPPLIER_NAME_CHARS)
_RESPONSIBILITY_TEXT = _text_parser(MAX_RESPONSIBILITY_CHARS)


def _core(value: object) -> bool:
    if value is None:
        return False
    try:
        return parse_bool(value)
    except InvalidCell:
        raise InvalidCell(
            "ugyldig kjernesortiment: skriv J eller N (eller X for kjernesortiment)"
        ) from None


def _signed_money(value: object) -> Decimal | None:
    return parse_money(value, negative=True)


def _signed_quantity(value: object) -> Decimal | None:
    return parse_quantity(value, negative=True)


_ACCOUNT = re.compile(r"(?P<code>[0-9a-z][0-9a-z._-]*)(?:\s*[-–:]?\s+(?P<name>\D.*))?", re.I)


def parse_account(value: object) -> str | None:
    """A ledger line's *Konto*: `1250`, `1250 Kontorrekvisita` (the number), an Excel number."""
    if value is None:
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidCell("ugyldig konto: skriv kontonummeret, for eksempel 1250")
    text = cell_text(value)
    if not text:
        return None
    match = _ACCOUNT.fullmatch(text)
    if match is None or not any(c.isdigit() for c in match["code"]):
        raise InvalidCell("ugyldig konto: skriv kontonummeret, for eksempel 1250")
    code = match["code"]
    if len(code) > MAX_ACCOUNT_CHARS:
        raise InvalidCell(f"kontonummeret er for langt: høyst {MAX_ACCOUNT_CHARS} tegn")
    return code


def parse_organisation_number(value: object) -> str | None:
    """Nine digits from any usual spelling (`NO 974 600 951 MVA`); None for an empty cell."""
    text = cell_text(value)
    return _organisation_number(text) if text else None


@functools.lru_cache(maxsize=4096)  # a ledger names the same suppliers again and again
def _organisation_number(text: str) -> str:
    try:
        return normalise_organisation_number(text)
    except InvalidOrganisationNumber as exc:
        raise InvalidCell(exc.message) from None


def _row_level_problems(row: int, cells: Mapping[str, object]) -> list[RowProblem] | None:
    """What a file reader reported about the row itself (see `followup.register.reading`)."""
    if ROW_ERROR_KEY in cells:
        return [RowProblem(row, "", "", str(cells[ROW_ERROR_KEY]))]
    extra = cells.get(EXTRA_CELLS_KEY)
    if extra:
        return [RowProblem(row, "", "", f"raden har verdier i {extra} kolonne(r) uten overskrift")]
    return None


def parse_price_row(
    row: int, cells: Mapping[str, object], columns: AnalysisColumns
) -> PriceLine | list[RowProblem]:
    """One row of a price list as a `PriceLine`, or every problem in it."""
    early = _row_level_problems(row, cells)
    if early is not None:
        return early
    r = _Row(row, cells, columns)
    article = r.required(C.ARTICLE, _ARTICLE_TEXT, "varenummer")
    description = r.required(C.DESCRIPTION, _DESCRIPTION_TEXT, "varetekst")
    unit = r.read(C.UNIT, _UNIT_TEXT)
    price = r.required(C.AGREED_PRICE, parse_price, "avtalt pris")
    core = r.read(C.CORE, _core)
    valid_from = r.read(C.VALID_FROM, parse_date)
    if r.problems or article is None or description is None or price is None:
        return r.problems
    return PriceLine(article, description, unit, price, bool(core), valid_from)


def parse_statistics_row(
    row: int, cells: Mapping[str, object], columns: AnalysisColumns
) -> StatisticsLine | list[RowProblem]:
    """One row of a supplier's sales statistics as a `StatisticsLine`, or every problem in it.

    A return has a negative *Antall* and a negative *Beløp*; the two must agree in sign.
    A statistics file runs to a million lines: a row of plain cells (`1234,50`, `J`, a period
    read before) takes a fast path, and anything else the full reading below, which is also
    the one that finds and words every problem."""
    if ROW_ERROR_KEY not in cells and not cells.get(EXTRA_CELLS_KEY):
        try:
            return _plain_statistics_row(cells, columns.cells_of, columns.split_period)
        except (_NotPlain, InvalidCell):
            pass
    return _read_statistics_row(row, cells, columns)


class _NotPlain(Exception):
    """The row misses a required value: the full reading takes over to word the problem."""


_CORE_WORDS: Final[Mapping[object, bool]] = {
    None: False, "": False, True: True, False: False,
    **dict.fromkeys(("J", "j", "Ja", "ja", "JA", "X", "x", "Y", "y", "Yes", "yes", "1"), True),
    **dict.fromkeys(("N", "n", "Nei", "nei", "NEI", "No", "no", "0", "-"), False),
}  # fmt: skip


def _fast_text(value: object, parse: Callable[[object], str | None], limit: int) -> str | None:
    """`parse(value)` (a `_text_parser` of `limit`), without its work for a plain cell."""
    if type(value) is str:
        text = value.strip()
        if text.isprintable() and "  " not in text and len(text) <= limit:
            return text or None
    elif value is None:
        return None
    return parse(value)


def _fast_number(
    value: object, parse: Callable[[object], Decimal | None], *, money: bool = True
) -> Decimal | None:
    """`parse(value)`, without its work for the forms `_quick_decimal` reads or an Excel float
    (the callers check the sign and the size of what this gives)."""
    if type(value) is str:
        quick = _quick_decimal(value, money=money)
        if quick is not None:
            return quick[0]
    elif type(value) is float and math.isfinite(value):
        return _float_decimal(value)
    elif value is None:
        return None
    return parse(value)


@functools.lru_cache(maxsize=4096)  # a file has a handful of period dates, row after row
def _text_date(text: str) -> date | None:
    return parse_date(text)


def _fast_date(value: object) -> date:
    """A required date, through a cache for text; `_NotPlain` when the cell is empty."""
    if type(value) is str:
        found = _text_date(value)
    elif type(value) is datetime:
        return value.date()
    else:
        found = parse_date(value)
    if found is None:
        raise _NotPlain
    return found


@functools.lru_cache(maxsize=4096)
def _text_period(text: str) -> tuple[date, date] | None:
    return parse_period_cell(text)


_INDEX: Final = {column: index for index, column in enumerate(AnalysisColumn)}
_I_FROM, _I_TO, _I_PERIOD, _I_CUSTOMER, _I_ARTICLE, _I_DESCRIPTION, _I_UNIT = (
    _INDEX[c]
    for c in (C.PERIOD_FROM, C.PERIOD_TO, C.PERIOD, C.CUSTOMER, C.ARTICLE, C.DESCRIPTION, C.UNIT)
)
_I_QUANTITY, _I_UNIT_PRICE, _I_AMOUNT, _I_CORE = (
    _INDEX[c] for c in (C.QUANTITY, C.UNIT_PRICE, C.AMOUNT, C.CORE)
)


def _plain_statistics_row(
    cells: Mapping[str, object], at: tuple[str, ...], split_period: bool
) -> StatisticsLine:
    """The fast path of `parse_statistics_row`: the same line, or `_NotPlain`/`InvalidCell`
    for a row with a problem (which the full reading then finds and words)."""
    get = cells.get
    if split_period:
        first, last = _fast_date(get(at[_I_FROM])), _fast_date(get(at[_I_TO]))
        if last < first:
            raise _NotPlain
    else:
        period = get(at[_I_PERIOD])
        found = _text_period(period) if type(period) is str else parse_period_cell(period)
        if found is None:
            raise _NotPlain
        first, last = found
    article = _fast_text(get(at[_I_ARTICLE]), _ARTICLE_TEXT, MAX_ARTICLE_CHARS)
    amount = _fast_number(get(at[_I_AMOUNT]), _signed_money)
    quantity = _fast_number(get(at[_I_QUANTITY]), _signed_quantity, money=False)
    unit_price = _fast_number(get(at[_I_UNIT_PRICE]), parse_price)
    if (
        article is None
        or amount is None
        or abs(amount) > MAX_MONEY
        or (unit_price is not None and (unit_price < 0 or unit_price > MAX_MONEY))
        or (quantity is not None and (quantity < 0 < amount or amount < 0 < quantity))
        or (quantity is not None and abs(quantity) > MAX_QUANTITY)
    ):
        raise _NotPlain
    core_header = at[_I_CORE]
    if core_header is ABSENT:
        core = None
    else:
        core_cell = get(core_header)
        core = _CORE_WORDS.get(core_cell)
        if core is None:
            core = _core(core_cell)
    return StatisticsLine(
        first,
        last,
        _fast_text(get(at[_I_CUSTOMER]), _CUSTOMER_TEXT, MAX_CUSTOMER_CHARS),
        article,
        _fast_text(get(at[_I_DESCRIPTION]), _DESCRIPTION_TEXT, MAX_DESCRIPTION_CHARS),
        _fast_text(get(at[_I_UNIT]), _UNIT_TEXT, MAX_UNIT_CHARS),
        quantity,
        unit_price,
        amount,
        core,
    )


def _read_statistics_row(
    row: int, cells: Mapping[str, object], columns: AnalysisColumns
) -> StatisticsLine | list[RowProblem]:
    early = _row_level_problems(row, cells)
    if early is not None:
        return early
    r = _Row(row, cells, columns)
    period = _read_period(r)
    customer = r.read(C.CUSTOMER, _CUSTOMER_TEXT)
    article = r.required(C.ARTICLE, _ARTICLE_TEXT, "varenummer")
    description = r.read(C.DESCRIPTION, _DESCRIPTION_TEXT)
    unit = r.read(C.UNIT, _UNIT_TEXT)
    quantity = r.read(C.QUANTITY, _signed_quantity)
    unit_price = r.read(C.UNIT_PRICE, parse_price)
    amount = r.required(C.AMOUNT, _signed_money, "beløp")
    core = r.read(C.CORE, _core) if C.CORE in columns.columns else None
    if r.problems or period is None or article is None or amount is None:
        return r.problems
    if quantity is not None and (quantity < 0 < amount or amount < 0 < quantity):
        r.fail(C.AMOUNT, r.raw(C.AMOUNT), _sign_message(quantity, amount))
        return r.problems
    return StatisticsLine(
        period[0], period[1], customer, article, description, unit, quantity, unit_price,
        amount, core,
    )  # fmt: skip


def _sign_message(quantity: Decimal, amount: Decimal) -> str:
    if quantity < 0:
        return (
            "antallet er negativt (en retur), men beløpet er positivt: en retur har negativt "
            "antall og negativt beløp"
        )
    return (
        "beløpet er negativt, men antallet er positivt: en retur har negativt antall og "
        "negativt beløp"
    )


def _read_period(r: _Row) -> tuple[date, date] | None:
    if not r.columns.split_period:
        return r.required(C.PERIOD, parse_period_cell, "periode")
    first = r.required(C.PERIOD_FROM, parse_date, "første dag i perioden")
    last = r.required(C.PERIOD_TO, parse_date, "siste dag i perioden")
    if first is None or last is None:
        return None
    if last < first:
        r.fail(
            C.PERIOD_TO,
            r.raw(C.PERIOD_TO),
            f"perioden slutter ({format_date(last)}) før den begynner ({format_date(first)})",
        )
        return None
    return first, last


def parse_ledger_row(
    row: int, cells: Mapping[str, object], columns: AnalysisColumns
) -> LedgerLine | list[RowProblem]:
    """One row of a ledger extract as a `LedgerLine`, or every problem in it."""
    early = _row_level_problems(row, cells)
    if early is not None:
        return early
    r = _Row(row, cells, columns)
    voucher_date = r.required(C.VOUCHER_DATE, parse_date, "bilagsdato")
    organisation_number = r.read(C.ORGANISATION_NUMBER, parse_organisation_number)
    supplier_name = r.read(C.SUPPLIER_NAME, _SUPPLIER_TEXT)
    amount = r.required(C.AMOUNT, _signed_money, "beløp")
    account = r.required(C.ACCOUNT, parse_account, "konto")
    responsibility = r.read(C.RESPONSIBILITY, _RESPONSIBILITY_TEXT)
    if (
        supplier_name is None
        and cell_text(r.raw(C.ORGANISATION_NUMBER)) == ""
        and cell_text(r.raw(C.SUPPLIER_NAME)) == ""
    ):
        r.fail(
            C.SUPPLIER_NAME,
            None,
            "mangler leverandør: skriv leverandørens navn eller organisasjonsnummer",
        )
    if r.problems or voucher_date is None or amount is None or account is None:
        return r.problems
    return LedgerLine(
        voucher_date, organisation_number, supplier_name or "", amount, account, responsibility
    )


class PriceListParser:
    """Parses a price list's rows in order, and also catches an article priced twice from the
    same date (*Gyldig fra*), which would leave the price check two prices to choose from.

    Keeps one entry per article and date seen (the only state that grows with the file)."""

    def __init__(self, columns: AnalysisColumns) -> None:
        self.columns = columns
        self._seen: dict[tuple[str, date | None], int] = {}

    def parse(self, row: int, cells: Mapping[str, object]) -> PriceLine | list[RowProblem]:
        result = parse_price_row(row, cells, self.columns)
        if not isinstance(result, PriceLine):
            return result
        first = self._seen.setdefault((article_key(result.article), result.valid_from), row)
        if first == row:
            return result
        when = "" if result.valid_from is None else f" fra {format_date(result.valid_from)}"
        return [
            RowProblem(
                row,
                self.columns.header(C.ARTICLE),
                result.article,
                f"varenummer {result.article} har også en pris{when} på rad {first}",
            )
        ]


AnalysisLine = PriceLine | StatisticsLine | LedgerLine


def row_parser(
    columns: AnalysisColumns,
) -> Callable[[int, Mapping[str, object]], AnalysisLine | list[RowProblem]]:
    """The parser for one file's rows (`(row number, {header: value})`), by the file's kind.
    A price list's parser remembers the articles it has seen: make one per file."""
    if columns.kind is AnalysisFile.PRICE_LIST:
        return PriceListParser(columns).parse
    if columns.kind is AnalysisFile.STATISTICS:
        return lambda row, cells: parse_statistics_row(row, cells, columns)
    return lambda row, cells: parse_ledger_row(row, cells, columns)


__all__ = [
    "COLUMN_LABELS",
    "MAX_MONEY",
    "MIN_HEADER_MATCHES",
    "PERIOD_HINT",
    "AnalysisColumn",
    "AnalysisColumns",
    "AnalysisFile",
    "AnalysisLine",
    "InvalidAnalysisFile",
    "InvalidCell",
    "PriceListParser",
    "RowProblem",
    "article_key",
    "column_for_header",
    "count_known_headers",
    "parse_account",
    "parse_ledger_row",
    "parse_money",
    "parse_organisation_number",
    "parse_period",
    "parse_period_cell",
    "parse_price",
    "parse_price_row",
    "parse_quantity",
    "parse_statistics_row",
    "row_parser",
]
