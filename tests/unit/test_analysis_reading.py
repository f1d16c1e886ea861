"""Reading the purchase-analysis files: headers, every value format, every message, periods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

import pytest

from followup.accounts import AccountRange
from followup.analysis.models import LedgerLine, PriceLine, StatisticsLine
from followup.analysis.reading import (
    ABSENT,
    MIN_HEADER_MATCHES,
    PERIOD_HINT,
    AnalysisColumn,
    AnalysisColumns,
    AnalysisFile,
    InvalidAnalysisFile,
    InvalidCell,
    PriceListParser,
    RowProblem,
    _read_statistics_row,
    article_key,
    column_for_header,
    count_known_headers,
    parse_account,
    parse_ledger_row,
    parse_money,
    parse_organisation_number,
    parse_period,
    parse_period_cell,
    parse_price,
    parse_price_row,
    parse_quantity,
    parse_statistics_row,
    row_parser,
)
from followup.register.reading import EXTRA_CELLS_KEY, ROW_ERROR_KEY, parse_accounts

C = AnalysisColumn
F = AnalysisFile
NBSP, NNBSP = "\u00a0", "\u202f"


def _excel(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A date cell as openpyxl reads it: a naive datetime."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - openpyxl's naive datetimes


def _message(call: object, *args: object, **kwargs: object) -> str:
    assert callable(call)
    with pytest.raises(InvalidCell) as err:
        call(*args, **kwargs)
    return err.value.message


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header", "column"),
    [
        (F.PRICE_LIST, "Varenummer", C.ARTICLE),
        (F.PRICE_LIST, "Artikkelnummer", C.ARTICLE),
        (F.PRICE_LIST, "Art.nr.", C.ARTICLE),
        (F.PRICE_LIST, "Article number", C.ARTICLE),
        (F.PRICE_LIST, "Item number", C.ARTICLE),
        (F.PRICE_LIST, "Varetekst", C.DESCRIPTION),
        (F.PRICE_LIST, "Beskrivelse", C.DESCRIPTION),
        (F.PRICE_LIST, "Description", C.DESCRIPTION),
        (F.PRICE_LIST, "Enhet", C.UNIT),
        (F.PRICE_LIST, "Unit", C.UNIT),
        (F.PRICE_LIST, "Avtalt pris", C.AGREED_PRICE),
        (F.PRICE_LIST, "Avtalt pris eks. mva", C.AGREED_PRICE),
        (F.PRICE_LIST, "Enhetspris", C.AGREED_PRICE),
        (F.PRICE_LIST, "Pris (NOK)", C.AGREED_PRICE),
        (F.PRICE_LIST, "Agreed price", C.AGREED_PRICE),
        (F.PRICE_LIST, "Unit price", C.AGREED_PRICE),
        (F.PRICE_LIST, "Price", C.AGREED_PRICE),
        (F.PRICE_LIST, "Kjernesortiment", C.CORE),
        (F.PRICE_LIST, "Kjerne", C.CORE),
        (F.PRICE_LIST, "Core", C.CORE),
        (F.PRICE_LIST, "Core assortment", C.CORE),
        (F.PRICE_LIST, "Gyldig fra", C.VALID_FROM),
        (F.PRICE_LIST, "Fra dato", C.VALID_FROM),
        (F.PRICE_LIST, "Valid from", C.VALID_FROM),
        (F.STATISTICS, "Periode fra", C.PERIOD_FROM),
        (F.STATISTICS, "From", C.PERIOD_FROM),
        (F.STATISTICS, "Periode til", C.PERIOD_TO),
        (F.STATISTICS, "To", C.PERIOD_TO),
        (F.STATISTICS, "Periode", C.PERIOD),
        (F.STATISTICS, "Period", C.PERIOD),
        (F.STATISTICS, "Kunde", C.CUSTOMER),
        (F.STATISTICS, "Enhet kunde", C.CUSTOMER),
        (F.STATISTICS, "Customer", C.CUSTOMER),
        (F.STATISTICS, "Buyer", C.CUSTOMER),
        (F.STATISTICS, "Enhet", C.UNIT),
        (F.STATISTICS, "Antall", C.QUANTITY),
        (F.STATISTICS, "Quantity", C.QUANTITY),
        (F.STATISTICS, "Qty", C.QUANTITY),
        (F.STATISTICS, "Enhetspris", C.UNIT_PRICE),
        (F.STATISTICS, "Fakturert pris", C.UNIT_PRICE),
        (F.STATISTICS, "Invoiced price", C.UNIT_PRICE),
        (F.STATISTICS, "Beløp eks. mva", C.AMOUNT),
        (F.STATISTICS, "Beløp", C.AMOUNT),
        (F.STATISTICS, "Sum eks mva", C.AMOUNT),
        (F.STATISTICS, "Amount", C.AMOUNT),
        (F.STATISTICS, "Amount ex VAT", C.AMOUNT),
        (F.STATISTICS, "Net amount", C.AMOUNT),
        (F.STATISTICS, "Kjernesortiment", C.CORE),
        (F.LEDGER, "Bilagsdato", C.VOUCHER_DATE),
        (F.LEDGER, "Dato", C.VOUCHER_DATE),
        (F.LEDGER, "Voucher date", C.VOUCHER_DATE),
        (F.LEDGER, "Date", C.VOUCHER_DATE),
        (F.LEDGER, "Org.nr", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Organisasjonsnummer", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Orgnr", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Organisation number", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Org no", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Leverandør", C.SUPPLIER_NAME),
        (F.LEDGER, "Leverandørnavn", C.SUPPLIER_NAME),
        (F.LEDGER, "Supplier", C.SUPPLIER_NAME),
        (F.LEDGER, "Vendor", C.SUPPLIER_NAME),
        (F.LEDGER, "Beløp eks. mva", C.AMOUNT),
        (F.LEDGER, "Beløp", C.AMOUNT),
        (F.LEDGER, "Amount", C.AMOUNT),
        (F.LEDGER, "Konto", C.ACCOUNT),
        (F.LEDGER, "Art", C.ACCOUNT),
        (F.LEDGER, "Artskonto", C.ACCOUNT),
        (F.LEDGER, "Account", C.ACCOUNT),
        (F.LEDGER, "Ansvar", C.RESPONSIBILITY),
        (F.LEDGER, "Responsibility", C.RESPONSIBILITY),
        (F.LEDGER, "Cost centre", C.RESPONSIBILITY),
    ],
)
def test_headers_in_norwegian_and_english(kind: AnalysisFile, header: str, column: C) -> None:
    assert column_for_header(kind, header) is column


@pytest.mark.parametrize(
    ("kind", "header", "column"),
    [
        (F.STATISTICS, f"  BELØP{NBSP}EKS.{NNBSP}MVA  ", C.AMOUNT),
        (F.STATISTICS, "Belop eks mva", C.AMOUNT),  # typed without ø
        (F.STATISTICS, "periode-fra", C.PERIOD_FROM),
        (F.STATISTICS, "PERIODE_TIL", C.PERIOD_TO),
        (F.PRICE_LIST, "art. nr", C.ARTICLE),
        (F.PRICE_LIST, "Avtalt\tpris", C.AGREED_PRICE),
        (F.LEDGER, "Org. nr.", C.ORGANISATION_NUMBER),
        (F.LEDGER, "Leverandor", C.SUPPLIER_NAME),
    ],
)
def test_headers_ignore_case_spacing_and_punctuation(
    kind: AnalysisFile, header: str, column: C
) -> None:
    assert column_for_header(kind, header) is column


def test_the_same_word_means_what_the_file_is_about() -> None:
    # "Pris" is the agreed price in a price list and the invoiced price in the statistics;
    # "Fra" is a price's valid-from date in one and the period's first day in the other.
    assert column_for_header(F.PRICE_LIST, "Pris") is C.AGREED_PRICE
    assert column_for_header(F.STATISTICS, "Pris") is C.UNIT_PRICE
    assert column_for_header(F.PRICE_LIST, "Fra") is C.VALID_FROM
    assert column_for_header(F.STATISTICS, "Fra") is C.PERIOD_FROM
    assert column_for_header(F.LEDGER, "Kunde") is None


def test_an_amount_with_vat_is_not_the_amount() -> None:
    assert column_for_header(F.STATISTICS, "Beløp inkl. mva") is None
    assert column_for_header(F.PRICE_LIST, "Pris inkl mva") is None
    columns = AnalysisColumns.from_headers(
        F.STATISTICS, ["Periode", "Varenummer", "Beløp inkl. mva"]
    )
    assert columns.missing == (C.AMOUNT,)
    assert columns.problems() == [
        "Kolonnen «Beløp eks. mva» mangler. Hver linje trenger beløpet eks. mva. "
        "Kolonnen «Beløp inkl. mva» er med mva; analysen bruker beløp og priser eks. mva."
    ]


def test_a_price_list_with_english_headers_in_any_order() -> None:
    columns = AnalysisColumns.from_headers(
        F.PRICE_LIST, ["Core", "Price", "Unit", "Description", "Item number", "Supplier note"]
    )
    assert columns.problems() == []
    assert columns.unknown == ("Supplier note",)
    assert columns.warnings() == ["Kolonnen «Supplier note» er ukjent og blir ikke lest."]
    assert columns.header(C.AGREED_PRICE) == "Price"
    assert columns.header(C.VALID_FROM) == "Gyldig fra"  # absent: its Norwegian name


def test_missing_columns_are_named_as_a_person_writes_them() -> None:
    price = AnalysisColumns.from_headers(F.PRICE_LIST, ["Varenummer", "Enhet"])
    assert price.missing == (C.DESCRIPTION, C.AGREED_PRICE, C.CORE)
    assert price.problems() == [
        "Kolonnen «Varetekst» mangler. Hver vare i prislisten trenger en varetekst.",
        "Kolonnen «Avtalt pris» mangler. Prislisten trenger den avtalte enhetsprisen eks. mva.",
        "Kolonnen «Kjernesortiment» mangler. Prislisten må si hvilke varer som er "
        "kjernesortiment (J/N eller X).",
    ]
    ledger = AnalysisColumns.from_headers(F.LEDGER, ["Dato", "Beløp", "Konto", "Ansvar"])
    assert ledger.missing == (C.ORGANISATION_NUMBER, C.SUPPLIER_NAME)
    assert ledger.problems()[0].startswith("Kolonnen «Org.nr» mangler.")
    assert ledger.problems()[1] == (
        "Kolonnen «Leverandør» mangler. Leverandørens navn må være med."
    )
    with pytest.raises(InvalidAnalysisFile) as err:
        ledger.require_readable()
    assert err.value.problems == ledger.problems()


def test_the_statistics_need_a_period_in_one_column_or_two() -> None:
    none = AnalysisColumns.from_headers(F.STATISTICS, ["Varenummer", "Beløp"])
    assert none.missing == (C.PERIOD,)
    assert none.problems() == [
        "Kolonnen «Periode» mangler. Skriv perioden linjen gjelder, enten i «Periode fra» og "
        "«Periode til» eller i én kolonne «Periode» (for eksempel 1. kvartal 2026)."
    ]
    half = AnalysisColumns.from_headers(F.STATISTICS, ["From", "Varenummer", "Beløp"])
    assert half.missing == (C.PERIOD_TO,)
    assert half.problems() == [
        "Kolonnen «Periode til» mangler: med «From» trengs også «Periode til» (eller én "
        "kolonne «Periode», for eksempel 1. kvartal 2026)."
    ]
    other_half = AnalysisColumns.from_headers(F.STATISTICS, ["Til", "Varenummer", "Beløp"])
    assert other_half.missing == (C.PERIOD_FROM,)
    # One Periode column beside one half is enough: the Periode column is read.
    mixed = AnalysisColumns.from_headers(F.STATISTICS, ["Periode", "Fra", "Varenummer", "Beløp"])
    assert mixed.problems() == []
    assert not mixed.split_period
    assert mixed.warnings() == ["Kolonnen «Fra» blir ikke lest: perioden leses fra «Periode»."]
    both = AnalysisColumns.from_headers(
        F.STATISTICS, ["Periode", "Periode fra", "Periode til", "Varenummer", "Beløp"]
    )
    assert both.problems() == []
    assert both.split_period
    assert both.warnings() == [
        "Kolonnen «Periode» blir ikke lest: perioden leses fra «Periode fra» og «Periode til»."
    ]


def test_two_headers_for_one_column_stop_the_file() -> None:
    columns = AnalysisColumns.from_headers(
        F.STATISTICS, ["Periode", "Varenummer", "Beløp", "Beløp eks. mva"]
    )
    assert columns.problems() == [
        "Kolonnene «Beløp», «Beløp eks. mva» betyr det samme (Beløp eks. mva). "
        "Fjern eller gi nytt navn til den ene."
    ]


def test_the_header_row_is_known_by_its_columns() -> None:
    cells = ["Varenummer", "Varetekst", "Avtalt pris", None, 12, "Kommentar"]
    assert count_known_headers(F.PRICE_LIST, cells) == 3 >= MIN_HEADER_MATCHES
    assert count_known_headers(F.PRICE_LIST, ["1001", "Rør", "12,50"]) == 0


def test_cells_of_lists_every_column_by_position() -> None:
    columns = AnalysisColumns.from_headers(F.LEDGER, ["Konto", "Dato"])
    cells_of = dict(zip(AnalysisColumn, columns.cells_of, strict=True))
    assert cells_of[C.ACCOUNT] == "Konto"
    assert cells_of[C.VOUCHER_DATE] == "Dato"
    assert cells_of[C.AMOUNT] == ABSENT


# --- money and quantities ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 250,50", "1250.50"),
        ("1.250,50", "1250.50"),
        (f"1{NBSP}250,50", "1250.50"),
        (f"1{NNBSP}250,50", "1250.50"),
        ("1250,50", "1250.50"),
        ("1250.50", "1250.50"),
        ("12.50", "12.50"),
        ("12.5", "12.5"),
        ("kr 12,5", "12.5"),
        ("Kr. 1 250,50", "1250.50"),
        ("12,50 kr", "12.50"),
        ("NOK 1 250", "1250"),
        ("1 250,-", "1250"),
        ("kr 1.250,-", "1250"),
        ("1 250 000", "1250000"),
        ("1.250.000", "1250000"),
        ("1.250.000,75", "1250000.75"),
        ("1,250.50", "1250.50"),  # English thousands and decimal point
        ("1'250.50", "1250.50"),
        ("0,125", "0.125"),  # a comma is always the decimal mark
        ("0.125", "0.125"),  # no thousands group starts with 0
        ("1234.567", "1234.567"),
        ("1 250.500", "1250.500"),  # spaces already group the thousands
        ("12,3456", "12.3456"),
        ("  42  ", "42"),
        ("1 250 eks. mva", "1250"),
        ("NOK 2,5 mill", "2500000"),
        ("0", "0"),
        ("-0,00", "0"),
        (1250, "1250"),
        (12.1, "12.1"),
        (0.1 + 0.2, "0.3"),  # Excel keeps 15 significant digits
        (1250.4999999999998, "1250.5"),
        (Decimal("99.95"), "99.95"),
    ],
)
def test_money_the_norwegian_way(value: object, expected: str) -> None:
    amount = parse_money(value)
    assert amount == Decimal(expected)
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize("value", [None, "", "   ", f"{NBSP}"])
def test_an_empty_money_cell_is_none(value: object) -> None:
    assert parse_money(value) is None
    assert parse_quantity(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1 250,00", "-1250.00"),
        ("(1 250,00)", "-1250.00"),
        ("1 250,00-", "-1250.00"),
        ("\u22121 250,00", "-1250.00"),  # the typographic minus
        ("\u20131250", "-1250"),  # an en dash typed as a minus
        ("kr -1 250,50", "-1250.50"),
        ("-kr 1 250,50", "-1250.50"),
        ("-1250.5", "-1250.5"),
        (-1250.5, "-1250.5"),
        (-3, "-3"),
    ],
)
def test_credit_notes_are_negative_where_allowed(value: object, expected: str) -> None:
    assert parse_money(value, negative=True) == Decimal(expected)
    assert _message(parse_money, value) == "beløpet kan ikke være negativt her"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.250", "«1.250» kan leses både som 1 250 og som 1,25: skriv 1 250 (uten punktum) "
         "eller 1,25 (med desimalkomma)"),
        ("12.000", "«12.000» kan leses både som 12 000 og som 12: skriv 12 000 (uten punktum) "
         "eller 12 (med desimalkomma)"),
        ("abc", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("12 50", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("1,2,3", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("1.250,50,10", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("12,5a", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("1e5", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("NaN", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("kr", "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("-", "ugyldig beløp: skriv for eksempel 1 250,50"),
        (True, "ugyldig beløp: skriv for eksempel 1 250,50"),
        (_excel(2026, 1, 1), "ugyldig beløp: skriv for eksempel 1 250,50"),
        (float("nan"), "ugyldig beløp: skriv for eksempel 1 250,50"),
        (Decimal("Infinity"), "ugyldig beløp: skriv for eksempel 1 250,50"),
        ("1 250 inkl. mva", "beløpet er oppgitt inkl. mva: skriv beløpet eks. mva"),
        ("20 000 000 000 000", "beløp er urimelig stort: sjekk antall sifre"),
    ],
)  # fmt: skip
def test_money_refusals(value: object, message: str) -> None:
    assert _message(parse_money, value, negative=True) == message


def test_a_price_is_never_negative() -> None:
    assert parse_price("12,50") == Decimal("12.50")
    assert parse_price("0") == 0
    assert _message(parse_price, "-12,50") == "prisen kan ikke være negativ"
    assert _message(parse_price, "tolv") == "ugyldig pris: skriv for eksempel 1 250,50"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", "12"),
        ("2,5", "2.5"),
        ("2.5", "2.5"),
        ("0", "0"),
        ("1 200", "1200"),
        ("0,125", "0.125"),
        (3, "3"),
        (2.5, "2.5"),
        (Decimal("7.25"), "7.25"),
    ],
)
def test_quantities_have_decimals(value: object, expected: str) -> None:
    assert parse_quantity(value) == Decimal(expected)


def test_negative_quantities_only_where_returns_are_allowed() -> None:
    assert parse_quantity("-2", negative=True) == Decimal(-2)
    assert parse_quantity("(2)", negative=True) == Decimal(-2)
    assert _message(parse_quantity, "-2") == "antallet kan ikke være negativt her"
    assert _message(parse_quantity, "tolv") == (
        "ugyldig antall: skriv et tall, for eksempel 12 eller 2,5"
    )
    assert _message(parse_quantity, "kr 12") == (
        "ugyldig antall: skriv et tall, for eksempel 12 eller 2,5"
    )


# --- periods -----------------------------------------------------------------------------------

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. kvartal 2026", Q1),
        ("1.kvartal 2026", Q1),
        ("1 kvartal 2026", Q1),
        ("1. kv. 2026", Q1),
        ("1. kv 2026", Q1),
        ("første kvartal 2026", Q1),
        ("Kvartal 1 2026", Q1),
        ("Q1 2026", Q1),
        ("q1-2026", Q1),
        ("Q1/2026", Q1),
        ("K1 2026", Q1),
        ("2026-Q1", Q1),
        ("2026 Q1", Q1),
        ("2026Q1", Q1),
        (f"1.{NBSP}kvartal{NNBSP}2026", Q1),
        ("4. kvartal 2026", (date(2026, 10, 1), date(2026, 12, 31))),
        ("Q2 2026", (date(2026, 4, 1), date(2026, 6, 30))),
        ("T1 2026", (date(2026, 1, 1), date(2026, 4, 30))),
        ("T2 2026", (date(2026, 5, 1), date(2026, 8, 31))),
        ("T3 2026", (date(2026, 9, 1), date(2026, 12, 31))),
        ("1. tertial 2026", (date(2026, 1, 1), date(2026, 4, 30))),
        ("2. tertial 2026", (date(2026, 5, 1), date(2026, 8, 31))),
        ("2026-T3", (date(2026, 9, 1), date(2026, 12, 31))),
        ("1. halvår 2026", (date(2026, 1, 1), date(2026, 6, 30))),
        ("2. halvår 2026", (date(2026, 7, 1), date(2026, 12, 31))),
        ("H1 2026", (date(2026, 1, 1), date(2026, 6, 30))),
        ("2026-H2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("januar 2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("Januar 2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("jan 2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("jan. 2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("februar 2028", (date(2028, 2, 1), date(2028, 2, 29))),
        ("mai 2026", (date(2026, 5, 1), date(2026, 5, 31))),
        ("des 2026", (date(2026, 12, 1), date(2026, 12, 31))),
        ("October 2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("2026-01", (date(2026, 1, 1), date(2026, 1, 31))),
        ("2026-1", (date(2026, 1, 1), date(2026, 1, 31))),
        ("01.2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("1/2026", (date(2026, 1, 1), date(2026, 1, 31))),
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("jan–mar 2026", Q1),
        ("januar til mars 2026", Q1),
        ("01.01.2026–31.03.2026", Q1),
        ("01.01.2026 - 31.03.2026", Q1),
        ("01.01.2026-31.03.2026", Q1),
        ("1.1.26 til 31.3.26", Q1),
        ("2026-01-01 – 2026-03-31", Q1),
        ("fra 01.01.2026 til 31.03.2026", Q1),
        ("31.03.2026", (date(2026, 3, 31), date(2026, 3, 31))),
    ],
)
def test_periods(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text) == expected
    assert parse_period_cell(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5. kvartal 2026", f"ugyldig periode: et år har 4 kvartaler ({PERIOD_HINT})"),
        ("Q0 2026", f"ugyldig periode: et år har 4 kvartaler ({PERIOD_HINT})"),
        ("T4 2026", f"ugyldig periode: et år har 3 tertialer ({PERIOD_HINT})"),
        ("3. halvår 2026", f"ugyldig periode: et år har 2 halvår ({PERIOD_HINT})"),
        ("13.2026", f"ugyldig periode: måned 13 finnes ikke ({PERIOD_HINT})"),
        ("2026-00", f"ugyldig periode: måned 0 finnes ikke ({PERIOD_HINT})"),
        ("januar 1890", "ugyldig periode: året 1890 er ikke rimelig"),
        ("Q1 3026", "ugyldig periode: året 3026 er ikke rimelig"),
        ("31.03.2026–01.01.2026", "perioden slutter (01.01.2026) før den begynner (31.03.2026)"),
        ("mars–januar 2026", "perioden slutter (31.01.2026) før den begynner (01.03.2026)"),
        ("32.01.2026", "ugyldig dato: 32.01.2026 finnes ikke i kalenderen"),
        ("kvartal", f"ugyldig periode: {PERIOD_HINT}"),
        ("1. kvartal", f"ugyldig periode: {PERIOD_HINT}"),
        ("vår 2026", f"ugyldig periode: {PERIOD_HINT}"),
        ("i fjor", f"ugyldig periode: {PERIOD_HINT}"),
        ("26", f"ugyldig periode: {PERIOD_HINT}"),
        ("", f"mangler periode: {PERIOD_HINT}"),
    ],
)
def test_period_refusals(text: str, message: str) -> None:
    assert _message(parse_period, text) == message


def test_the_period_hint_lists_the_forms() -> None:
    for form in ("1. kvartal 2026", "Q1 2026", "2026-Q1", "T1 2026", "1. halvår 2026",
                 "H1 2026", "januar 2026", "2026-01", "01.2026", "«2026»",
                 "01.01.2026–31.03.2026"):  # fmt: skip
        assert form in PERIOD_HINT


def test_a_period_cell_from_excel() -> None:
    assert parse_period_cell(None) is None
    assert parse_period_cell("  ") is None
    assert parse_period_cell(_excel(2026, 3, 31, 0, 0)) == (date(2026, 3, 31), date(2026, 3, 31))
    assert parse_period_cell(date(2026, 3, 31)) == (date(2026, 3, 31), date(2026, 3, 31))
    assert parse_period_cell(2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert parse_period_cell(2026.0) == (date(2026, 1, 1), date(2026, 12, 31))
    for value in (True, 46022, 2026.5, float("inf")):
        assert _message(parse_period_cell, value) == f"ugyldig periode: {PERIOD_HINT}"


# --- accounts, articles, organisation numbers --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250, 1251", (("1250", "1250"), ("1251", "1251"))),
        ("1200-1209", (("1200", "1209"),)),
        ("1200 - 1209", (("1200", "1209"),)),
        ("1250; 1300–1309", (("1250", "1250"), ("1300", "1309"))),
        ("1250 og 1251", (("1250", "1250"), ("1251", "1251"))),
        ("1250 1251", (("1250", "1250"), ("1251", "1251"))),
        ("1250/1251", (("1250", "1250"), ("1251", "1251"))),
        ("1200 til 1209", (("1200", "1209"),)),
        ("Kontoer: 1250, 1250, 1251", (("1250", "1250"), ("1251", "1251"))),
        ("0120", (("0120", "0120"),)),
        (1250, (("1250", "1250"),)),
        (1250.0, (("1250", "1250"),)),
        ("", ()),
        (None, ()),
    ],
)
def test_accounts(value: object, expected: tuple[tuple[str, str], ...]) -> None:
    assert parse_accounts(value) == tuple(AccountRange(a, b) for a, b in expected)


_ACCOUNTS_HINT = "skriv kontonumre med siffer, for eksempel 1250, 1251 eller 1200-1209"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1209-1200", "kontoområdet 1209–1200 slutter før det begynner: skriv det laveste "
         "kontonummeret først"),
        ("125*", f"«125*» er ikke et kontonummer: {_ACCOUNTS_HINT}"),
        ("1250, kontor", f"«kontor» er ikke et kontonummer: {_ACCOUNTS_HINT}"),
        ("1250a", f"«1250a» er ikke et kontonummer: {_ACCOUNTS_HINT}"),
        ("1200-", f"«1200-» er ikke et kontonummer: {_ACCOUNTS_HINT}"),
        (1250.5, f"ugyldige kontoer: {_ACCOUNTS_HINT}"),
        (True, f"ugyldige kontoer: {_ACCOUNTS_HINT}"),
        (date(2026, 1, 1), f"ugyldige kontoer: {_ACCOUNTS_HINT}"),
    ],
)  # fmt: skip
def test_account_refusals(value: object, message: str) -> None:
    assert _message(parse_accounts, value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250", "1250"),
        (" 1250 ", "1250"),
        (1250, "1250"),
        (1250.0, "1250"),
        ("1250 Kontorrekvisita", "1250"),
        ("1250 - Kontorrekvisita", "1250"),
        ("1250: Kontorrekvisita", "1250"),
        ("A1250", "A1250"),
        ("", None),
        (None, None),
    ],
)
def test_a_ledger_account(value: object, expected: str | None) -> None:
    assert parse_account(value) == expected


@pytest.mark.parametrize("value", ["Kontorrekvisita", "12 50", 1250.5])
def test_a_ledger_account_refused(value: object) -> None:
    assert _message(parse_account, value) == (
        "ugyldig konto: skriv kontonummeret, for eksempel 1250"
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("000123", "123"),
        ("0123", "123"),
        (" 123 ", "123"),
        ("12 345", "12345"),
        (f"12{NBSP}345", "12345"),
        ("ab-100", "AB-100"),
        ("AB-0100", "ab-0100"),
        ("000", "0"),
        ("ＡＢ１２", "ab12"),  # full-width letters and digits
    ],
)
def test_article_keys_that_match(left: str, right: str) -> None:
    assert article_key(left) == article_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("AB-0100", "AB-100"),  # zeros inside a code that is not all digits are kept
        ("0123A", "123A"),
        ("12-345", "12345"),  # punctuation is part of the number
        ("123", "1230"),
    ],
)
def test_article_keys_that_differ(left: str, right: str) -> None:
    assert article_key(left) != article_key(right)


def test_organisation_numbers() -> None:
    assert parse_organisation_number("NO 974 600 951 MVA") == "974600951"
    assert parse_organisation_number(974600951) == "974600951"
    assert parse_organisation_number(974600951.0) == "974600951"
    assert parse_organisation_number("") is None
    assert parse_organisation_number(None) is None
    assert _message(parse_organisation_number, "974600952") == (
        "Kontrollsifferet stemmer ikke for organisasjonsnummeret 974 600 952. "
        "Sjekk at alle sifrene er riktige."
    )


# --- price list rows ---------------------------------------------------------------------------

PRICE_HEADERS = ["Varenummer", "Varetekst", "Enhet", "Avtalt pris", "Kjernesortiment", "Gyldig fra"]


def _price_columns(headers: list[str] = PRICE_HEADERS) -> AnalysisColumns:
    return AnalysisColumns.from_headers(F.PRICE_LIST, headers)


def _price_row(**cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "Varenummer": "1001",
        "Varetekst": "PVC-rør 110 mm",
        "Enhet": "m",
        "Avtalt pris": "125,50",
        "Kjernesortiment": "J",
        "Gyldig fra": "",
    }
    row.update(cells)
    return row


def test_a_price_line() -> None:
    line = parse_price_row(2, _price_row(), _price_columns())
    assert line == PriceLine("1001", "PVC-rør 110 mm", "m", Decimal("125.50"), True, None)


@pytest.mark.parametrize(
    ("cell", "core"),
    [
        ("J", True), ("N", False), ("Ja", True), ("Nei", False), ("X", True), ("x", True),
        ("", False), (None, False), ("Yes", True), ("No", False), ("1", True), ("0", False),
        (1, True), (0, False), (True, True), (False, False), (" ja ", True),
    ],
)  # fmt: skip
def test_core_flags(cell: object, core: bool) -> None:
    line = parse_price_row(2, _price_row(Kjernesortiment=cell), _price_columns())
    assert isinstance(line, PriceLine)
    assert line.core is core


def test_a_price_line_from_excel_with_english_headers() -> None:
    columns = _price_columns(["Item number", "Description", "Unit", "Price", "Core", "Valid from"])
    cells = {
        "Item number": 1001.0,
        "Description": "PVC pipe",
        "Unit": None,
        "Price": 125.5,
        "Core": True,
        "Valid from": _excel(2026, 4, 1),
    }
    line = parse_price_row(7, cells, columns)
    assert line == PriceLine("1001", "PVC pipe", None, Decimal("125.5"), True, date(2026, 4, 1))


def test_a_price_row_reports_every_problem() -> None:
    cells = _price_row(
        Varenummer="",
        Varetekst=" ",
        **{"Avtalt pris": "-12", "Kjernesortiment": "kanskje", "Gyldig fra": "31.02.2026"},
    )
    assert parse_price_row(5, cells, _price_columns()) == [
        RowProblem(5, "Varenummer", "", "mangler varenummer"),
        RowProblem(5, "Varetekst", "", "mangler varetekst"),
        RowProblem(5, "Avtalt pris", "-12", "prisen kan ikke være negativ"),
        RowProblem(
            5,
            "Kjernesortiment",
            "kanskje",
            "ugyldig kjernesortiment: skriv J eller N (eller X for kjernesortiment)",
        ),
        RowProblem(
            5, "Gyldig fra", "31.02.2026", "ugyldig dato: 31.02.2026 finnes ikke i kalenderen"
        ),
    ]


def test_a_price_needs_a_value() -> None:
    problems = parse_price_row(3, _price_row(**{"Avtalt pris": None}), _price_columns())
    assert problems == [RowProblem(3, "Avtalt pris", "", "mangler avtalt pris")]


def test_an_article_priced_twice_from_the_same_date() -> None:
    parser = PriceListParser(_price_columns())
    assert isinstance(parser.parse(2, _price_row(Varenummer="000123")), PriceLine)
    assert parser.parse(3, _price_row(Varenummer="123")) == [
        RowProblem(3, "Varenummer", "123", "varenummer 123 har også en pris på rad 2")
    ]
    # A price adjustment from another date is a new price, not a double.
    adjusted = parser.parse(4, _price_row(Varenummer="123", **{"Gyldig fra": "01.07.2026"}))
    assert isinstance(adjusted, PriceLine)
    assert adjusted.valid_from == date(2026, 7, 1)
    assert parser.parse(5, _price_row(Varenummer=" 123", **{"Gyldig fra": "2026-07-01"})) == [
        RowProblem(
            5, "Varenummer", "123", "varenummer 123 har også en pris fra 01.07.2026 på rad 4"
        )
    ]


# --- statistics rows ---------------------------------------------------------------------------

STAT_HEADERS = [
    "Periode fra", "Periode til", "Kunde", "Varenummer", "Varetekst", "Enhet", "Antall",
    "Enhetspris", "Beløp eks. mva", "Kjernesortiment",
]  # fmt: skip


def _stat_columns(headers: list[str] = STAT_HEADERS) -> AnalysisColumns:
    return AnalysisColumns.from_headers(F.STATISTICS, headers)


def _stat_row(**cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "Periode fra": "01.01.2026",
        "Periode til": "31.03.2026",
        "Kunde": "Fjordvik vannverk",
        "Varenummer": "1001",
        "Varetekst": "PVC-rør 110 mm",
        "Enhet": "m",
        "Antall": "12",
        "Enhetspris": "125,50",
        "Beløp eks. mva": "1 506,00",
        "Kjernesortiment": "J",
    }
    row.update(cells)
    return row


def _stat(row: int, cells: Mapping[str, object], columns: AnalysisColumns) -> object:
    """The row read both ways: the fast path must give what the full reading gives."""
    result = parse_statistics_row(row, cells, columns)
    assert result == _read_statistics_row(row, cells, columns)
    return result


LINE = StatisticsLine(
    date(2026, 1, 1), date(2026, 3, 31), "Fjordvik vannverk", "1001", "PVC-rør 110 mm", "m",
    Decimal(12), Decimal("125.50"), Decimal("1506.00"), True,
)  # fmt: skip


def test_a_statistics_line() -> None:
    assert _stat(2, _stat_row(), _stat_columns()) == LINE


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("01.01.2026", "31.03.2026"),
        ("1.1.26", "31.3.26"),
        ("2026-01-01", "2026-03-31"),
        (_excel(2026, 1, 1), _excel(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (46023, 46112),  # Excel serial numbers
    ],
)
def test_statistics_period_dates(first: object, last: object) -> None:
    cells = _stat_row(**{"Periode fra": first, "Periode til": last})
    assert _stat(2, cells, _stat_columns()) == LINE


@pytest.mark.parametrize(
    "period", ["1. kvartal 2026", "Q1 2026", "2026-Q1", "01.01.2026–31.03.2026"]
)
def test_statistics_with_one_period_column(period: str) -> None:
    headers = ["Periode", *STAT_HEADERS[2:]]
    cells = {"Periode": period, **{k: v for k, v in _stat_row().items() if "Periode" not in k}}
    assert _stat(2, cells, _stat_columns(headers)) == LINE


def test_statistics_from_excel_values() -> None:
    cells = _stat_row(
        **{
            "Periode fra": _excel(2026, 1, 1),
            "Periode til": _excel(2026, 3, 31),
            "Varenummer": 1001,
            "Antall": 12.0,
            "Enhetspris": 125.5,
            "Beløp eks. mva": 1506.0,
            "Kjernesortiment": True,
        }
    )
    assert _stat(2, cells, _stat_columns()) == LINE


def test_statistics_in_messy_norwegian_formatting() -> None:
    cells = _stat_row(
        **{
            "Kunde": f"  Fjordvik{NBSP}vannverk ",
            "Varenummer": " 1001 ",
            "Antall": " 12 ",
            "Enhetspris": "kr 125,50",
            "Beløp eks. mva": f"1{NNBSP}506,00 kr",
            "Kjernesortiment": " Ja ",
        }
    )
    assert _stat(2, cells, _stat_columns()) == LINE


def test_statistics_in_english_with_dot_decimals() -> None:
    headers = ["From", "To", "Customer", "Item number", "Description", "Unit", "Qty",
               "Unit price", "Amount ex VAT", "Core"]  # fmt: skip
    cells = dict(
        zip(
            headers,
            [
                "2026-01-01",
                "2026-03-31",
                "Fjordvik vannverk",
                "1001",
                "PVC-rør 110 mm",
                "m",
                "12",
                "125.50",
                "1,506.00",
                "Yes",
            ],
            strict=True,
        )
    )
    assert _stat(2, cells, _stat_columns(headers)) == LINE


def test_statistics_optional_columns() -> None:
    headers = ["Periode", "Varenummer", "Beløp"]
    line = _stat(
        2, {"Periode": "2026", "Varenummer": "1001", "Beløp": "100"}, _stat_columns(headers)
    )
    assert line == StatisticsLine(
        date(2026, 1, 1), date(2026, 12, 31), None, "1001", None, None, None, None,
        Decimal(100), None,
    )  # fmt: skip


def test_a_blank_core_cell_in_the_statistics_is_not_core() -> None:
    line = _stat(2, _stat_row(Kjernesortiment=""), _stat_columns())
    assert isinstance(line, StatisticsLine)
    assert line.core is False


def test_a_return_has_negative_quantity_and_amount() -> None:
    line = _stat(2, _stat_row(Antall="-2", **{"Beløp eks. mva": "-251,00"}), _stat_columns())
    assert isinstance(line, StatisticsLine)
    assert (line.quantity, line.amount) == (Decimal(-2), Decimal("-251.00"))
    # Zero is a line too (a free article, a correction that nets to nothing).
    zero = _stat(2, _stat_row(Antall="0", **{"Beløp eks. mva": "0"}), _stat_columns())
    assert isinstance(zero, StatisticsLine)
    assert zero.amount == 0


def test_a_return_whose_signs_disagree_is_refused() -> None:
    assert _stat(4, _stat_row(Antall="-2"), _stat_columns()) == [
        RowProblem(
            4,
            "Beløp eks. mva",
            "1 506,00",
            "antallet er negativt (en retur), men beløpet er positivt: en retur har negativt "
            "antall og negativt beløp",
        )
    ]
    assert _stat(4, _stat_row(**{"Beløp eks. mva": "-1 506,00"}), _stat_columns()) == [
        RowProblem(
            4,
            "Beløp eks. mva",
            "-1 506,00",
            "beløpet er negativt, men antallet er positivt: en retur har negativt antall og "
            "negativt beløp",
        )
    ]


def test_a_statistics_row_reports_every_problem() -> None:
    cells = _stat_row(
        **{
            "Periode fra": "31.03.2026",
            "Periode til": "01.01.2026",
            "Varenummer": "",
            "Antall": "tolv",
            "Enhetspris": "-125,50",
            "Beløp eks. mva": "",
            "Kjernesortiment": "?",
        }
    )
    assert _stat(9, cells, _stat_columns()) == [
        RowProblem(
            9, "Periode til", "01.01.2026", "perioden slutter (01.01.2026) før den begynner "
            "(31.03.2026)"
        ),
        RowProblem(9, "Varenummer", "", "mangler varenummer"),
        RowProblem(9, "Antall", "tolv", "ugyldig antall: skriv et tall, for eksempel 12 eller 2,5"),
        RowProblem(9, "Enhetspris", "-125,50", "prisen kan ikke være negativ"),
        RowProblem(9, "Beløp eks. mva", "", "mangler beløp"),
        RowProblem(
            9,
            "Kjernesortiment",
            "?",
            "ugyldig kjernesortiment: skriv J eller N (eller X for kjernesortiment)",
        ),
    ]  # fmt: skip


def test_a_statistics_period_cell_problem() -> None:
    headers = ["Periode", "Varenummer", "Beløp"]
    columns = _stat_columns(headers)
    assert _stat(3, {"Periode": "T4 2026", "Varenummer": "1", "Beløp": "1"}, columns) == [
        RowProblem(
            3, "Periode", "T4 2026", f"ugyldig periode: et år har 3 tertialer ({PERIOD_HINT})"
        )
    ]
    assert _stat(3, {"Periode": None, "Varenummer": "1", "Beløp": "1"}, columns) == [
        RowProblem(3, "Periode", "", "mangler periode")
    ]
    assert _stat(3, _stat_row(**{"Periode fra": "", "Periode til": None}), _stat_columns()) == [
        RowProblem(3, "Periode fra", "", "mangler første dag i perioden"),
        RowProblem(3, "Periode til", "", "mangler siste dag i perioden"),
    ]


def test_an_ambiguous_amount_in_the_statistics() -> None:
    assert _stat(2, _stat_row(Enhetspris="1.250"), _stat_columns()) == [
        RowProblem(
            2,
            "Enhetspris",
            "1.250",
            "«1.250» kan leses både som 1 250 og som 1,25: skriv 1 250 (uten punktum) eller "
            "1,25 (med desimalkomma)",
        )
    ]


def test_too_long_texts_are_refused_and_shown_short() -> None:
    result = _stat(2, _stat_row(Varetekst="x" * 600), _stat_columns())
    assert isinstance(result, list)
    (problem,) = result
    assert problem.message == "for lang: høyst 500 tegn (her 600)"
    assert problem.value == "x" * 99 + "…"


def test_what_a_file_reader_reports_about_a_row() -> None:
    columns = _stat_columns()
    assert _stat(6, {ROW_ERROR_KEY: "raden kan ikke leses"}, columns) == [
        RowProblem(6, "", "", "raden kan ikke leses")
    ]
    assert _stat(7, {**_stat_row(), EXTRA_CELLS_KEY: 2}, columns) == [
        RowProblem(7, "", "", "raden har verdier i 2 kolonne(r) uten overskrift")
    ]


# --- ledger rows -------------------------------------------------------------------------------

LEDGER_HEADERS = ["Bilagsdato", "Org.nr", "Leverandør", "Beløp eks. mva", "Konto", "Ansvar"]


def _ledger_columns(headers: list[str] = LEDGER_HEADERS) -> AnalysisColumns:
    return AnalysisColumns.from_headers(F.LEDGER, headers)


def _ledger_row(**cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "Bilagsdato": "15.02.2026",
        "Org.nr": "974 600 951",
        "Leverandør": "Rørgrossisten AS",
        "Beløp eks. mva": "12 500,00",
        "Konto": "1250",
        "Ansvar": "3100",
    }
    row.update(cells)
    return row


def test_a_ledger_line() -> None:
    line = parse_ledger_row(2, _ledger_row(), _ledger_columns())
    assert line == LedgerLine(
        date(2026, 2, 15), "974600951", "Rørgrossisten AS", Decimal("12500.00"), "1250", "3100"
    )


@pytest.mark.parametrize("amount", ["-12 500,00", "(12 500,00)", "12 500,00-", -12500])
def test_a_credit_note_in_the_ledger(amount: object) -> None:
    line = parse_ledger_row(2, _ledger_row(**{"Beløp eks. mva": amount}), _ledger_columns())
    assert isinstance(line, LedgerLine)
    assert line.amount == Decimal(-12500)


def test_a_ledger_line_from_excel_in_english() -> None:
    headers = ["Voucher date", "Org no", "Supplier", "Amount", "Account", "Cost centre"]
    cells = {
        "Voucher date": _excel(2026, 2, 15),
        "Org no": 974600951,
        "Supplier": "Rørgrossisten AS",
        "Amount": 12500.0,
        "Account": 1250,
        "Cost centre": None,
    }
    line = parse_ledger_row(2, cells, _ledger_columns(headers))
    assert line == LedgerLine(
        date(2026, 2, 15), "974600951", "Rørgrossisten AS", Decimal(12500), "1250", None
    )


def test_a_ledger_line_without_organisation_number() -> None:
    line = parse_ledger_row(2, _ledger_row(**{"Org.nr": ""}), _ledger_columns())
    assert isinstance(line, LedgerLine)
    assert line.organisation_number is None
    # The organisation number alone names the supplier too.
    named_by_number = parse_ledger_row(2, _ledger_row(Leverandør=""), _ledger_columns())
    assert isinstance(named_by_number, LedgerLine)
    assert named_by_number.supplier_name == ""
    assert parse_ledger_row(
        3, _ledger_row(**{"Org.nr": None, "Leverandør": " "}), _ledger_columns()
    ) == [
        RowProblem(
            3,
            "Leverandør",
            "",
            "mangler leverandør: skriv leverandørens navn eller organisasjonsnummer",
        )
    ]


def test_a_ledger_account_with_its_name() -> None:
    line = parse_ledger_row(2, _ledger_row(Konto="1250 Kontorrekvisita"), _ledger_columns())
    assert isinstance(line, LedgerLine)
    assert line.account == "1250"


def test_a_ledger_row_reports_every_problem() -> None:
    cells = _ledger_row(
        Bilagsdato="",
        **{"Org.nr": "974600952", "Beløp eks. mva": "tolv", "Konto": "Kontorrekvisita"},
    )
    assert parse_ledger_row(8, cells, _ledger_columns()) == [
        RowProblem(8, "Bilagsdato", "", "mangler bilagsdato"),
        RowProblem(
            8,
            "Org.nr",
            "974600952",
            "Kontrollsifferet stemmer ikke for organisasjonsnummeret 974 600 952. "
            "Sjekk at alle sifrene er riktige.",
        ),
        RowProblem(8, "Beløp eks. mva", "tolv", "ugyldig beløp: skriv for eksempel 1 250,50"),
        RowProblem(
            8, "Konto", "Kontorrekvisita", "ugyldig konto: skriv kontonummeret, for eksempel 1250"
        ),
    ]


def test_row_parser_by_kind() -> None:
    price = row_parser(_price_columns())
    assert isinstance(price(2, _price_row()), PriceLine)
    assert isinstance(price(3, _price_row()), list)  # it remembers the file's articles
    assert isinstance(row_parser(_stat_columns())(2, _stat_row()), StatisticsLine)
    assert isinstance(row_parser(_ledger_columns())(2, _ledger_row()), LedgerLine)
