"""The contract register as municipalities keep it: column vocabulary and row parsing.

A register comes as a CSV export or an Excel sheet with Norwegian column headers (or English
ones), in any order, with values written the Norwegian way: dates `31.12.2026`, amounts
`1 250 000,50` or `kr 1.250.000,-`, organisation numbers `NO 974 600 951 MVA`, options `2+1+1`.
This module turns one row of such a file into a `ContractRecord`, or into the list of every
problem in the row (`RowProblem`, with Norwegian messages a person can act on). It touches no
file and no database: `storage.register_files` reads files, `followup.register.importing` writes.

What a cell means, and what an empty cell means:

- A column that is not in the file is never touched on an existing contract (`given` lists
  the contract fields the row speaks for). A new contract gets the model's defaults.
- An empty cell clears a field that may be empty (dates, value, case number, unit, manager,
  deputy, CPV, notice period, options) and means "no" for the yes/no columns, except
  *offentlig*, which is yes unless it says no (confidentiality is explicit).
- An empty *avtaletype*, *kategori*, *risikonivå* or *status* keeps what an existing contract
  has. A new contract then gets: the type from its title (`Rammeavtale …` → framework agreement,
  `Avrop …` → call-off, otherwise single contract), the category from the CPV division (45 =
  building and construction, 50–98 services, 03–44 and 48 goods; no CPV: the row fails),
  risk *middels* and status *aktiv*.
- Options: `2+1+1` is a base period of 2 years and two options of 1 year each, the options one
  after the other from the end of the base period. The base period ends on *sluttdato* when one
  is given, otherwise on *startdato* + 2 years − 1 day. When *sluttdato* is given but is not
  *startdato* + the first number, the first number cannot be the base period: equal numbers are
  then all options (`1+1` from 01.01.2025 to 31.12.2026: options to 31.12.2027 and 31.12.2028),
  and a different first number (`2+1+1`) is read as base period up to *sluttdato* + the rest as
  options, with a warning. `opsjon 1+1 år`, `2 x 1 år`, `1 år` and `inntil 2 år` are options
  only, after *sluttdato*. A list of dates (`31.12.2027; 31.12.2028`) gives the option end
  dates directly. A bare number (`2`, which Excel also makes of `=1+1`) is refused as
  ambiguous. Terms may be in months (`24+12 mnd`).
- A reading that could have been another is never a silent guess: the row is imported and the
  import report names how it was read (`ContractRecord.warnings`): equal numbers next to
  *sluttdato* without *startdato* (is the first the base period?), a *sluttdato* that
  disagrees with the base period, `2 x 1 år` (two options of a year, or one of two years?) and
  `inntil 2 år` (how many options?). Options that cannot be dated (neither *startdato* nor
  *sluttdato* to count from) are not stored, an existing contract keeps its own, and the
  report says so.
- People cells hold an e-mail address or UPN, optionally with a name:
  `Kari Nordmann <kari.nordmann@fjordvik.kommune.no>` or `Nordmann, Kari (kari.nordmann@…)`.
  A new person's name comes from the cell, else from the name column, else from the address.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from followup.accounts import MAX_ACCOUNT_CHARS, AccountRange, accounts_text
from followup.archive.naming import parse_case_number
from followup.errors import InvalidInput
from followup.models import Category, ContractStatus, ContractType, RiskLevel
from followup.orgnr import InvalidOrganisationNumber, normalise_organisation_number
from followup.periods import add_months
from followup.words import fold_letters, normalise_words

# --- limits (the database's column sizes and sanity bounds) ------------------------------------

MAX_CELL_CHARS: Final = 2_000
MAX_REFERENCE_CHARS: Final = 64
MAX_CASE_NUMBER_CHARS: Final = 64
MAX_TITLE_CHARS: Final = 500
MAX_UNIT_CHARS: Final = 200
MAX_SUPPLIER_NAME_CHARS: Final = 300
MAX_PERSON_NAME_CHARS: Final = 200
MAX_ADDRESS_CHARS: Final = 320
MAX_VALUE_NOK: Final = 10**13  # 10 000 billion kroner: anything above is a typing error
MAX_NOTICE_MONTHS: Final = 120
MAX_OPTIONS: Final = 10
MAX_OPTION_YEARS: Final = 50
MIN_HEADER_MATCHES: Final = 3
"""A row is the header row when at least this many of its cells name known columns."""

# Keys a file reader may put in a row's cells to report what it could not read itself.
EXTRA_CELLS_KEY: Final = "\x00extra_cells"
"""Value: how many non-empty cells the row has beyond the header's columns."""
ROW_ERROR_KEY: Final = "\x00row_error"
"""Value: a Norwegian message saying why the row could not be read."""


class InvalidCell(InvalidInput):
    """A cell's value cannot be read; `message` is Norwegian and user-facing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRegister(InvalidInput):
    """The file as a whole cannot be imported (missing or doubled columns); Norwegian messages."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# --- columns -----------------------------------------------------------------------------------


class RegisterColumn(StrEnum):
    REFERENCE = "reference"
    CASE_NUMBER = "case_number"
    TITLE = "title"
    CONTRACT_TYPE = "contract_type"
    CATEGORY = "category"
    CPV = "cpv_code"
    SUPPLIER_NAME = "supplier_name"
    ORGANISATION_NUMBER = "organisation_number"
    OWNER = "owner"
    OWNER_NAME = "owner_name"
    MANAGER = "manager"
    MANAGER_NAME = "manager_name"
    DEPUTY = "deputy"
    DEPUTY_NAME = "deputy_name"
    UNIT = "unit"
    START_DATE = "start_date"
    END_DATE = "end_date"
    OPTIONS = "options"
    ONGOING = "ongoing"
    NOTICE = "notice_months"
    VALUE = "value_nok"
    MAXIMUM_VALUE = "maximum_value_nok"
    LEDGER_ACCOUNTS = "ledger_accounts"
    SCOPE = "scope"
    HOW_TO_ORDER = "how_to_order"
    CONTACT = "contact_email"
    DOFFIN = "doffin_notice"
    STATUS = "status"
    PUBLIC = "public"
    RISK = "risk"
    PAY_AND_CONDITIONS = "pay_and_conditions"
    APPRENTICES = "apprentices"
    HMS_CARD = "hms_card"
    SUPPLY_CHAIN = "supply_chain"


C = RegisterColumn

REQUIRED_COLUMNS: Final = (C.REFERENCE, C.TITLE, C.ORGANISATION_NUMBER, C.OWNER)

# The name a column goes by in messages (and in the sample file), Bokmål.
COLUMN_LABELS: Final[Mapping[RegisterColumn, str]] = {
    C.REFERENCE: "Avtalenr",
    C.CASE_NUMBER: "Saksnummer",
    C.TITLE: "Tittel",
    C.CONTRACT_TYPE: "Avtaletype",
    C.CATEGORY: "Kategori",
    C.CPV: "CPV",
    C.SUPPLIER_NAME: "Leverandør",
    C.ORGANISATION_NUMBER: "Org.nr",
    C.OWNER: "Avtaleeier",
    C.OWNER_NAME: "Avtaleeier navn",
    C.MANAGER: "Kontraktsforvalter",
    C.MANAGER_NAME: "Kontraktsforvalter navn",
    C.DEPUTY: "Stedfortreder",
    C.DEPUTY_NAME: "Stedfortreder navn",
    C.UNIT: "Enhet",
    C.START_DATE: "Startdato",
    C.END_DATE: "Sluttdato",
    C.OPTIONS: "Opsjoner",
    C.ONGOING: "Løpende avtale",
    C.NOTICE: "Oppsigelsestid",
    C.VALUE: "Estimert verdi",
    C.MAXIMUM_VALUE: "Maksverdi",
    C.LEDGER_ACCOUNTS: "Kontoer",
    C.SCOPE: "Omfang",
    C.HOW_TO_ORDER: "Bestilling",
    C.CONTACT: "Kontakt",
    C.DOFFIN: "Doffin",
    C.STATUS: "Status",
    C.PUBLIC: "Offentlig",
    C.RISK: "Risikonivå",
    C.PAY_AND_CONDITIONS: "Lønns- og arbeidsvilkår",
    C.APPRENTICES: "Lærlinger",
    C.HMS_CARD: "HMS-kort",
    C.SUPPLY_CHAIN: "Leverandørkjede",
}

_EMAIL_SUFFIXES = ("", " e-post", " epost", " e-postadresse", " upn", " email", " e-mail")


def _person_aliases(*names: str) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        out.extend(f"{name}{suffix}" for suffix in _EMAIL_SUFFIXES)
        out.extend((f"e-post {name}", f"epost {name}", f"{name}s e-post"))
    return tuple(out)


def _name_aliases(*names: str) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        out.extend((f"{name} navn", f"navn {name}", f"{name}s navn", f"{name} name"))
    return tuple(out)


_ALIASES: Final[Mapping[RegisterColumn, tuple[str, ...]]] = {
    C.REFERENCE: (
        "avtalenr", "avtalenummer", "avtale nr", "avtale-id", "avtaleid", "avtalereferanse",
        "kontraktsnr", "kontraktsnummer", "kontraktnr", "kontraktnummer", "kontrakts-id",
        "kontrakt-id", "referanse", "referansenummer", "reference", "ref", "contract no",
        "contract number", "contract id", "contract reference", "agreement no",
        "agreement number",
    ),
    C.CASE_NUMBER: (
        "saksnummer", "saksnr", "sak nr", "saks-id", "arkivsak", "arkivsaksnummer",
        "arkivsaksnr", "arkivsak nr", "case number", "case no", "archive case",
    ),
    C.TITLE: (
        "tittel", "avtalenavn", "navn på avtale", "navn på avtalen", "kontraktsnavn",
        "kontraktnavn", "avtaletittel", "kontraktstittel", "title", "contract title",
        "contract name", "agreement name", "name of contract",
    ),
    C.CONTRACT_TYPE: (
        "avtaletype", "type", "kontraktstype", "kontrakttype", "avtaleform", "type avtale",
        "contract type", "agreement type",
    ),
    C.CATEGORY: (
        "kategori", "anskaffelseskategori", "anskaffelsestype", "kontraktskategori",
        "avtalekategori", "category", "procurement category", "contract category",
    ),
    C.CPV: ("cpv", "cpv-kode", "cpv kode", "hoved-cpv", "cpv-nummer", "cpv code", "main cpv"),
    C.SUPPLIER_NAME: (
        "leverandør", "leverandørnavn", "leverandør navn", "leverandørens navn", "firma",
        "firmanavn", "supplier", "supplier name", "vendor", "vendor name",
    ),
    C.ORGANISATION_NUMBER: (
        "org.nr", "orgnr", "org nr", "org-nr", "org. nummer", "organisasjonsnummer",
        "organisasjonsnr", "leverandør org.nr", "leverandørens org.nr", "org.nr leverandør",
        "leverandør organisasjonsnummer", "foretaksnummer", "organisation number",
        "organization number", "org number", "org no", "supplier org no",
        "supplier organisation number",
    ),
    C.OWNER: (
        *_person_aliases("avtaleeier", "kontraktseier", "kontrakteier", "owner"),
        "contract owner", "agreement owner", "eier",
    ),
    C.OWNER_NAME: _name_aliases("avtaleeier", "kontraktseier", "owner"),
    C.MANAGER: (
        *_person_aliases(
            "kontraktsforvalter", "kontraktforvalter", "kontraktsansvarlig",
            "kontraktansvarlig", "forvalter", "avtaleforvalter", "manager",
        ),
        "contract manager",
    ),
    C.MANAGER_NAME: _name_aliases(
        "kontraktsforvalter", "kontraktforvalter", "kontraktsansvarlig", "forvalter", "manager"
    ),
    C.DEPUTY: (*_person_aliases("stedfortreder", "deputy"), "vara", "substitute"),
    C.DEPUTY_NAME: _name_aliases("stedfortreder", "deputy"),
    C.UNIT: (
        "enhet", "virksomhet", "avdeling", "sektor", "tjenesteområde", "kommunalområde",
        "unit", "department", "organisational unit",
    ),
    C.START_DATE: (
        "startdato", "start", "fra dato", "fradato", "fra", "gyldig fra", "avtalestart",
        "oppstart", "oppstartsdato", "kontraktsstart", "start date", "valid from",
    ),
    C.END_DATE: (
        "sluttdato", "utløpsdato", "slutt", "til dato", "tildato", "til", "gyldig til",
        "avtaleslutt", "utløp", "utløper", "kontraktsslutt", "end date", "expiry date",
        "expiration date", "valid to", "valid until",
    ),
    C.OPTIONS: (
        "opsjoner", "opsjon", "opsjonar", "forlengelse", "forlengelsesopsjoner",
        "opsjon på forlengelse", "opsjonsdatoer", "opsjonsdato", "options", "option",
        "extension options",
    ),
    C.ONGOING: (
        "løpende avtale", "løpende", "løpende kontrakt", "tidsubestemt", "ongoing",
        "open-ended", "evergreen",
    ),
    C.NOTICE: (
        "oppsigelsestid", "oppsigelse", "oppsigelsesfrist", "oppsigelsestid mnd",
        "oppsigelsestid måneder", "notice period", "notice", "notice months",
    ),
    C.VALUE: (
        "estimert verdi", "verdi", "avtaleverdi", "kontraktsverdi", "estimert avtaleverdi",
        "estimert kontraktsverdi", "anslått verdi", "totalverdi", "estimated value", "value",
        "contract value",
    ),
    C.MAXIMUM_VALUE: (
        "maksverdi", "maks verdi", "maksimal verdi", "maksimalverdi", "maksimal avtaleverdi",
        "maksimalt beløp", "ramme", "rammeverdi", "avtalens ramme", "øvre ramme", "takverdi",
        "maximum value", "max value", "ceiling", "ceiling value",
    ),
    C.LEDGER_ACCOUNTS: (
        "kontoer", "konto", "artskonto", "artskontoer", "kontonummer", "kontonumre",
        "regnskapskontoer", "ledger accounts", "accounts", "account",
    ),
    C.SCOPE: (
        "omfang", "avtalens omfang", "hva avtalen omfatter", "hva kan kjøpes", "produkter",
        "varer og tjenester", "leveranseomfang", "scope", "scope of agreement",
        "what can be bought",
    ),
    C.HOW_TO_ORDER: (
        "bestilling", "slik bestiller du", "hvordan bestille", "bestillingsrutine",
        "bestillingsinformasjon", "bestille", "how to order", "ordering", "order",
    ),
    C.CONTACT: (
        "kontakt", "kontaktadresse", "kontakt e-post", "kontakt epost", "kontaktinformasjon",
        "kontaktperson", "funksjonsadresse", "contact", "contact e-mail", "contact email",
    ),
    C.DOFFIN: (
        "doffin", "doffin-kunngjøring", "doffin kunngjøring", "kunngjøring", "doffin-lenke",
        "doffin lenke", "doffin-nummer", "doffin nr", "kunngjøringsnummer", "doffin notice",
        "tender notice",
    ),
    C.STATUS: ("status", "avtalestatus", "kontraktsstatus", "contract status"),
    C.PUBLIC: ("offentlig", "offentlig avtale", "publiseres", "publisere", "public", "published"),
    C.RISK: ("risikonivå", "risiko", "risikovurdering", "risikoklasse", "risk", "risk level"),
    C.PAY_AND_CONDITIONS: (
        "lønns- og arbeidsvilkår", "lønns og arbeidsvilkår", "lønn og arbeidsvilkår",
        "lønns- og arbeidsforhold", "pay and conditions", "pay and working conditions",
        "wages and working conditions",
    ),
    C.APPRENTICES: ("lærlinger", "lærling", "lærlingkrav", "lærlingklausul", "apprentices"),
    C.HMS_CARD: ("hms-kort", "hms kort", "hms", "hse card", "hse cards"),
    C.SUPPLY_CHAIN: (
        "leverandørkjede", "underleverandører", "underleverandør",
        "kontroll av leverandørkjede", "supply chain", "subcontractors",
    ),
}  # fmt: skip

# Words after a header that do not change its meaning: "Estimert verdi eks. mva".
_HEADER_SUFFIXES = ("eksklmva", "eksmva", "exmva", "inklmva", "exclvat", "nok", "kr")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(text: object) -> str:
    """A header reduced to its letters and digits, lower case: `Org.nr.` → `orgnr`."""
    normal = _BRACKETED.sub(" ", normalise_words(str(text)))
    return "".join(ch for ch in normal if ch.isalnum())


def _build_header_table() -> dict[str, RegisterColumn]:
    table: dict[str, RegisterColumn] = {}
    for column, aliases in _ALIASES.items():
        for alias in aliases:
            for key in (header_key(alias), fold_letters(header_key(alias))):
                if table.setdefault(key, column) is not column:
                    raise AssertionError(f"header alias {alias!r} is ambiguous")
    return table


_HEADER_TABLE: Final = _build_header_table()


def column_for_header(text: object) -> RegisterColumn | None:
    """The column a header names, or None: `Org.nr.` and `Organisation number` → org number."""
    key = header_key(text)
    if not key:
        return None
    for candidate in (key, fold_letters(key)):
        found = _HEADER_TABLE.get(candidate)
        if found is not None:
            return found
        for suffix in _HEADER_SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) > len(suffix):
                found = _HEADER_TABLE.get(candidate[: -len(suffix)])
                if found is not None:
                    return found
    return None


def count_known_headers(cells: Iterable[object]) -> int:
    """How many cells of a row name known columns (a reader's test for the header row)."""
    return len({c for c in map(column_for_header, cells) if c is not None})


_PERSON_NAME_COLUMNS: Final = {
    C.OWNER: C.OWNER_NAME,
    C.MANAGER: C.MANAGER_NAME,
    C.DEPUTY: C.DEPUTY_NAME,
}
_ADDRESS_HEADER = re.compile("epost|email|mail|upn")


@dataclass(frozen=True)
class ColumnMap:
    """Which header (as written in the file) holds which column."""

    headers: tuple[str, ...]
    columns: Mapping[RegisterColumn, str]
    unknown: tuple[str, ...]
    duplicates: Mapping[RegisterColumn, tuple[str, ...]]

    @classmethod
    def from_headers(cls, headers: Iterable[object]) -> ColumnMap:
        written = tuple(str(h).strip() for h in headers if h is not None and str(h).strip())
        columns: dict[RegisterColumn, str] = {}
        seen: dict[RegisterColumn, list[str]] = {}
        unknown: list[str] = []
        for header in written:
            column = column_for_header(header)
            if column is None:
                unknown.append(header)
                continue
            seen.setdefault(column, []).append(header)
            columns.setdefault(column, header)
        # "Avtaleeier" beside "Avtaleeier e-post": the first holds the name.
        for person, name in _PERSON_NAME_COLUMNS.items():
            headers = seen.get(person, [])
            addresses = [h for h in headers if _ADDRESS_HEADER.search(header_key(h))]
            if len(headers) == 2 and len(addresses) == 1 and name not in seen:
                (other,) = (h for h in headers if h != addresses[0])
                columns[person], columns[name] = addresses[0], other
                seen[person], seen[name] = [addresses[0]], [other]
        duplicates = {c: tuple(hs) for c, hs in seen.items() if len(hs) > 1}
        return cls(written, columns, tuple(unknown), duplicates)

    @functools.cached_property
    def fields_in_file(self) -> frozenset[str]:
        """The contract fields every row of this file speaks for (see `ContractRecord.given`)."""
        return frozenset(name for column, name in _COLUMN_FIELD.items() if column in self.columns)

    @property
    def missing(self) -> tuple[RegisterColumn, ...]:
        return tuple(c for c in REQUIRED_COLUMNS if c not in self.columns)

    def header(self, column: RegisterColumn) -> str:
        """The header as written in the file, or the column's Norwegian name when absent."""
        return self.columns.get(column, COLUMN_LABELS[column])

    def problems(self) -> list[str]:
        """What stops the whole file from being imported, in Norwegian (empty when fine)."""
        problems = [
            f"Kolonnen «{COLUMN_LABELS[c]}» mangler. {_REQUIRED_HINTS[c]}" for c in self.missing
        ]
        for column, headers in self.duplicates.items():
            names = ", ".join(f"«{h}»" for h in headers)
            problems.append(
                f"Kolonnene {names} betyr det samme ({COLUMN_LABELS[column]}). "
                "Fjern eller gi nytt navn til den ene."
            )
        return problems

    def warnings(self) -> list[str]:
        if not self.unknown:
            return []
        names = ", ".join(f"«{h}»" for h in self.unknown)
        noun = "Kolonnen" if len(self.unknown) == 1 else "Kolonnene"
        return [f"{noun} {names} er ukjent og blir ikke lest."]

    def require_importable(self) -> None:
        problems = self.problems()
        if problems:
            raise InvalidRegister(problems)


_REQUIRED_HINTS: Final[Mapping[RegisterColumn, str]] = {
    C.REFERENCE: "Hver avtale trenger et avtalenummer (Avtalenr); det er slik den kjennes igjen.",
    C.TITLE: "Hver avtale trenger en tittel (Tittel).",
    C.ORGANISATION_NUMBER: "Leverandørens organisasjonsnummer (Org.nr) må være med.",
    C.OWNER: "Avtaleeierens e-post (Avtaleeier) må være med.",
}

# --- values ------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


def cell_text(value: object) -> str:
    """A cell as text the way a person reads it: `None` → "", `974600951.0` → "974600951",
    a date → "31.12.2026"."""
    if type(value) is str:
        text = value.strip()
        if text.isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text):
            return text  # the common case, without any copying
        # NFC: «å» typed as «a» + a combining ring (macOS, some exports) is one letter, shown,
        # compared and searched (the public register) as the «å» typed on a keyboard.
        cleaned = _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()
        return unicodedata.normalize("NFC", cleaned)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    text = str(value).translate(_INVISIBLE)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


_plain = cell_text


def _key(text: str) -> str:
    return "".join(ch for ch in fold_letters(text) if ch.isalnum())


# Dates.
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIAL_RANGE = range(18_264, 91_311)  # 1950-01-01 .. 2149-12-31
_DATE_HINT = "skriv dd.mm.åååå, for eksempel 31.12.2026"
_MIN_YEAR, _MAX_YEAR = 1950, 2149


def _make_date(year: int, month: int, day: int, written: str) -> date:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidCell(f"ugyldig dato: året {year} er ikke rimelig ({_DATE_HINT})")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidCell(f"ugyldig dato: {written} finnes ikke i kalenderen") from None


def parse_date(value: object) -> date | None:
    """A date as Norwegians and Excel write it; None for an empty cell.

    `31.12.2026`, `1.2.2026`, `31.12.26` (20xx), `31/12/2026`, `2026-12-31`, `20261231`, an
    Excel date cell (`datetime`/`date`) or an Excel serial number (`46022`).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and float(value).is_integer() and int(value) in _EXCEL_SERIAL_RANGE:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise InvalidCell(f"ugyldig dato: {cell_text(value)} ({_DATE_HINT})")
    text = _plain(value)
    if not text:
        return None
    return _date_from_text(text)


@functools.lru_cache(maxsize=8192)  # start and end dates repeat across a register
def _date_from_text(text: str) -> date:
    if match := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
        return _make_date(year, month, day, text)
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, text)
    if match := _COMPACT.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, text)
    if text.isdigit() and int(text) in _EXCEL_SERIAL_RANGE:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    raise InvalidCell(f"ugyldig dato: {_DATE_HINT}")


def format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def anniversary(day: date, months: int) -> date:
    """`day` moved `months` ahead; a day that does not exist rolls to the 1st of the next month
    (31 January + 1 month = 1 March, where `add_months` stops at 28 February), so
    `anniversary(d + 1 day, 12) − 1 day` is always the last day of a year's period."""
    later = add_months(day, months)
    return later + timedelta(days=1) if later.day < day.day else later


@functools.lru_cache(maxsize=8192)  # a register's rows share their dates and terms
def period_end(start: date, months: int) -> date:
    """The last day of a period of `months` months beginning on `start`."""
    return anniversary(start, months) - timedelta(days=1)


# Amounts.
_AMOUNT_HINT = "skriv for eksempel 1 250 000 eller 1 250 000,50"
_CURRENCY = re.compile(
    r"\b(?:nok|kroner|kr)\b\.?|,-|\.-|:-|\beks(?:kl)?\.?\s*mva\b|\binkl\.?\s*mva\b"
)
_MILLION = re.compile(r"(?<![a-z])(?:mill(?:ioner|ion)?|mnok|mkr|mln)\b\.?")
_BILLION = re.compile(r"(?<![a-z])(?:mrd|milliarder|milliard)\b\.?")
_THOUSAND = re.compile(r"(?<=\d)\s*(?:k|tusen|tnok)\b\.?")
_NUMBER = re.compile(r"[0-9.,']+")
_GROUPED = {
    ".": re.compile(r"\d{1,3}(?:\.\d{3})+"),
    ",": re.compile(r"\d{1,3}(?:,\d{3})+"),
    "'": re.compile(r"\d{1,3}(?:'\d{3})+"),
}


def parse_amount(value: object) -> int | None:
    """An amount in whole kroner (rounded half up); None for an empty cell.

    `1 250 000`, `1.250.000`, `1 250 000,50`, `kr 1 250 000,-`, `NOK 2,5 mill`, `800k`, an
    Excel number. Spaces of every kind (also U+00A0 and U+202F) separate thousands. Negative
    amounts are refused.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
        return _whole_kroner(Decimal(str(value)))
    text = _plain(value).casefold().replace("\u2212", "-").replace("\u2013", "-")
    if not text:
        return None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = _CURRENCY.sub(" ", text).strip("-()+ ")
    multiplier = Decimal(1)
    for pattern, factor in ((_BILLION, 10**9), (_MILLION, 10**6), (_THOUSAND, 10**3)):
        if pattern.search(text):
            text = pattern.sub(" ", text)
            multiplier = Decimal(factor)
            break
    text = _SPACES.sub("", text).strip("-")
    if not text or not _NUMBER.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
    number = _decimal(text, scaled=multiplier != 1)
    if negative and number:
        raise InvalidCell("verdien kan ikke være negativ")
    return _whole_kroner(number * multiplier)


def _decimal(text: str, *, scaled: bool) -> Decimal:
    """Digits with Norwegian or English separators as a Decimal."""
    marks = [ch for ch in text if ch in ".,'"]
    if "'" in marks:
        if not _GROUPED["'"].fullmatch(text):
            raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
        return Decimal(text.replace("'", ""))
    if "." in marks and "," in marks:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        whole, _, fraction = text.rpartition(decimal_mark)
        if not _GROUPED[thousands].fullmatch(whole) and thousands in whole:
            raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
        return _to_decimal(whole.replace(thousands, "") + "." + fraction)
    if marks:
        mark = marks[0]
        if len(marks) > 1:  # 1.250.000 or 1,250,000
            if not _GROUPED[mark].fullmatch(text):
                raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}")
            return Decimal(text.replace(mark, ""))
        whole, _, fraction = text.partition(mark)
        if len(fraction) == 3 and whole and not scaled:
            return Decimal(whole + fraction)  # 1.250 / 1,250: no NOK amount has 3 decimals
        return _to_decimal(f"{whole or '0'}.{fraction}")
    return Decimal(text)


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidCell(f"ugyldig beløp: {_AMOUNT_HINT}") from None


def _whole_kroner(amount: Decimal) -> int:
    if amount < 0:
        raise InvalidCell("verdien kan ikke være negativ")
    whole = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole > MAX_VALUE_NOK:
        raise InvalidCell("verdien er urimelig stor: sjekk antall sifre")
    return whole


# Ledger accounts (*Kontoer*).
_ACCOUNT_DASHES: Final = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2014": "-"})
_ACCOUNTS_HINT = "skriv kontonumre med siffer, for eksempel 1250, 1251 eller 1200-1209"
_ACCOUNTS_PREFIX = re.compile(r"^(?:kontoer|konto|artskontoer|art|accounts?)\b\s*:?\s*")
_RANGE_MARK = re.compile(r"\s*(?:-|\.\.|\btil\b|\bto\b)\s*")
_LIST_MARK = re.compile(r"[,;/]|\bog\b|\band\b|\s+")
_ACCOUNT_ITEM = re.compile(r"(?P<first>\d+)(?:-(?P<last>\d+))?")


def parse_accounts(value: object) -> tuple[AccountRange, ...]:
    """The ledger accounts a register's *Kontoer* cell names, in order, each once: `1250, 1251`,
    `1200-1209`, `1250; 1300–1309`, `1250 og 1251`, an Excel number; () for an empty cell."""
    if value is None:
        return ()
    if isinstance(value, bool | datetime | date) or (
        isinstance(value, float) and not (math.isfinite(value) and value.is_integer())
    ):
        raise InvalidCell(f"ugyldige kontoer: {_ACCOUNTS_HINT}")
    text = normalise_words(cell_text(value).translate(_ACCOUNT_DASHES))
    text = _RANGE_MARK.sub("-", _ACCOUNTS_PREFIX.sub("", text))
    found: list[AccountRange] = []
    for item in _LIST_MARK.split(text):
        if not item:
            continue
        match = _ACCOUNT_ITEM.fullmatch(item)
        if match is None:
            raise InvalidCell(f"«{item}» er ikke et kontonummer: {_ACCOUNTS_HINT}")
        first, last = match["first"], match["last"] or match["first"]
        if int(last) < int(first):
            raise InvalidCell(
                f"kontoområdet {first}–{last} slutter før det begynner: "
                "skriv det laveste kontonummeret først"
            )
        if max(len(first), len(last)) > MAX_ACCOUNT_CHARS:
            raise InvalidCell(f"kontonummeret er for langt: høyst {MAX_ACCOUNT_CHARS} siffer")
        account = AccountRange(first, last)
        if account not in found:
            found.append(account)
    return tuple(found)


# Public register (*Omfang*, *Bestilling*, *Kontakt*, *Doffin*).
MAX_PUBLIC_TEXT_CHARS: Final = MAX_CELL_CHARS
_DOFFIN_HOSTS: Final = frozenset({"doffin.no", "www.doffin.no"})
_DOFFIN_ID = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})-([0-9]{4,8})(?![0-9])")
_DOFFIN_HINT = (
    "skriv kunngjøringsnummeret, for eksempel 2024-123456, "
    "eller lenken til kunngjøringen på doffin.no"
)


def parse_contact_email(value: object) -> str | None:
    """*Kontakt*: one e-mail address, lower case (`mailto:` and a name around it are
    dropped); None for an empty cell. Whether a personal address is shown is the public
    register's setting, not the import's."""
    text = _plain(value)
    if not text:
        return None
    found: set[str] = {
        a.casefold().removeprefix("mailto:").strip(".") for a in _ADDRESS_IN_TEXT.findall(text)
    }
    if not found:
        raise InvalidCell(
            "mangler e-postadresse: skriv en e-postadresse for henvendelser om avtalen, "
            "for eksempel innkjop@fjordvik.kommune.no"
        )
    if len(found) > 1:
        raise InvalidCell("flere e-postadresser i samme celle: skriv bare én kontaktadresse")
    address = found.pop()
    if len(address) > MAX_ADDRESS_CHARS or not _VALID_ADDRESS.fullmatch(address):
        raise InvalidCell(f"ugyldig e-postadresse «{address}»")
    return address


def parse_doffin_notice(value: object) -> str | None:
    """*Doffin*: the notice's number, `2024-123456`, from the number itself or a link to the
    notice on doffin.no (`https://doffin.no/notices/2024-123456`); None for an empty cell."""
    text = _plain(value)
    if not text:
        return None
    if isinstance(value, bool | int | float | datetime | date):
        raise InvalidCell(f"ugyldig Doffin-kunngjøring: {_DOFFIN_HINT}")
    if "/" in text or "doffin" in text.casefold():
        try:
            link = urlsplit(text if "://" in text else f"https://{text}")
            host = (link.hostname or "").casefold()
        except ValueError:
            raise InvalidCell(f"ugyldig lenke: {_DOFFIN_HINT}") from None
        if host not in _DOFFIN_HOSTS or link.scheme not in ("http", "https"):
            raise InvalidCell(f"lenken går ikke til doffin.no: {_DOFFIN_HINT}")
        found = _DOFFIN_ID.findall(f"{link.path}?{link.query}")
        if len(found) != 1:
            raise InvalidCell(f"finner ikke kunngjøringsnummeret i lenken: {_DOFFIN_HINT}")
        year, number = found[0]
        return f"{year}-{number}"
    match = _DOFFIN_ID.fullmatch(_SPACES.sub("", text))
    if match is None:
        raise InvalidCell(f"«{text}» er ikke et Doffin-nummer: {_DOFFIN_HINT}")
    return f"{match[1]}-{match[2]}"


def _parse_ledger_accounts(value: object) -> str | None:
    """The *Kontoer* cell as stored on the contract: «1250, 1300–1309», or None."""
    return accounts_text(parse_accounts(value)) or None


# Yes / no.
_TRUE = frozenset({"j", "ja", "x", "y", "yes", "true", "sann", "sant", "1", "✓", "✔", "ok"})
_FALSE = frozenset({"n", "nei", "no", "false", "usann", "usant", "0", "-", "–"})


def parse_bool(value: object, *, blank: bool = False) -> bool:
    """Ja/Nei, J/N, X/blank, true/false, yes/no, 1/0, an Excel TRUE/FALSE; `blank` if empty."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalise_words(_plain(value))
    if not text:
        return blank
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidCell("ugyldig ja/nei-verdi: skriv Ja eller Nei (eller X for ja)")


T = TypeVar("T")


def _lookup(table: Mapping[str, T], text: str, *, fuzzy: bool) -> T | None:
    key = _key(text)
    if key in table:
        return table[key]
    if fuzzy and len(key) >= 5:
        close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.8)
        if close:
            return table[close[0]]
    return None


_CONTRACT_TYPES: Final[Mapping[str, ContractType]] = {
    _key(k): v
    for keys, v in (
        (
            ("rammeavtale", "rammeavtaler", "ramme", "ra", "rammekontrakt", "framework",
             "framework agreement", "fa"),
            ContractType.FRAMEWORK,
        ),
        (
            ("enkeltkontrakt", "enkeltkontrakter", "enkeltavtale", "kontrakt", "engangskjøp",
             "single", "single contract", "contract", "ek"),
            ContractType.SINGLE,
        ),
        (
            ("avrop", "avropsavtale", "avropskontrakt", "avrop på rammeavtale", "call-off",
             "call off", "calloff", "call-off contract"),
            ContractType.CALL_OFF,
        ),
    )
    for k in keys
}  # fmt: skip


@functools.lru_cache(maxsize=1024)  # a column holds the same few words row after row
def _contract_type_of(text: str) -> ContractType | None:
    return _lookup(_CONTRACT_TYPES, text, fuzzy=True)


def parse_contract_type(value: object) -> ContractType | None:
    text = _plain(value)
    if not text:
        return None
    found = _contract_type_of(text)
    if found is None:
        raise InvalidCell(
            f"ukjent avtaletype «{text}»: bruk rammeavtale, enkeltkontrakt eller avrop"
        )
    return found


def contract_type_from_title(title: str) -> ContractType:
    """The type a new contract gets when the file does not say: from words in its title."""
    words = title.casefold()
    if words.startswith("avrop"):
        return ContractType.CALL_OFF
    if "rammeavtale" in words:
        return ContractType.FRAMEWORK
    return ContractType.SINGLE


_CATEGORIES: Final[Mapping[str, Category]] = {
    _key(k): v
    for keys, v in (
        (("varer", "vare", "varekjøp", "goods", "supplies", "products"), Category.GOODS),
        (("tjenester", "tjeneste", "tenester", "teneste", "services", "service"),
         Category.SERVICES),
        (
            ("bygg og anlegg", "bygg- og anlegg", "bygg/anlegg", "bygge- og anleggsarbeider",
             "bygge og anlegg", "bygg og anleggsarbeid", "bygg", "anlegg", "ba", "b&a", "b/a",
             "works", "building", "construction", "building and construction"),
            Category.BUILDING,
        ),
    )
    for k in keys
}  # fmt: skip


@functools.lru_cache(maxsize=1024)  # a column holds the same few words row after row
def _category_of(text: str) -> Category | None:
    return _lookup(_CATEGORIES, text, fuzzy=True)


def parse_category(value: object) -> Category | None:
    text = _plain(value)
    if not text:
        return None
    found = _category_of(text)
    if found is None:
        raise InvalidCell(f"ukjent kategori «{text}»: bruk varer, tjenester eller bygg og anlegg")
    return found


_CPV = re.compile(r"(?:cpv[\s:.-]*)?(\d{7,8})(?:\s*-\s*(\d))?(?:\b.*)?", re.IGNORECASE | re.DOTALL)
_CPV_HINT = "skriv 8 siffer, for eksempel 45000000-7"


def parse_cpv(value: object) -> str | None:
    """The (main) CPV code: `45000000-7`, `45000000`, `CPV 45210000-2 Bygg`, an Excel number
    that lost its leading zero (`3000000` → `03000000`). With several codes, the first."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = cell_text(value)
    else:
        text = _plain(value).split(",")[0].split(";")[0].strip()
    if not text:
        return None
    match = _CPV.fullmatch(text)
    if match is None:
        raise InvalidCell(f"ugyldig CPV-kode: {_CPV_HINT}")
    code = match.group(1).zfill(8)
    return f"{code}-{match.group(2)}" if match.group(2) else code


def category_from_cpv(cpv_code: str) -> Category | None:
    """The category a CPV code's division implies: 45 building and construction, 50–98
    services, 03–44 and 48 goods; None for a division outside these."""
    division = int(cpv_code[:2])
    if division == 45:
        return Category.BUILDING
    if 50 <= division <= 98:
        return Category.SERVICES
    if 3 <= division <= 44 or division == 48:
        return Category.GOODS
    return None


_RISKS: Final[Mapping[str, RiskLevel]] = {
    _key(k): v
    for keys, v in (
        (("lav", "l", "low", "låg", "1"), RiskLevel.LOW),
        (("middels", "m", "medium", "middel", "moderat", "mid", "2"), RiskLevel.MEDIUM),
        (("høy", "h", "high", "høg", "hoy", "3"), RiskLevel.HIGH),
    )
    for k in keys
}  # fmt: skip


@functools.lru_cache(maxsize=1024)  # a column holds the same few words row after row
def _risk_of(text: str) -> RiskLevel | None:
    return _lookup(_RISKS, text, fuzzy=False)


def parse_risk(value: object) -> RiskLevel | None:
    text = _plain(value)
    if not text:
        return None
    found = _risk_of(text)
    if found is None:
        raise InvalidCell(f"ukjent risikonivå «{text}»: bruk lav, middels eller høy")
    return found


_STATUSES: Final[Mapping[str, ContractStatus]] = {
    _key(k): v
    for keys, v in (
        (("aktiv", "active", "gjeldende", "i kraft", "pågående", "løpende"),
         ContractStatus.ACTIVE),
        (("planlagt", "planned", "under anskaffelse", "kommende", "ikke startet"),
         ContractStatus.PLANNED),
        (("utløpt", "expired", "utgått", "utløpt på dato"), ContractStatus.EXPIRED),
        (("avsluttet", "terminated", "avslutta", "oppsagt", "sagt opp", "hevet", "kansellert",
          "ended", "closed", "cancelled"), ContractStatus.TERMINATED),
    )
    for k in keys
}  # fmt: skip


@functools.lru_cache(maxsize=1024)  # a column holds the same few words row after row
def _status_of(text: str) -> ContractStatus | None:
    return _lookup(_STATUSES, text, fuzzy=True)


def parse_status(value: object) -> ContractStatus | None:
    text = _plain(value)
    if not text:
        return None
    found = _status_of(text)
    if found is None:
        raise InvalidCell(f"ukjent status «{text}»: bruk aktiv, planlagt, utløpt eller avsluttet")
    return found


_NOTICE = re.compile(r"(\d+)(?:[.,]0+)?\s*([a-zæøå]*)\.?(?:\s.*)?", re.DOTALL)
_MONTH_WORDS = frozenset(
    {"", "m", "md", "mnd", "mndr", "mån", "måned", "måneder", "måneders", "månad", "månader",
     "month", "months", "mo"}
)  # fmt: skip
_YEAR_WORDS = frozenset({"år", "års", "aar", "year", "years", "y"})
_NONE_WORDS = frozenset({"ingen", "nei", "none", "no", "-", "–", "ingen oppsigelse"})


def parse_notice_months(value: object) -> int | None:
    """The notice period in months: `3 måneder`, `3 mnd`, `6`, `1 år` (12); None if empty."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and float(value).is_integer():
            return _check_notice(int(value))
        raise InvalidCell("ugyldig oppsigelsestid: skriv hele måneder, for eksempel 3 måneder")
    text = normalise_words(_plain(value))
    if not text:
        return None
    if text in _NONE_WORDS:
        return 0
    match = _NOTICE.fullmatch(text)
    if match is not None and match.group(2) in _MONTH_WORDS:
        return _check_notice(int(match.group(1)))
    if match is not None and match.group(2) in _YEAR_WORDS:
        return _check_notice(12 * int(match.group(1)))
    raise InvalidCell("ugyldig oppsigelsestid: skriv antall måneder, for eksempel 3 måneder")


def _check_notice(months: int) -> int:
    if not 0 <= months <= MAX_NOTICE_MONTHS:
        raise InvalidCell(f"urimelig oppsigelsestid: {months} måneder")
    return months


# People.
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>()\[\]{},;:\"'«»]+@[^\s<>()\[\]{},;:\"'«»]+")
_VALID_ADDRESS = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}"
)
_NAME_NOISE = re.compile(r"mailto:|[<>()\[\]{}\"«»]")


@dataclass(frozen=True, slots=True)
class PersonCell:
    """A person named in a cell: the lower-cased e-mail address or UPN, and a display name for
    a person who does not exist yet (from the cell, the name column, or the address)."""

    address: str
    name: str

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by value, not by the dataclass's field-by-field state (see `ContractRecord`).
        return PersonCell, (self.address, self.name)


def parse_person(value: object, name_column: object = None) -> PersonCell | None:
    """`kari.nordmann@x.no`, `Kari Nordmann <kari.nordmann@x.no>`, `Nordmann, Kari (kari…)`."""
    text = _plain(value)
    if not text:
        return None
    return _parse_person(text, _plain(name_column))


@functools.lru_cache(maxsize=4096)  # the same few hundred people fill the register
def _parse_person(text: str, name_column: str) -> PersonCell:
    found = _ADDRESS_IN_TEXT.findall(text)
    if not found:
        raise InvalidCell(
            "mangler e-postadresse: skriv personens e-post eller brukernavn (UPN), "
            "for eksempel kari.nordmann@fjordvik.kommune.no"
        )
    addresses = {a.casefold().removeprefix("mailto:") for a in found}
    if len(addresses) > 1:
        raise InvalidCell("flere e-postadresser i samme celle: skriv bare én person")
    address = addresses.pop().strip(".")
    if len(address) > MAX_ADDRESS_CHARS or not _VALID_ADDRESS.fullmatch(address):
        raise InvalidCell(f"ugyldig e-postadresse «{address}»")
    name = _name_from_text(_ADDRESS_IN_TEXT.sub(" ", text))
    name = name or _name_from_text(name_column) or name_from_address(address)
    return PersonCell(address=address, name=name[:MAX_PERSON_NAME_CHARS])


def _name_from_text(text: str) -> str:
    text = _NAME_NOISE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip(" ,;:-")
    if "@" in text or not any(ch.isalpha() for ch in text):
        return ""
    if text.count(",") == 1:  # "Nordmann, Kari"
        last, first = (part.strip() for part in text.split(","))
        if first and last:
            text = f"{first} {last}"
    return text


def name_from_address(address: str) -> str:
    """`kari.nordmann@…` → `Kari Nordmann`, `anne-lise.berg2@…` → `Anne-Lise Berg`."""
    local = address.split("@", 1)[0]
    words = [w.strip("0123456789") for w in re.split(r"[._+]", local)]
    words = [w for w in words if w]
    if not words:
        return address
    return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in words)


# Options.
_OPTION_PREFIX = re.compile(
    r"^(?:opsjon(?:er|ar)?|options?|forlengelse(?:sopsjon(?:er)?)?)\s*(?:på\s*)?[:.]?\s*"
)
_YEAR_UNIT = re.compile(r"\b(?:års?|aar|years?)\b\.?")
_MONTH_UNIT = re.compile(r"\b(?:mnd|mndr|måneder|måned|månader|md|months?)\b\.?")
_TERM = re.compile(r"(\d{1,3})(?:\s*[x×*]\s*(\d{1,3}))?")
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}")
_UP_TO = re.compile(r"^(?:inntil|opptil|maks(?:imalt)?\.?|max\.?|up to)\s*")
_NO_OPTIONS = frozenset(
    {"ingen", "ingen opsjoner", "ingen opsjon", "nei", "-", "–", "0", "n/a", "na", "none", "no",
     "uten opsjoner", "ikke opsjon"}
)  # fmt: skip
_OPTIONS_HINT = (
    "skriv for eksempel 2+1+1 (år), opsjon 1+1 år, 2 x 1 år eller datoene (31.12.2027; 31.12.2028)"
)


@dataclass(frozen=True, slots=True)
class OptionTerms:
    """What an options cell says: a base period (months) or none, and each option's length.

    `times`: some term was written with "x" (`2 x 1 år`); `up_to`: the cell gives a ceiling
    (`inntil 2 år`). Both are read, and the reading is named in the import report."""

    base_months: int | None
    option_months: tuple[int, ...]
    times: bool = False
    up_to: bool = False


@functools.lru_cache(maxsize=1024)
def parse_option_terms(text: str) -> OptionTerms | None:
    """`2+1+1`, `opsjon 1+1 år`, `2 x 1 år`, `24+12 mnd`, `inntil 2 år`; None when the text is
    not of this form (it may be a list of dates). Raises InvalidCell for a bare number."""
    normal = normalise_words(text)
    normal, prefixed = _OPTION_PREFIX.subn("", normal)
    normal, up_to = _UP_TO.subn("", normal)
    months_unit = bool(_MONTH_UNIT.search(normal))
    years_unit = bool(_YEAR_UNIT.search(normal))
    if months_unit and years_unit:
        raise InvalidCell(f"ugyldige opsjoner: bruk enten år eller måneder ({_OPTIONS_HINT})")
    normal = _MONTH_UNIT.sub(" ", _YEAR_UNIT.sub(" ", normal)).strip()
    parts = [p.strip() for p in normal.split("+")]
    terms: list[tuple[int, int, bool]] = []  # (count, length, written with "x")
    for part in parts:
        match = _TERM.fullmatch(part)
        if match is None:
            return None
        if match.group(2) is None:
            terms.append((1, int(match.group(1)), False))
        else:
            terms.append((int(match.group(1)), int(match.group(2)), True))
    unit = 1 if months_unit else 12
    options_only = bool(prefixed or up_to)
    if len(terms) == 1 and not terms[0][2] and not options_only and not (months_unit or years_unit):
        raise InvalidCell(
            f"«{text.strip()}» er tvetydig: skriv for eksempel 1+1 (ett år og ett års opsjon), "
            "opsjon 2 år eller 2 x 1 år"
        )
    base: int | None = None
    if not options_only and len(terms) > 1 and not terms[0][2]:
        base = terms[0][1] * unit
        terms = terms[1:]
    options = tuple(length * unit for count, length, _ in terms for _ in range(count))
    if len(options) > MAX_OPTIONS:
        raise InvalidCell(f"for mange opsjoner ({len(options)}); høyst {MAX_OPTIONS}")
    if any(m <= 0 or m > MAX_OPTION_YEARS * 12 for m in (*options, 1 if base is None else base)):
        raise InvalidCell(f"urimelig lengde på opsjon eller avtaleperiode ({_OPTIONS_HINT})")
    times = any(written_with_x and count > 1 for count, _, written_with_x in terms)
    return OptionTerms(base, options, times=times, up_to=bool(up_to))


@dataclass(frozen=True, slots=True)
class OptionsPlan:
    """The contract's end date after reading the options (None: unknown) and the option end
    dates, in order.

    `note`: the cell could be read more than one way; says how it was read (Bokmål, for the
    import report). `unread`: the options could not be dated (no start or end date): the
    contract's options are left as they are, and `note` says why."""

    end_date: date | None
    options: tuple[date, ...]
    note: str | None = None
    unread: bool = False


def parse_options(value: object, start_date: date | None, end_date: date | None) -> OptionsPlan:
    """Read an options cell against the row's start and end dates (see the module docstring)."""
    if value is None:
        return OptionsPlan(end_date, ())
    if isinstance(value, datetime | date):
        return _option_dates([parse_date(value)], end_date)
    text = _plain(value)
    if not text or normalise_words(text) in _NO_OPTIONS:
        return OptionsPlan(end_date, ())
    if _DATE_LIKE.search(text):
        tokens = [t for t in re.split(r"[;,\s]+|\bog\b", text) if t]
        return _option_dates([parse_date(t) for t in tokens], end_date)
    terms = parse_option_terms(text)
    if terms is None:
        raise InvalidCell(f"ugyldige opsjoner: {_OPTIONS_HINT}")
    return _read_terms(text.strip(), terms, start_date, end_date)


def _read_terms(text: str, terms: OptionTerms, start: date | None, end: date | None) -> OptionsPlan:
    """Where the base period ends and the options after it (the module docstring's rules)."""
    base = terms.base_months
    if end is None:
        if base is None or start is None:
            return OptionsPlan(None, (), _undated_note(text, base), unread=True)
        return _extended(text, terms, period_end(start, base), terms.option_months)
    if base is None:
        return _extended(text, terms, end, terms.option_months)
    if start is not None and period_end(start, base) == end:
        return _extended(text, terms, end, terms.option_months)  # the base period, as written
    every = (base, *terms.option_months)
    if len(set(every)) == 1:
        # `1+1` next to an end date that is not start + 1 year: every number is an option.
        doubt = None if start is not None else _Doubt.NO_START
        return _extended(text, terms, end, every, doubt)
    if start is None:
        return _extended(text, terms, end, terms.option_months)  # `2+1+1`: nothing disagrees
    return _extended(text, terms, end, terms.option_months, _Doubt.MISMATCH)


class _Doubt(StrEnum):
    """Why a reading of numbers next to an end date is named in the import report."""

    NO_START = "no-start"
    """All numbers equal (`1+1`), no start date: the first may be the base period."""
    MISMATCH = "mismatch"
    """`2+1+1` whose end date is not start + 2 years: is 2 the base period or an option?"""


def _extended(
    text: str,
    terms: OptionTerms,
    base_end: date,
    lengths: Sequence[int],
    doubt: _Doubt | None = None,
) -> OptionsPlan:
    """The options of `lengths` months, one after the other from `base_end`."""
    dates: list[date] = []
    current = base_end
    for months in lengths:
        current = period_end(current + timedelta(days=1), months)
        dates.append(current)
    if doubt is _Doubt.NO_START:
        note: str | None = (
            f"«{text}» er tvetydig uten startdato: det første tallet kan være avtaleperioden. "
            f"Lest som {_options_text(lengths)} etter sluttdato (til {_dates_text(dates)}); "
            "skriv opsjonsdatoene for å være sikker."
        )
    elif doubt is _Doubt.MISMATCH:
        base = _length_text(terms.base_months or 0)
        note = (
            f"«{text}» er tvetydig: sluttdato {format_date(base_end)} er ikke startdato + {base}, "
            f"så de første {base} kan være avtaleperioden eller en opsjon. Lest som "
            f"avtaleperiode til sluttdato og {_options_text(lengths)} (til {_dates_text(dates)}); "
            "skriv opsjonsdatoene for å være sikker."
        )
    elif terms.times or terms.up_to:
        note = _written_note(text, terms, lengths, dates)
    else:
        note = None
    return OptionsPlan(base_end, tuple(dates), note)


def _length_text(months: int) -> str:
    if months % 12 == 0:
        return f"{months // 12} år"
    return f"{months} måned" if months == 1 else f"{months} måneder"


def _dates_text(dates: Sequence[date]) -> str:
    written = [format_date(d) for d in dates]
    return written[0] if len(written) == 1 else ", ".join(written[:-1]) + " og " + written[-1]


def _options_text(lengths: Sequence[int]) -> str:
    if len(lengths) == 1:
        return f"én opsjon på {_length_text(lengths[0])}"
    if len(set(lengths)) == 1:
        return f"{len(lengths)} opsjoner på {_length_text(lengths[0])} hver"
    return (
        "opsjoner på "
        + ", ".join(_length_text(m) for m in lengths[:-1])
        + (f" og {_length_text(lengths[-1])}")
    )


def _undated_note(text: str, base: int | None) -> str:
    if base is None:
        return (
            f"opsjonene «{text}» er ikke lagret: de regnes fra sluttdato, som mangler. "
            "Fyll inn sluttdato, eller skriv opsjonsdatoene (31.12.2027; 31.12.2028)."
        )
    return (
        f"opsjonene «{text}» er ikke lagret: uten startdato og sluttdato kan de ikke tidfestes. "
        "Fyll inn sluttdato (eller startdato), eller skriv opsjonsdatoene (31.12.2027; 31.12.2028)."
    )


def _written_note(
    text: str, terms: OptionTerms, lengths: Sequence[int], dates: Sequence[date]
) -> str:
    read = f"«{text}» er lest som {_options_text(lengths)} (til {_dates_text(dates)})"
    if terms.up_to and len(lengths) == 1:
        return (
            f"{read}, men sier ikke hvor mange opsjoner det er. Skriv opsjonsdatoene, eller "
            "for eksempel «opsjon 1+1 år», for å være sikker."
        )
    if terms.up_to:
        return f"{read}, det lengste den tillater; skriv opsjonsdatoene for å være sikker."
    total = _length_text(sum(lengths))
    return f"{read}; er det én opsjon på {total}, skriv «opsjon {total}»."


def _option_dates(dates: Sequence[date | None], end_date: date | None) -> OptionsPlan:
    found = [d for d in dates if d is not None]
    if end_date is None:
        raise InvalidCell("opsjonsdatoer uten sluttdato: fyll inn sluttdato for avtalen")
    if len(found) > MAX_OPTIONS:
        raise InvalidCell(f"for mange opsjoner ({len(found)}); høyst {MAX_OPTIONS}")
    previous = end_date
    for option in found:
        if option <= previous:
            raise InvalidCell(
                "opsjonsdatoene må komme etter sluttdato "
                f"({format_date(end_date)}) og i stigende rekkefølge"
            )
        previous = option
    return OptionsPlan(end_date, tuple(found))


# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something wrong in one row: the row number a person sees in the spreadsheet, the column
    header as written in the file, the cell's text and what is wrong (Bokmål)."""

    row: int
    column: str
    value: str
    message: str


# Contract attributes a record may speak for (see `ContractRecord.given`). The compliance flags
# go by their own names; `supplier_id`/`owner_id`/… stand for the people and supplier columns.
CONTRACT_FIELDS: Final = (
    "reference", "case_number", "title", "contract_type", "category", "supplier_id",
    "owner_id", "manager_id", "deputy_id", "unit", "start_date", "end_date", "options",
    "value_nok", "maximum_value_nok", "ledger_accounts", "cpv_code", "ongoing", "notice_months",
    "risk", "status", "public", "scope", "how_to_order", "contact_email", "doffin_notice",
    "pay_and_conditions", "apprentices", "hms_card", "supply_chain",
)  # fmt: skip
COMPLIANCE_FIELDS: Final = ("pay_and_conditions", "apprentices", "hms_card", "supply_chain")

# Contract attribute → what a person calls it, for reports of what changed.
FIELD_LABELS: Final[Mapping[str, str]] = {
    "reference": "avtalenr",
    "case_number": "saksnummer",
    "title": "tittel",
    "contract_type": "avtaletype",
    "category": "kategori",
    "supplier_id": "leverandør",
    "owner_id": "avtaleeier",
    "manager_id": "kontraktsforvalter",
    "deputy_id": "stedfortreder",
    "unit": "enhet",
    "start_date": "startdato",
    "end_date": "sluttdato",
    "options": "opsjoner",
    "value_nok": "estimert verdi",
    "maximum_value_nok": "maksverdi",
    "ledger_accounts": "kontoer",
    "cpv_code": "CPV",
    "ongoing": "løpende avtale",
    "notice_months": "oppsigelsestid",
    "risk": "risikonivå",
    "status": "status",
    "public": "offentlig",
    "scope": "omfang",
    "how_to_order": "bestilling",
    "contact_email": "kontakt",
    "doffin_notice": "Doffin",
    "pay_and_conditions": "lønns- og arbeidsvilkår",
    "apprentices": "lærlinger",
    "hms_card": "HMS-kort",
    "supply_chain": "leverandørkjede",
}

_COLUMN_FIELD: Final[Mapping[RegisterColumn, str]] = {
    C.CASE_NUMBER: "case_number",
    C.CPV: "cpv_code",
    C.MANAGER: "manager_id",
    C.DEPUTY: "deputy_id",
    C.UNIT: "unit",
    C.START_DATE: "start_date",
    C.END_DATE: "end_date",
    C.OPTIONS: "options",
    C.ONGOING: "ongoing",
    C.NOTICE: "notice_months",
    C.VALUE: "value_nok",
    C.MAXIMUM_VALUE: "maximum_value_nok",
    C.LEDGER_ACCOUNTS: "ledger_accounts",
    C.PUBLIC: "public",
    C.SCOPE: "scope",
    C.HOW_TO_ORDER: "how_to_order",
    C.CONTACT: "contact_email",
    C.DOFFIN: "doffin_notice",
    C.PAY_AND_CONDITIONS: "pay_and_conditions",
    C.APPRENTICES: "apprentices",
    C.HMS_CARD: "hms_card",
    C.SUPPLY_CHAIN: "supply_chain",
}


@dataclass(frozen=True, slots=True)
class ContractRecord:
    """One good row: everything needed to create or update a contract.

    `given` names the contract attributes (see `CONTRACT_FIELDS`) this row speaks for; an
    existing contract's other attributes stay as they are. `contract_type`, `category`, `risk`
    and `status` are None when the row leaves them to the contract (or to the defaults);
    `category` may be inferred from the CPV code, and then is not in `given`.
    """

    row: int
    reference: str
    title: str
    supplier_organisation_number: str
    supplier_name: str | None
    owner: PersonCell
    manager: PersonCell | None = None
    deputy: PersonCell | None = None
    case_number: str | None = None
    contract_type: ContractType | None = None
    category: Category | None = None
    cpv_code: str | None = None
    unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    options: tuple[date, ...] = ()
    value_nok: int | None = None
    maximum_value_nok: int | None = None
    ledger_accounts: str | None = None
    ongoing: bool = False
    notice_months: int | None = None
    risk: RiskLevel | None = None
    status: ContractStatus | None = None
    public: bool = True
    scope: str | None = None
    how_to_order: str | None = None
    contact_email: str | None = None
    doffin_notice: str | None = None
    pay_and_conditions: bool = False
    apprentices: bool = False
    hms_card: bool = False
    supply_chain: bool = False
    given: frozenset[str] = field(default_factory=frozenset)
    warnings: tuple[RowProblem, ...] = ()
    """Cells read one way of several (an ambiguous options cell): imported, and named in the
    import report so a person can check them."""

    def __reduce__(self) -> tuple[Any, ...]:
        # A large file is parsed in a child process (`storage.register_files`) and every record
        # crosses to the writing process: pickled as one tuple of its values and rebuilt slot
        # by slot, not by the frozen dataclass's own state handling, which looks up the fields
        # and sets each through `object.__setattr__` (3-4 times the cost, in the process that
        # writes).
        return _record_from_values, (_RECORD_VALUES(self),)


_RECORD_FIELDS: Final = tuple(f.name for f in fields(ContractRecord))
_RECORD_VALUES: Final = attrgetter(*_RECORD_FIELDS)
_RECORD_SLOT_SETTERS: Final = tuple(getattr(ContractRecord, n).__set__ for n in _RECORD_FIELDS)


def _record_from_values(values: tuple[Any, ...]) -> ContractRecord:
    """A `ContractRecord` from its values in field order (unpickling; see `__reduce__`)."""
    record = object.__new__(ContractRecord)
    for set_slot, value in zip(_RECORD_SLOT_SETTERS, values, strict=True):
        set_slot(record, value)
    return record


ParsedRow = ContractRecord | list[RowProblem]
"""A row of the register, parsed: the record, or every problem in it."""

_MISSING = object()


class _Row:
    """Collects the problems of one row while its cells are read."""

    def __init__(self, row: int, cells: Mapping[str, object], columns: ColumnMap) -> None:
        self.row = row
        self.cells = cells
        self.columns = columns
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self.unread: set[str] = set()
        """Contract fields whose column is in the file but whose cell was not read (an
        existing contract keeps its value)."""

    def has(self, column: RegisterColumn) -> bool:
        return column in self.columns.columns

    def raw(self, column: RegisterColumn) -> object:
        header = self.columns.columns.get(column)
        return None if header is None else self.cells.get(header)

    def fail(self, column: RegisterColumn, value: object, message: str) -> None:
        self.problems.append(
            RowProblem(self.row, self.columns.header(column), cell_text(value), message)
        )

    def warn(self, column: RegisterColumn, value: object, message: str) -> None:
        self.warnings.append(
            RowProblem(self.row, self.columns.header(column), cell_text(value), message)
        )

    def read(self, column: RegisterColumn, parse: Callable[[object], Any]) -> Any:
        """The parsed cell (what `parse(None)` gives for an absent column or an empty cell),
        or `_MISSING` when it failed."""
        return self.parse(column, self.raw(column), parse)

    def parse(self, column: RegisterColumn, value: object, parse: Callable[[object], Any]) -> Any:
        if type(value) is str and len(value) > MAX_CELL_CHARS:
            self.fail(
                column,
                value[:60],
                f"teksten er for lang ({len(value)} tegn; høyst {MAX_CELL_CHARS})",
            )
            return _MISSING
        try:
            return parse(value)
        except InvalidCell as exc:
            self.fail(column, value, exc.message)
            return _MISSING

    def person(self, column: RegisterColumn, name_column: RegisterColumn) -> Any:
        name = self.raw(name_column)
        return self.read(column, lambda value: parse_person(value, name))


def _text_parser(limit: int, required: str | None = None) -> Callable[[object], str | None]:
    """A parser for a free-text cell of at most `limit` characters (`required`: the message
    when it is empty)."""

    def parse(value: object) -> str | None:
        text = cell_text(value)
        if not text:
            if required:
                raise InvalidCell(required)
            return None
        if len(text) > limit:
            raise InvalidCell(f"for lang: høyst {limit} tegn (her {len(text)})")
        return text

    return parse


_REFERENCE_TEXT = _text_parser(MAX_REFERENCE_CHARS, "mangler avtalenummer")
_TITLE_TEXT = _text_parser(MAX_TITLE_CHARS, "mangler tittel")
_SUPPLIER_TEXT = _text_parser(MAX_SUPPLIER_NAME_CHARS)
_CASE_NUMBER_TEXT = _text_parser(MAX_CASE_NUMBER_CHARS)
_UNIT_TEXT = _text_parser(MAX_UNIT_CHARS)
_PUBLIC_TEXT = _text_parser(MAX_PUBLIC_TEXT_CHARS)


def _organisation_number(value: object) -> str | None:
    text = cell_text(value)
    if not text:
        raise InvalidCell("mangler organisasjonsnummer for leverandøren")
    return _normalised_organisation_number(text)


@functools.lru_cache(maxsize=4096)  # a register names the same few suppliers again and again
def _normalised_organisation_number(text: str) -> str:
    try:
        return normalise_organisation_number(text)
    except InvalidOrganisationNumber as exc:
        raise InvalidCell(exc.message) from None


def _parse_public(value: object) -> bool:
    return parse_bool(value, blank=True)


# Columns read by one parser each, straight into the record field of the same name.
_VALUE_PARSERS: Final[tuple[tuple[RegisterColumn, Callable[[object], Any]], ...]] = (
    (C.CONTRACT_TYPE, parse_contract_type),
    (C.CATEGORY, parse_category),
    (C.CPV, parse_cpv),
    (C.START_DATE, parse_date),
    (C.END_DATE, parse_date),
    (C.VALUE, parse_amount),
    (C.MAXIMUM_VALUE, parse_amount),
    (C.LEDGER_ACCOUNTS, _parse_ledger_accounts),
    (C.ONGOING, parse_bool),
    (C.PUBLIC, _parse_public),
    (C.SCOPE, _PUBLIC_TEXT),
    (C.HOW_TO_ORDER, _PUBLIC_TEXT),
    (C.CONTACT, parse_contact_email),
    (C.DOFFIN, parse_doffin_notice),
    (C.NOTICE, parse_notice_months),
    (C.RISK, parse_risk),
    (C.STATUS, parse_status),
    (C.PAY_AND_CONDITIONS, parse_bool),
    (C.APPRENTICES, parse_bool),
    (C.HMS_CARD, parse_bool),
    (C.SUPPLY_CHAIN, parse_bool),
)
# (column, record field, parser, value when the column is not in the file)
_VALUE_COLUMNS: Final = tuple(
    (column, column.value, parse, parse(None)) for column, parse in _VALUE_PARSERS
)
# Given when their value is not None (an empty cell leaves the contract's value alone).
_KEPT_WHEN_EMPTY: Final = ("contract_type", "category", "risk", "status")


def parse_row(
    row: int, cells: Mapping[str, object], columns: ColumnMap
) -> ContractRecord | list[RowProblem]:
    """One row as a `ContractRecord`, or every problem in it (never only the first)."""
    if ROW_ERROR_KEY in cells:
        return [RowProblem(row, "", "", str(cells[ROW_ERROR_KEY]))]
    r = _Row(row, cells, columns)
    extra = cells.get(EXTRA_CELLS_KEY)
    if extra:
        r.problems.append(
            RowProblem(row, "", "", f"raden har verdier i {extra} kolonne(r) uten overskrift")
        )
    values = _read_identity(r)
    present = columns.columns
    for column, name, parse, default in _VALUE_COLUMNS:
        header = present.get(column)
        value = None if header is None else cells.get(header)
        # An absent column or an empty cell reads as `parse(None)`, computed once.
        values[name] = default if value is None else r.parse(column, value, parse)
    given = {"reference", "title", "supplier_id", "owner_id"}
    _read_dates_and_options(r, values, given)
    cpv_code = values["cpv_code"]
    if r.problems:
        return r.problems

    given.update(columns.fields_in_file)
    given.update(name for name in _KEPT_WHEN_EMPTY if values[name] is not None)
    given -= r.unread
    if values["category"] is None and cpv_code is not None:
        values["category"] = category_from_cpv(cpv_code)  # for a new contract only
    return ContractRecord(row=row, given=_shared(given), warnings=tuple(r.warnings), **values)


_GIVEN_SETS: dict[frozenset[str], frozenset[str]] = {}
_MAX_GIVEN_SETS: Final = 256


def _shared(given: set[str]) -> frozenset[str]:
    """One frozenset object per distinct `given` (a file's rows share a few): less memory per
    record, and pickled once per batch sent between processes."""
    key = frozenset(given)
    shared = _GIVEN_SETS.get(key)
    if shared is None:
        if len(_GIVEN_SETS) >= _MAX_GIVEN_SETS:
            _GIVEN_SETS.clear()
        shared = _GIVEN_SETS[key] = key
    return shared


def _read_identity(r: _Row) -> dict[str, Any]:
    owner = r.person(C.OWNER, C.OWNER_NAME)
    if owner is None:
        r.fail(C.OWNER, None, "mangler avtaleeier: skriv avtaleeierens e-post")
    return {
        "reference": r.read(C.REFERENCE, _REFERENCE_TEXT),
        "title": r.read(C.TITLE, _TITLE_TEXT),
        "supplier_organisation_number": r.read(C.ORGANISATION_NUMBER, _organisation_number),
        "supplier_name": r.read(C.SUPPLIER_NAME, _SUPPLIER_TEXT),
        "owner": owner,
        "manager": r.person(C.MANAGER, C.MANAGER_NAME),
        "deputy": r.person(C.DEPUTY, C.DEPUTY_NAME),
        "case_number": _case_number(r),
        "unit": r.read(C.UNIT, _UNIT_TEXT),
    }


def _case_number(r: _Row) -> Any:
    """The saksnummer as written; a warning when the archive cannot use it (its records then
    go into a case of their own, not the existing case)."""
    value = r.read(C.CASE_NUMBER, _CASE_NUMBER_TEXT)
    if isinstance(value, str) and value and parse_case_number(value) is None:
        r.warn(
            C.CASE_NUMBER,
            value,
            "saksnummeret kan ikke leses (skriv år/løpenummer, for eksempel 2025/1234): "
            "arkivet får en ny sak for avtalen",
        )
    return value


def _read_dates_and_options(r: _Row, values: dict[str, Any], given: set[str]) -> None:
    start_date, end_date = values["start_date"], values["end_date"]
    if start_date is _MISSING or end_date is _MISSING:
        return
    if start_date and end_date and end_date < start_date:
        r.fail(
            C.END_DATE,
            r.raw(C.END_DATE),
            f"sluttdato {format_date(end_date)} er før startdato {format_date(start_date)}",
        )
        return
    if not r.has(C.OPTIONS):
        return
    plan = r.read(C.OPTIONS, lambda v: parse_options(v, start_date, end_date))
    if plan is _MISSING:
        return
    if plan.note is not None:
        r.warn(C.OPTIONS, r.raw(C.OPTIONS), plan.note)
    if plan.unread:
        r.unread.add("options")
        return
    if end_date is None and plan.end_date is not None:
        values["end_date"] = plan.end_date
        given.add("end_date")
    values["options"] = plan.options


class RegisterParser:
    """Parses the rows of one file in order, and also catches an *avtalenr* used twice.

    Keeps one entry per reference seen (the only state that grows with the file).
    """

    def __init__(self, columns: ColumnMap) -> None:
        self.columns = columns
        self._seen: dict[str, int] = {}

    def parse_all(self, rows: Iterable[tuple[int, Mapping[str, object]]]) -> Iterator[ParsedRow]:
        """Every row parsed, in order."""
        for row, cells in rows:
            yield self.parse(row, cells)

    def parse(self, row: int, cells: Mapping[str, object]) -> ParsedRow:
        result = parse_row(row, cells, self.columns)
        reference = (
            result.reference
            if isinstance(result, ContractRecord)
            else cell_text(cells.get(self.columns.columns.get(C.REFERENCE, ""), ""))
        )
        if not reference or len(reference) > MAX_REFERENCE_CHARS:
            return result
        key = reference.casefold()
        first = self._seen.setdefault(key, row)
        if first == row:
            return result
        problem = RowProblem(
            row,
            self.columns.header(C.REFERENCE),
            reference,
            f"avtalenr {reference} står også på rad {first}",
        )
        return [problem] if isinstance(result, ContractRecord) else [problem, *result]


__all__ = [
    "COLUMN_LABELS",
    "COMPLIANCE_FIELDS",
    "CONTRACT_FIELDS",
    "EXTRA_CELLS_KEY",
    "FIELD_LABELS",
    "MAX_CELL_CHARS",
    "MIN_HEADER_MATCHES",
    "REQUIRED_COLUMNS",
    "ROW_ERROR_KEY",
    "ColumnMap",
    "ContractRecord",
    "InvalidCell",
    "InvalidRegister",
    "OptionTerms",
    "OptionsPlan",
    "ParsedRow",
    "PersonCell",
    "RegisterColumn",
    "RegisterParser",
    "RowProblem",
    "anniversary",
    "category_from_cpv",
    "cell_text",
    "column_for_header",
    "contract_type_from_title",
    "count_known_headers",
    "format_date",
    "header_key",
    "name_from_address",
    "parse_amount",
    "parse_bool",
    "parse_category",
    "parse_contact_email",
    "parse_contract_type",
    "parse_cpv",
    "parse_date",
    "parse_doffin_notice",
    "parse_notice_months",
    "parse_option_terms",
    "parse_options",
    "parse_person",
    "parse_risk",
    "parse_row",
    "parse_status",
    "period_end",
]
