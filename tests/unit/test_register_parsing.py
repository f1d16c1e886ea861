"""Reading the contract register: headers, every value format, every message, options, CPV."""

from __future__ import annotations

import dataclasses
import pickle
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest

from followup.models import Category, ContractStatus, ContractType, RiskLevel
from followup.register.reading import (
    EXTRA_CELLS_KEY,
    MAX_CELL_CHARS,
    ROW_ERROR_KEY,
    ColumnMap,
    ContractRecord,
    InvalidCell,
    InvalidRegister,
    OptionTerms,
    PersonCell,
    RegisterColumn,
    RegisterParser,
    RowProblem,
    category_from_cpv,
    cell_text,
    column_for_header,
    contract_type_from_title,
    count_known_headers,
    name_from_address,
    parse_amount,
    parse_bool,
    parse_category,
    parse_contract_type,
    parse_cpv,
    parse_date,
    parse_notice_months,
    parse_option_terms,
    parse_options,
    parse_person,
    parse_risk,
    parse_row,
    parse_status,
    period_end,
)
from followup.register.reading import (
    anniversary as add_months,
)

C = RegisterColumn

# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Avtalenr", C.REFERENCE),
        ("Avtalenummer", C.REFERENCE),
        ("Kontraktsnummer", C.REFERENCE),
        ("AVTALENR.", C.REFERENCE),
        ("Avtalenr *", C.REFERENCE),
        ("Reference", C.REFERENCE),
        ("Contract no", C.REFERENCE),
        ("Saksnummer", C.CASE_NUMBER),
        ("Saksnr.", C.CASE_NUMBER),
        ("Arkivsak", C.CASE_NUMBER),
        ("Case number", C.CASE_NUMBER),
        ("Tittel", C.TITLE),
        ("Avtalenavn", C.TITLE),
        ("Navn på avtale", C.TITLE),
        ("Title", C.TITLE),
        ("Avtaletype", C.CONTRACT_TYPE),
        ("Type", C.CONTRACT_TYPE),
        ("Kategori", C.CATEGORY),
        ("Anskaffelseskategori", C.CATEGORY),
        ("Category", C.CATEGORY),
        ("CPV", C.CPV),
        ("CPV-kode", C.CPV),
        ("Leverandør", C.SUPPLIER_NAME),
        ("Leverandørnavn", C.SUPPLIER_NAME),
        ("Leverandor", C.SUPPLIER_NAME),  # æøå lost in an export
        ("Supplier", C.SUPPLIER_NAME),
        ("Org.nr", C.ORGANISATION_NUMBER),
        ("Org.nr.", C.ORGANISATION_NUMBER),
        ("Orgnr", C.ORGANISATION_NUMBER),
        ("org nr", C.ORGANISATION_NUMBER),
        ("Organisasjonsnummer", C.ORGANISATION_NUMBER),
        ("Organisation number", C.ORGANISATION_NUMBER),
        ("Avtaleeier", C.OWNER),
        ("Kontraktseier", C.OWNER),
        ("Owner", C.OWNER),
        ("Avtaleeier e-post", C.OWNER),
        ("Avtaleeier navn", C.OWNER_NAME),
        ("Kontraktsforvalter", C.MANAGER),
        ("Kontraktsansvarlig", C.MANAGER),
        ("Forvalter", C.MANAGER),
        ("Manager", C.MANAGER),
        ("Kontraktsforvalter navn", C.MANAGER_NAME),
        ("Stedfortreder", C.DEPUTY),
        ("Deputy", C.DEPUTY),
        ("Stedfortreder navn", C.DEPUTY_NAME),
        ("Enhet", C.UNIT),
        ("Virksomhet", C.UNIT),
        ("Unit", C.UNIT),
        ("Startdato", C.START_DATE),
        ("Start", C.START_DATE),
        ("Fra dato", C.START_DATE),
        ("Sluttdato", C.END_DATE),
        ("Utløpsdato", C.END_DATE),
        ("End date", C.END_DATE),
        ("Sluttdato (dd.mm.åååå)", C.END_DATE),
        ("Opsjoner", C.OPTIONS),
        ("Opsjon", C.OPTIONS),
        ("Options", C.OPTIONS),
        ("Løpende avtale", C.ONGOING),
        ("Ongoing", C.ONGOING),
        ("Oppsigelsestid", C.NOTICE),
        ("Notice period", C.NOTICE),
        ("Estimert verdi", C.VALUE),
        ("Verdi", C.VALUE),
        ("Avtaleverdi", C.VALUE),
        ("Estimert verdi (NOK)", C.VALUE),
        ("Estimert verdi eks. mva", C.VALUE),
        ("Estimated value", C.VALUE),
        ("Status", C.STATUS),
        ("Offentlig", C.PUBLIC),
        ("Public", C.PUBLIC),
        ("Risikonivå", C.RISK),
        ("Risiko", C.RISK),
        ("Risk", C.RISK),
        ("Lønns- og arbeidsvilkår", C.PAY_AND_CONDITIONS),
        ("Lønns og arbeidsvilkår", C.PAY_AND_CONDITIONS),
        ("Pay and conditions", C.PAY_AND_CONDITIONS),
        ("Lærlinger", C.APPRENTICES),
        ("Apprentices", C.APPRENTICES),
        ("HMS-kort", C.HMS_CARD),
        ("HMS kort", C.HMS_CARD),
        ("Leverandørkjede", C.SUPPLY_CHAIN),
        ("Underleverandører", C.SUPPLY_CHAIN),
        ("Supply chain", C.SUPPLY_CHAIN),
    ],
)
def test_headers_in_norwegian_and_english(header: str, column: RegisterColumn) -> None:
    assert column_for_header(header) is column


@pytest.mark.parametrize("header", ["Kommentar", "Navn", "", "   ", "Intern merknad", 42])
def test_unknown_headers_map_to_nothing(header: object) -> None:
    assert column_for_header(header) is None


HEADERS = ["Avtalenr", "Tittel", "Org.nr", "Leverandør", "Avtaleeier"]


def test_column_map_in_any_order_with_unknown_columns_as_a_warning() -> None:
    columns = ColumnMap.from_headers(["Kommentar", "Avtaleeier", "Org.nr", "Tittel", "Avtalenr"])
    assert columns.columns[C.REFERENCE] == "Avtalenr"
    assert columns.columns[C.OWNER] == "Avtaleeier"
    assert columns.problems() == []
    assert columns.warnings() == ["Kolonnen «Kommentar» er ukjent og blir ikke lest."]
    columns.require_importable()


def test_several_unknown_columns_are_warned_about_once() -> None:
    columns = ColumnMap.from_headers([*HEADERS, "Kommentar", "Merknad"])
    assert columns.warnings() == ["Kolonnene «Kommentar», «Merknad» er ukjent og blir ikke lest."]


def test_missing_required_columns_are_file_level_problems() -> None:
    columns = ColumnMap.from_headers(["Tittel", "Leverandør", "Startdato"])
    assert columns.missing == (C.REFERENCE, C.ORGANISATION_NUMBER, C.OWNER)
    problems = columns.problems()
    assert len(problems) == 3
    assert problems[0].startswith("Kolonnen «Avtalenr» mangler.")
    with pytest.raises(InvalidRegister) as err:
        columns.require_importable()
    assert err.value.problems == problems


def test_two_headers_for_the_same_column_are_a_file_level_problem() -> None:
    columns = ColumnMap.from_headers([*HEADERS, "Avtalenummer"])
    assert columns.duplicates == {C.REFERENCE: ("Avtalenr", "Avtalenummer")}
    assert columns.problems() == [
        "Kolonnene «Avtalenr», «Avtalenummer» betyr det samme (Avtalenr). "
        "Fjern eller gi nytt navn til den ene."
    ]


def test_a_person_column_beside_its_e_mail_column_holds_the_name() -> None:
    columns = ColumnMap.from_headers(
        ["Avtalenr", "Tittel", "Org.nr", "Avtaleeier", "Avtaleeier e-post"]
    )
    assert columns.columns[C.OWNER] == "Avtaleeier e-post"
    assert columns.columns[C.OWNER_NAME] == "Avtaleeier"
    assert columns.problems() == []


def test_count_known_headers_finds_the_header_row() -> None:
    assert count_known_headers(["Kontraktsregister Fjordvik kommune"]) == 0
    assert count_known_headers(HEADERS) == 5
    assert count_known_headers(["Avtalenr", "Avtalenummer", "Tittel"]) == 2


# --- cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Renhold\u00a0av  skoler \n", "Renhold av skoler"),
        ("\ufeffFK-1\u200b", "FK-1"),
        (974600951.0, "974600951"),
        (2.5, "2.5"),
        (datetime(2026, 12, 31), "31.12.2026"),  # noqa: DTZ001 - openpyxl's naive datetimes
        (date(2026, 1, 5), "05.01.2026"),
        (True, "Ja"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.2.2026", date(2026, 2, 1)),
        ("01.02.26", date(2026, 2, 1)),
        ("31/12/2026", date(2026, 12, 31)),
        ("31-12-2026", date(2026, 12, 31)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", date(2026, 12, 31)),
        ("2026-12-31T00:00", date(2026, 12, 31)),
        ("20261231", date(2026, 12, 31)),
        ("46022", date(2025, 12, 31)),  # an Excel serial that lost its date format
        (46022, date(2025, 12, 31)),
        (46022.0, date(2025, 12, 31)),
        (datetime(2026, 3, 1, 0, 0), date(2026, 3, 1)),  # noqa: DTZ001 - openpyxl's naive datetimes
        (date(2026, 3, 1), date(2026, 3, 1)),
        ("29.02.2028", date(2028, 2, 29)),
        (" 31.12.2026 ", date(2026, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_dates(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31.02.2026", "ugyldig dato: 31.02.2026 finnes ikke i kalenderen"),
        ("29.02.2027", "ugyldig dato: 29.02.2027 finnes ikke i kalenderen"),
        ("13.13.2026", "ugyldig dato: 13.13.2026 finnes ikke i kalenderen"),
        ("31.12.1899", "ugyldig dato: året 1899 er ikke rimelig"),
        ("neste uke", "ugyldig dato: skriv dd.mm.åååå, for eksempel 31.12.2026"),
        ("12/2026", "ugyldig dato: skriv dd.mm.åååå"),
        (12, "ugyldig dato: 12"),
        (True, "ugyldig dato"),
    ],
)
def test_bad_dates_say_why(value: object, message: str) -> None:
    with pytest.raises(InvalidCell) as err:
        parse_date(value)
    assert err.value.message.startswith(message)


def test_periods_end_the_day_before_the_anniversary() -> None:
    assert period_end(date(2025, 1, 1), 24) == date(2026, 12, 31)
    assert period_end(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert period_end(date(2027, 3, 1), 12) == date(2028, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 3, 1)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 250 000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1 250 000,50", 1_250_001),  # rounded half up to whole kroner
        ("1 250 000,49", 1_250_000),
        ("1.250.000,50", 1_250_001),
        ("kr 1 250 000,-", 1_250_000),
        ("Kr. 1 250 000", 1_250_000),
        ("1 250 000 kr", 1_250_000),
        ("NOK 1 250 000", 1_250_000),
        ("1 250 000 NOK eks. mva", 1_250_000),
        ("1\u00a0250\u00a0000", 1_250_000),  # Excel's non-breaking space
        ("1\u202f250\u202f000", 1_250_000),  # narrow no-break space
        ("1250000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("1,250,000.50", 1_250_001),
        ("1.250", 1_250),
        ("12,5", 13),
        ("2.5", 3),
        ("NOK 2,5 mill", 2_500_000),
        ("2,5 mill.", 2_500_000),
        ("2,5mill", 2_500_000),
        ("3 millioner", 3_000_000),
        ("1,2 MNOK", 1_200_000),
        ("800k", 800_000),
        ("800 tusen", 800_000),
        ("1 mrd", 1_000_000_000),
        ("0", 0),
        (1_250_000, 1_250_000),
        (1_250_000.5, 1_250_001),
        (Decimal("99.5"), 100),
        ("", None),
        (None, None),
    ],
)
def test_amounts(value: object, expected: int | None) -> None:
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "verdien kan ikke være negativ"),
        ("−1 000", "verdien kan ikke være negativ"),  # U+2212 minus
        ("(1 000)", "verdien kan ikke være negativ"),
        (-5, "verdien kan ikke være negativ"),
        ("ca. en million", "ugyldig beløp: skriv for eksempel 1 250 000 eller 1 250 000,50"),
        ("1.25.000", "ugyldig beløp"),
        ("1,2,3", "ugyldig beløp"),
        ("kr", "ugyldig beløp"),
        (True, "ugyldig beløp"),
        (float("nan"), "ugyldig beløp"),
        ("99 999 999 999 999", "verdien er urimelig stor: sjekk antall sifre"),
    ],
)
def test_bad_amounts_say_why(value: object, message: str) -> None:
    with pytest.raises(InvalidCell) as err:
        parse_amount(value)
    assert err.value.message.startswith(message)


# --- yes / no, type, category, CPV, risk, status, notice ------------------------------------------


@pytest.mark.parametrize("value", ["J", "ja", "JA", "X", "x", "true", "TRUE", "yes", "1", 1, True])
def test_yes(value: object) -> None:
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["N", "nei", "Nei", "false", "no", "0", "-", 0, False])
def test_no(value: object) -> None:
    assert parse_bool(value) is False


def test_an_empty_yes_no_cell_is_the_blank_value() -> None:
    assert parse_bool("") is False
    assert parse_bool(None) is False
    assert parse_bool(" ", blank=True) is True


def test_a_bad_yes_no_cell_says_how() -> None:
    with pytest.raises(InvalidCell, match="ugyldig ja/nei-verdi: skriv Ja eller Nei"):
        parse_bool("kanskje")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Rammeavtale", ContractType.FRAMEWORK),
        ("rammeavtaler", ContractType.FRAMEWORK),
        ("Ramme-avtale", ContractType.FRAMEWORK),
        ("Rammavtale", ContractType.FRAMEWORK),  # a typo
        ("Framework agreement", ContractType.FRAMEWORK),
        ("Enkeltkontrakt", ContractType.SINGLE),
        ("enkelt kontrakt", ContractType.SINGLE),
        ("Enkelkontrakt", ContractType.SINGLE),
        ("Single contract", ContractType.SINGLE),
        ("Avrop", ContractType.CALL_OFF),
        ("Call-off", ContractType.CALL_OFF),
        ("", None),
    ],
)
def test_contract_types(value: str, expected: ContractType | None) -> None:
    assert parse_contract_type(value) is expected


def test_an_unknown_contract_type_says_the_choices() -> None:
    with pytest.raises(InvalidCell) as err:
        parse_contract_type("Leieavtale")
    assert err.value.message == (
        "ukjent avtaletype «Leieavtale»: bruk rammeavtale, enkeltkontrakt eller avrop"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Rammeavtale kontorrekvisita", ContractType.FRAMEWORK),
        ("Avrop nettbrett til Lia skole", ContractType.CALL_OFF),
        ("Renhold av rådhuset", ContractType.SINGLE),
    ],
)
def test_contract_type_from_title(title: str, expected: ContractType) -> None:
    assert contract_type_from_title(title) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Varer", Category.GOODS),
        ("goods", Category.GOODS),
        ("Tjenester", Category.SERVICES),
        ("tjeneste", Category.SERVICES),
        ("Services", Category.SERVICES),
        ("Bygg og anlegg", Category.BUILDING),
        ("Bygg- og anlegg", Category.BUILDING),
        ("bygg/anlegg", Category.BUILDING),
        ("BA", Category.BUILDING),
        ("B&A", Category.BUILDING),
        ("Works", Category.BUILDING),
        ("Building", Category.BUILDING),
        ("Tjenster", Category.SERVICES),  # a typo
        ("", None),
    ],
)
def test_categories(value: str, expected: Category | None) -> None:
    assert parse_category(value) is expected


def test_an_unknown_category_says_the_choices() -> None:
    with pytest.raises(InvalidCell, match="ukjent kategori «IT»: bruk varer, tjenester eller"):
        parse_category("IT")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("45000000-7", "45000000-7"),
        ("45000000", "45000000"),
        ("45000000 - 7", "45000000-7"),
        ("CPV 45210000-2 Bygge- og anleggsarbeid", "45210000-2"),
        ("90919200-4, 90911200-8", "90919200-4"),
        (45000000, "45000000"),
        (3000000, "03000000"),  # Excel dropped the leading zero
        ("03000000-1", "03000000-1"),
        ("", None),
        (None, None),
    ],
)
def test_cpv_codes(value: object, expected: str | None) -> None:
    assert parse_cpv(value) == expected


@pytest.mark.parametrize("value", ["4500", "450000001", "renhold", "CPV"])
def test_bad_cpv_codes(value: str) -> None:
    with pytest.raises(InvalidCell, match="ugyldig CPV-kode: skriv 8 siffer"):
        parse_cpv(value)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("45000000-7", Category.BUILDING),
        ("45442100-8", Category.BUILDING),
        ("50750000-7", Category.SERVICES),
        ("90919200-4", Category.SERVICES),
        ("98000000-3", Category.SERVICES),
        ("03000000-1", Category.GOODS),
        ("30190000-7", Category.GOODS),
        ("44000000-0", Category.GOODS),
        ("48000000-8", Category.GOODS),
        ("01000000", None),
        ("46000000", None),
        ("49000000", None),
        ("99000000", None),
    ],
)
def test_category_from_the_cpv_division(code: str, expected: Category | None) -> None:
    assert category_from_cpv(code) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lav", RiskLevel.LOW),
        ("L", RiskLevel.LOW),
        ("Low", RiskLevel.LOW),
        ("Middels", RiskLevel.MEDIUM),
        ("M", RiskLevel.MEDIUM),
        ("medium", RiskLevel.MEDIUM),
        ("Høy", RiskLevel.HIGH),
        ("hoy", RiskLevel.HIGH),
        ("høg", RiskLevel.HIGH),
        ("H", RiskLevel.HIGH),
        ("High", RiskLevel.HIGH),
        ("", None),
    ],
)
def test_risk_levels(value: str, expected: RiskLevel | None) -> None:
    assert parse_risk(value) is expected


def test_an_unknown_risk_level_says_the_choices() -> None:
    with pytest.raises(InvalidCell, match="ukjent risikonivå «kritisk»: bruk lav, middels eller"):
        parse_risk("kritisk")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Aktiv", ContractStatus.ACTIVE),
        ("active", ContractStatus.ACTIVE),
        ("Planlagt", ContractStatus.PLANNED),
        ("planned", ContractStatus.PLANNED),
        ("Utløpt", ContractStatus.EXPIRED),
        ("utlopt", ContractStatus.EXPIRED),
        ("Expired", ContractStatus.EXPIRED),
        ("Avsluttet", ContractStatus.TERMINATED),
        ("Terminated", ContractStatus.TERMINATED),
        ("sagt opp", ContractStatus.TERMINATED),
        ("", None),
    ],
)
def test_statuses(value: str, expected: ContractStatus | None) -> None:
    assert parse_status(value) is expected


def test_an_unknown_status_says_the_choices() -> None:
    with pytest.raises(InvalidCell, match="ukjent status «pause»: bruk aktiv, planlagt"):
        parse_status("pause")


@pytest.mark.parametrize(
    ("value", "months"),
    [
        ("3 måneder", 3),
        ("3 mnd", 3),
        ("3 mnd.", 3),
        ("3 md", 3),
        ("6", 6),
        (6, 6),
        (6.0, 6),
        ("1 år", 12),
        ("3 months", 3),
        ("3 måneders gjensidig oppsigelse", 3),
        ("ingen", 0),
        ("", None),
        (None, None),
    ],
)
def test_notice_periods_in_months(value: object, months: int | None) -> None:
    assert parse_notice_months(value) == months


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("90 dager", "ugyldig oppsigelsestid: skriv antall måneder"),
        ("tre måneder", "ugyldig oppsigelsestid"),
        (2.5, "ugyldig oppsigelsestid: skriv hele måneder"),
        ("240", "urimelig oppsigelsestid: 240 måneder"),
    ],
)
def test_bad_notice_periods(value: object, message: str) -> None:
    with pytest.raises(InvalidCell) as err:
        parse_notice_months(value)
    assert err.value.message.startswith(message)


# --- people ------------------------------------------------------------------------------------

KARI = "kari.nordmann@fjordvik.kommune.no"


@pytest.mark.parametrize(
    ("cell", "name_column", "expected"),
    [
        (KARI, None, PersonCell(KARI, "Kari Nordmann")),
        ("Kari.Nordmann@Fjordvik.Kommune.no", None, PersonCell(KARI, "Kari Nordmann")),
        (f"Kari Nordmann <{KARI}>", None, PersonCell(KARI, "Kari Nordmann")),
        (f'"Kari Nordmann" <{KARI}>', None, PersonCell(KARI, "Kari Nordmann")),
        (f"Nordmann, Kari ({KARI})", None, PersonCell(KARI, "Kari Nordmann")),
        (f"Kari N. Nordmann [{KARI}]", None, PersonCell(KARI, "Kari N. Nordmann")),
        (f"mailto:{KARI}", None, PersonCell(KARI, "Kari Nordmann")),
        (KARI, "Kari Marie Nordmann", PersonCell(KARI, "Kari Marie Nordmann")),
        (f"Kari Nordmann <{KARI}>", "Noe annet", PersonCell(KARI, "Kari Nordmann")),
        (
            "anne-lise.berg2@fjordvik.kommune.no",
            None,
            PersonCell("anne-lise.berg2@fjordvik.kommune.no", "Anne-Lise Berg"),
        ),
        ("ab12@fjordvik.kommune.no", None, PersonCell("ab12@fjordvik.kommune.no", "Ab")),
        ("", None, None),
    ],
)
def test_people_cells(cell: str, name_column: str | None, expected: PersonCell | None) -> None:
    assert parse_person(cell, name_column) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Kari Nordmann", "mangler e-postadresse: skriv personens e-post eller brukernavn (UPN)"),
        (f"{KARI}; ola@fjordvik.kommune.no", "flere e-postadresser i samme celle"),
        ("kari@fjordvik", "ugyldig e-postadresse «kari@fjordvik»"),
        ("kari..nordmann@fjordvik.kommune.no", "ugyldig e-postadresse"),
        ("kåre@fjordvik.kommune.no", "ugyldig e-postadresse"),
    ],
)
def test_bad_people_cells(cell: str, message: str) -> None:
    with pytest.raises(InvalidCell) as err:
        parse_person(cell)
    assert err.value.message.startswith(message)


def test_name_from_address() -> None:
    assert name_from_address("ola.nordmann@x.no") == "Ola Nordmann"
    assert name_from_address("ola_nordmann@x.no") == "Ola Nordmann"
    assert name_from_address("123@x.no") == "123@x.no"


# --- options -----------------------------------------------------------------------------------

JAN_1 = date(2025, 1, 1)
END_2026 = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("2+1+1", OptionTerms(24, (12, 12))),
        ("2 + 1 + 1 år", OptionTerms(24, (12, 12))),
        ("1+1", OptionTerms(12, (12,))),
        ("opsjon 1+1 år", OptionTerms(None, (12, 12))),
        ("Opsjoner: 1 + 1", OptionTerms(None, (12, 12))),
        ("2 x 1 år", OptionTerms(None, (12, 12), times=True)),
        ("2x1", OptionTerms(None, (12, 12), times=True)),
        ("opsjon 2x1 år", OptionTerms(None, (12, 12), times=True)),
        ("2 + 2 x 1 år", OptionTerms(24, (12, 12), times=True)),
        ("1 x 2 år", OptionTerms(None, (24,))),
        ("1 år", OptionTerms(None, (12,))),
        ("opsjon 2", OptionTerms(None, (24,))),
        ("inntil 2 år", OptionTerms(None, (24,), up_to=True)),
        ("Opsjon inntil 1+1 år", OptionTerms(None, (12, 12), up_to=True)),
        ("24+12+12 mnd", OptionTerms(24, (12, 12))),
        ("6 måneder", OptionTerms(None, (6,))),
        ("31.12.2027", None),
        ("tja", None),
    ],
)
def test_option_terms(text: str, terms: OptionTerms | None) -> None:
    assert parse_option_terms(text) == terms


# How each options cell is read next to the row's start and end dates: the end date after
# reading, the option end dates, and what the import report says (None: nothing, the reading is
# the only one). `KEPT`: the options are not read; an existing contract keeps its own.
KEPT = None
D = date
READINGS = [
    # (cell, start, end) → end date, options, warning
    ("2+1+1", JAN_1, None, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    ("2+1+1", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    ("2+1+1", None, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    ("24+12+12 mnd", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    # The bug: the first 1 was taken for the base period and one option was lost.
    ("1+1", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    ("1+1+1", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31), D(2029, 12, 31)),
     None),
    ("1+1", JAN_1, D(2025, 12, 31), D(2025, 12, 31), (D(2026, 12, 31),), None),
    ("1+1", JAN_1, None, D(2025, 12, 31), (D(2026, 12, 31),), None),
    ("1+1", None, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)),
     "«1+1» er tvetydig uten startdato: det første tallet kan være avtaleperioden. Lest som "
     "2 opsjoner på 1 år hver etter sluttdato (til 31.12.2027 og 31.12.2028)"),
    ("2+1+1", JAN_1, D(2027, 6, 30), D(2027, 6, 30), (D(2028, 6, 30), D(2029, 6, 30)),
     "«2+1+1» er tvetydig: sluttdato 30.06.2027 er ikke startdato + 2 år, så de første 2 år "
     "kan være avtaleperioden eller en opsjon. Lest som avtaleperiode til sluttdato og "
     "2 opsjoner på 1 år hver (til 30.06.2028 og 30.06.2029)"),
    ("2+1+1", JAN_1, D(2027, 12, 31), D(2027, 12, 31), (D(2028, 12, 31), D(2029, 12, 31)),
     "«2+1+1» er tvetydig: sluttdato 31.12.2027 er ikke startdato + 2 år"),
    ("opsjon 1+1 år", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)), None),
    ("opsjon 1 år", None, END_2026, END_2026, (D(2027, 12, 31),), None),
    ("6 mnd", None, END_2026, END_2026, (D(2027, 6, 30),), None),
    ("opsjon 2x1 år", JAN_1, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)),
     "«opsjon 2x1 år» er lest som 2 opsjoner på 1 år hver (til 31.12.2027 og 31.12.2028); "
     "er det én opsjon på 2 år, skriv «opsjon 2 år»."),
    ("2 x 1 år", None, D(2027, 2, 28), D(2027, 2, 28), (D(2028, 2, 29), D(2029, 2, 28)),
     "«2 x 1 år» er lest som 2 opsjoner på 1 år hver"),
    ("inntil 2 år", JAN_1, END_2026, END_2026, (D(2028, 12, 31),),
     "«inntil 2 år» er lest som én opsjon på 2 år (til 31.12.2028), men sier ikke hvor mange "
     "opsjoner det er."),
    ("opsjon inntil 1+1 år", None, END_2026, END_2026, (D(2027, 12, 31), D(2028, 12, 31)),
     "«opsjon inntil 1+1 år» er lest som 2 opsjoner på 1 år hver (til 31.12.2027 og "
     "31.12.2028), det lengste den tillater"),
    ("1+1", None, None, None, KEPT,
     "opsjonene «1+1» er ikke lagret: uten startdato og sluttdato kan de ikke tidfestes."),
    ("2+1+1", None, None, None, KEPT,
     "opsjonene «2+1+1» er ikke lagret: uten startdato og sluttdato kan de ikke tidfestes."),
    ("opsjon 1+1 år", JAN_1, None, None, KEPT,
     "opsjonene «opsjon 1+1 år» er ikke lagret: de regnes fra sluttdato, som mangler."),
    ("inntil 2 år", None, None, None, KEPT,
     "opsjonene «inntil 2 år» er ikke lagret: de regnes fra sluttdato, som mangler."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "start", "end", "end_after", "options", "warning"), READINGS)
def test_option_readings(
    text: str,
    start: date | None,
    end: date | None,
    end_after: date | None,
    options: tuple[date, ...] | None,
    warning: str | None,
) -> None:
    plan = parse_options(text, start, end)
    assert plan.end_date == end_after
    assert plan.unread is (options is KEPT)
    assert plan.options == (options or ())
    if warning is None:
        assert plan.note is None
    else:
        assert plan.note is not None
        assert plan.note.startswith(warning)


def test_options_as_a_list_of_dates() -> None:
    for text in ("31.12.2027; 31.12.2028", "31.12.2027, 31.12.2028", "31.12.2027 31.12.2028"):
        plan = parse_options(text, JAN_1, END_2026)
        assert plan.options == (date(2027, 12, 31), date(2028, 12, 31)), text
        assert plan.note is None
    assert parse_options("2027-12-31 og 2028-12-31", None, END_2026).options == (
        date(2027, 12, 31),
        date(2028, 12, 31),
    )
    assert parse_options(datetime(2027, 12, 31), None, END_2026).options == (date(2027, 12, 31),)  # noqa: DTZ001 - openpyxl's naive datetimes


@pytest.mark.parametrize("text", ["", "ingen", "Ingen opsjoner", "nei", "-", "0", None])
def test_no_options(text: str | None) -> None:
    assert parse_options(text, JAN_1, END_2026).options == ()
    assert parse_options(text, JAN_1, END_2026).end_date == END_2026
    assert parse_options(text, None, None).note is None


@pytest.mark.parametrize(
    ("text", "start", "end", "message"),
    [
        ("2", JAN_1, END_2026, "«2» er tvetydig"),
        ("31.12.2027; 31.12.2028", JAN_1, None, "opsjonsdatoer uten sluttdato"),
        ("31.12.2026", JAN_1, END_2026, "opsjonsdatoene må komme etter sluttdato (31.12.2026)"),
        ("31.12.2028; 31.12.2027", JAN_1, END_2026, "opsjonsdatoene må komme etter sluttdato"),
        ("31.02.2027", JAN_1, END_2026, "ugyldig dato: 31.02.2027 finnes ikke"),
        ("2 år + 6 mnd", JAN_1, END_2026, "ugyldige opsjoner: bruk enten år eller måneder"),
        ("forleng når det passer", JAN_1, END_2026, "ugyldige opsjoner: skriv for eksempel 2+1+1"),
        ("1+1+1+1+1+1+1+1+1+1+1+1", JAN_1, None, "for mange opsjoner (11)"),
        ("0+1", JAN_1, None, "urimelig lengde på opsjon eller avtaleperiode"),
    ],
)
def test_bad_options_say_why(text: str, start: date | None, end: date | None, message: str) -> None:
    with pytest.raises(InvalidCell) as err:
        parse_options(text, start, end)
    assert err.value.message.startswith(message)


# --- rows ----------------------------------------------------------------------------------------

FULL_HEADERS = [
    "Avtalenr", "Saksnummer", "Tittel", "Avtaletype", "Kategori", "CPV", "Leverandør", "Org.nr",
    "Avtaleeier", "Kontraktsforvalter", "Stedfortreder", "Enhet", "Startdato", "Sluttdato",
    "Opsjoner", "Løpende avtale", "Oppsigelsestid", "Estimert verdi", "Status", "Offentlig",
    "Risikonivå", "Lønns- og arbeidsvilkår", "Lærlinger", "HMS-kort", "Leverandørkjede",
]  # fmt: skip
FULL = ColumnMap.from_headers(FULL_HEADERS)


def good_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "Avtalenr": "FK-2024-001",
        "Saksnummer": "24/01873",
        "Tittel": "Renhold av skolebygg",
        "Avtaletype": "Enkeltkontrakt",
        "Kategori": "Tjenester",
        "CPV": "90919300-5",
        "Leverandør": "Fjordvik Renhold AS",
        "Org.nr": "NO 915 473 822 MVA",
        "Avtaleeier": "Marit Solheim <marit.solheim@fjordvik.kommune.no>",
        "Kontraktsforvalter": "tone.brekke@fjordvik.kommune.no",
        "Stedfortreder": "",
        "Enhet": "Eiendom",
        "Startdato": "01.08.2024",
        "Sluttdato": "",
        "Opsjoner": "2+1+1",
        "Løpende avtale": "Nei",
        "Oppsigelsestid": "3 måneder",
        "Estimert verdi": "kr 14 600 000,-",
        "Status": "Aktiv",
        "Offentlig": "Ja",
        "Risikonivå": "Høy",
        "Lønns- og arbeidsvilkår": "Ja",
        "Lærlinger": "X",
        "HMS-kort": "J",
        "Leverandørkjede": "",
    }
    row.update(changes)
    return row


def test_a_full_row() -> None:
    record = parse_row(2, good_row(), FULL)
    assert isinstance(record, ContractRecord)
    assert record.reference == "FK-2024-001"
    assert record.case_number == "24/01873"
    assert record.title == "Renhold av skolebygg"
    assert record.contract_type is ContractType.SINGLE
    assert record.category is Category.SERVICES
    assert record.cpv_code == "90919300-5"
    assert record.supplier_name == "Fjordvik Renhold AS"
    assert record.supplier_organisation_number == "915473822"
    assert record.owner == PersonCell("marit.solheim@fjordvik.kommune.no", "Marit Solheim")
    assert record.manager == PersonCell("tone.brekke@fjordvik.kommune.no", "Tone Brekke")
    assert record.deputy is None
    assert record.unit == "Eiendom"
    assert record.start_date == date(2024, 8, 1)
    assert record.end_date == date(2026, 7, 31)
    assert record.options == (date(2027, 7, 31), date(2028, 7, 31))
    assert record.ongoing is False
    assert record.notice_months == 3
    assert record.value_nok == 14_600_000
    assert record.status is ContractStatus.ACTIVE
    assert record.public is True
    assert record.risk is RiskLevel.HIGH
    assert (record.pay_and_conditions, record.apprentices, record.hms_card) == (True, True, True)
    assert record.supply_chain is False
    assert "deputy_id" in record.given
    assert "end_date" in record.given


def test_every_problem_of_a_row_is_reported_not_only_the_first() -> None:
    result = parse_row(
        7,
        good_row(
            **{
                "Org.nr": "915 473 823",
                "Startdato": "31.02.2026",
                "Avtaletype": "Leieavtale",
                "Estimert verdi": "-5",
                "Avtaleeier": "",
                "Offentlig": "kanskje",
            }
        ),
        FULL,
    )
    assert isinstance(result, list)
    assert {(p.row, p.column) for p in result} == {
        (7, "Org.nr"),
        (7, "Startdato"),
        (7, "Avtaletype"),
        (7, "Estimert verdi"),
        (7, "Avtaleeier"),
        (7, "Offentlig"),
    }
    by_column = {p.column: p for p in result}
    assert by_column["Org.nr"].value == "915 473 823"
    assert "Kontrollsifferet stemmer ikke" in by_column["Org.nr"].message
    assert by_column["Avtaleeier"].message == "mangler avtaleeier: skriv avtaleeierens e-post"


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"Avtalenr": ""}, "Avtalenr", "mangler avtalenummer"),
        ({"Avtalenr": "X" * 65}, "Avtalenr", "for lang: høyst 64 tegn (her 65)"),
        ({"Tittel": "  "}, "Tittel", "mangler tittel"),
        ({"Tittel": "T" * 501}, "Tittel", "for lang: høyst 500 tegn"),
        ({"Org.nr": ""}, "Org.nr", "mangler organisasjonsnummer for leverandøren"),
        ({"Org.nr": "12345"}, "Org.nr", "Organisasjonsnummeret må ha 9 siffer"),
        ({"Org.nr": "abc"}, "Org.nr", "«abc» er ikke et organisasjonsnummer"),
        (
            {"Sluttdato": "01.01.2024"},
            "Sluttdato",
            "sluttdato 01.01.2024 er før startdato 01.08.2024",
        ),
        ({"Kategori": "IT"}, "Kategori", "ukjent kategori «IT»"),
        ({"CPV": "4500"}, "CPV", "ugyldig CPV-kode"),
        ({"Kontraktsforvalter": "Tone Brekke"}, "Kontraktsforvalter", "mangler e-postadresse"),
        ({"Stedfortreder": "x@y"}, "Stedfortreder", "ugyldig e-postadresse «x@y»"),
        ({"Opsjoner": "2"}, "Opsjoner", "«2» er tvetydig"),
        ({"Oppsigelsestid": "90 dager"}, "Oppsigelsestid", "ugyldig oppsigelsestid"),
        ({"Risikonivå": "kritisk"}, "Risikonivå", "ukjent risikonivå"),
        ({"Status": "pause"}, "Status", "ukjent status"),
        ({"Løpende avtale": "kanskje"}, "Løpende avtale", "ugyldig ja/nei-verdi"),
        ({"HMS-kort": "?"}, "HMS-kort", "ugyldig ja/nei-verdi"),
        ({"Enhet": "E" * 201}, "Enhet", "for lang: høyst 200 tegn"),
        ({"Saksnummer": "S" * 65}, "Saksnummer", "for lang: høyst 64 tegn"),
        ({"Leverandør": "L" * 301}, "Leverandør", "for lang: høyst 300 tegn"),
        (
            {"Tittel": "T" * (MAX_CELL_CHARS + 1)},
            "Tittel",
            f"teksten er for lang ({MAX_CELL_CHARS + 1} tegn; høyst 2000)",
        ),
    ],
)
def test_each_problem_names_row_column_value_and_what_is_wrong(
    changes: dict[str, object], column: str, message: str
) -> None:
    result = parse_row(12, good_row(**changes), FULL)
    assert isinstance(result, list), result
    assert len(result) == 1, result
    problem = result[0]
    assert (problem.row, problem.column) == (12, column)
    assert problem.message.startswith(message), problem.message


def test_the_problem_keeps_the_header_as_written() -> None:
    columns = ColumnMap.from_headers(["AVTALENR.", "Tittel", "Org. nr", "Avtaleeier"])
    result = parse_row(
        3, {"AVTALENR.": "A-1", "Tittel": "T", "Org. nr": "1", "Avtaleeier": KARI}, columns
    )
    assert isinstance(result, list)
    assert result[0].column == "Org. nr"
    assert result[0].value == "1"


def test_values_beyond_the_header_and_unreadable_rows_are_problems() -> None:
    result = parse_row(5, {**good_row(), EXTRA_CELLS_KEY: 2}, FULL)
    assert result == [RowProblem(5, "", "", "raden har verdier i 2 kolonne(r) uten overskrift")]
    broken = parse_row(6, {ROW_ERROR_KEY: "raden kan ikke leses"}, FULL)
    assert broken == [RowProblem(6, "", "", "raden kan ikke leses")]


def test_excel_typed_cells() -> None:
    record = parse_row(
        2,
        good_row(
            **{
                "Org.nr": 915473822,
                "Startdato": datetime(2024, 8, 1),  # noqa: DTZ001 - openpyxl's naive datetimes
                "Sluttdato": datetime(2026, 7, 31),  # noqa: DTZ001 - openpyxl's naive datetimes
                "Estimert verdi": 14600000.0,
                "Oppsigelsestid": 3,
                "Løpende avtale": False,
                "HMS-kort": True,
                "CPV": 90919300,
            }
        ),
        FULL,
    )
    assert isinstance(record, ContractRecord)
    assert record.supplier_organisation_number == "915473822"
    assert record.end_date == date(2026, 7, 31)
    assert record.value_nok == 14_600_000
    assert record.cpv_code == "90919300"


def test_a_missing_category_is_inferred_from_the_cpv_code_but_not_given() -> None:
    record = parse_row(2, good_row(Kategori="", CPV="45310000-3"), FULL)
    assert isinstance(record, ContractRecord)
    assert record.category is Category.BUILDING
    assert "category" not in record.given
    record = parse_row(2, good_row(Kategori="", CPV=""), FULL)
    assert isinstance(record, ContractRecord)
    assert record.category is None


def test_empty_cells_keep_type_category_risk_and_status_but_clear_the_rest() -> None:
    record = parse_row(
        2,
        good_row(
            Avtaletype="", Kategori="", CPV="", Risikonivå="", Status="", Opsjoner="",
            Kontraktsforvalter="", Oppsigelsestid="", Offentlig="", Lærlinger=""
        ),
        FULL,
    )  # fmt: skip
    assert isinstance(record, ContractRecord)
    assert not {"contract_type", "category", "risk", "status"} & record.given
    assert {"manager_id", "notice_months", "cpv_code", "options", "public"} <= record.given
    assert record.manager is None
    assert record.notice_months is None
    assert record.options == ()
    assert record.public is True  # public unless it says no
    assert record.apprentices is False


def test_columns_not_in_the_file_are_not_given() -> None:
    columns = ColumnMap.from_headers(HEADERS)
    record = parse_row(
        2,
        {
            "Avtalenr": "A-1",
            "Tittel": "Renhold",
            "Org.nr": "974600951",
            "Leverandør": "Bergen kommune",
            "Avtaleeier": KARI,
        },
        columns,
    )
    assert isinstance(record, ContractRecord)
    assert record.given == {"reference", "title", "supplier_id", "owner_id"}


def test_options_give_the_end_date_when_the_end_date_column_is_missing() -> None:
    columns = ColumnMap.from_headers([*HEADERS, "Startdato", "Opsjoner"])
    record = parse_row(
        2,
        {
            "Avtalenr": "A-1",
            "Tittel": "Renhold",
            "Org.nr": "974600951",
            "Avtaleeier": KARI,
            "Startdato": "01.01.2025",
            "Opsjoner": "2+1+1",
        },
        columns,
    )
    assert isinstance(record, ContractRecord)
    assert record.end_date == END_2026
    assert "end_date" in record.given


def test_an_ambiguous_options_cell_is_imported_with_a_warning() -> None:
    record = parse_row(
        4, good_row(Startdato="01.01.2025", Sluttdato="30.06.2027", Opsjoner="2+1+1"), FULL
    )
    assert isinstance(record, ContractRecord)
    assert record.options == (date(2028, 6, 30), date(2029, 6, 30))
    assert "options" in record.given
    [warning] = record.warnings
    assert (warning.row, warning.column, warning.value) == (4, "Opsjoner", "2+1+1")
    assert warning.message.startswith("«2+1+1» er tvetydig: sluttdato 30.06.2027")


def test_options_that_cannot_be_dated_leave_the_contracts_options_alone() -> None:
    record = parse_row(5, good_row(Startdato="", Sluttdato="", Opsjoner="1+1"), FULL)
    assert isinstance(record, ContractRecord)
    assert "options" not in record.given
    assert "start_date" in record.given
    assert record.options == ()
    [warning] = record.warnings
    assert warning.message.startswith("opsjonene «1+1» er ikke lagret")


@pytest.mark.parametrize("case_number", ["2025/", "abc", "2025/0", "0/12"])
def test_a_case_number_the_archive_cannot_use_is_imported_with_a_warning(
    case_number: str,
) -> None:
    record = parse_row(6, good_row(Saksnummer=case_number), FULL)
    assert isinstance(record, ContractRecord)
    assert record.case_number == case_number  # kept as written
    [warning] = record.warnings
    assert (warning.row, warning.column, warning.value) == (6, "Saksnummer", case_number)
    assert warning.message.startswith("saksnummeret kan ikke leses")
    assert "arkivet får en ny sak" in warning.message


@pytest.mark.parametrize("case_number", ["24/01873", "2025/1234", "2025-1234", ""])
def test_a_usable_case_number_gives_no_warning(case_number: str) -> None:
    record = parse_row(2, good_row(Saksnummer=case_number), FULL)
    assert isinstance(record, ContractRecord)
    assert record.warnings == ()


def test_text_is_stored_composed_whatever_form_it_was_written_in() -> None:
    """«Å» written as «A» + a combining ring (NFD) is stored as the one letter «Å» (NFC), so
    that it shows, compares and is searched (the public register) as typed on a keyboard."""
    decomposed = unicodedata.normalize("NFD", "Åpen barnehage – søppelhåndtering")
    record = parse_row(2, good_row(Tittel=decomposed), FULL)
    assert isinstance(record, ContractRecord)
    assert record.title == "Åpen barnehage – søppelhåndtering"
    assert cell_text(decomposed) == unicodedata.normalize("NFC", decomposed)


def test_a_clear_options_cell_gives_no_warning() -> None:
    record = parse_row(2, good_row(Startdato="01.01.2025", Sluttdato="31.12.2026"), FULL)
    assert isinstance(record, ContractRecord)
    assert record.warnings == ()
    fixed = parse_row(
        3, good_row(Startdato="01.01.2025", Sluttdato="31.12.2026", Opsjoner="1+1"), FULL
    )
    assert isinstance(fixed, ContractRecord)
    assert fixed.options == (date(2027, 12, 31), date(2028, 12, 31))
    assert fixed.warnings == ()


def test_the_same_reference_twice_fails_the_later_row() -> None:
    parser = RegisterParser(FULL)
    assert isinstance(parser.parse(2, good_row()), ContractRecord)
    assert isinstance(parser.parse(3, good_row(Avtalenr="FK-2024-002")), ContractRecord)
    again = parser.parse(9, good_row(Avtalenr="fk-2024-001"))
    assert again == [
        RowProblem(9, "Avtalenr", "fk-2024-001", "avtalenr fk-2024-001 står også på rad 2")
    ]
    # A failing row with a duplicate reference gets both problems.
    both = parser.parse(10, good_row(Startdato="31.02.2026"))
    assert isinstance(both, list)
    assert [p.column for p in both] == ["Avtalenr", "Startdato"]


# --- records between processes ---------------------------------------------------------------


def test_a_record_crosses_processes_whole() -> None:
    """A large file is parsed in a child process: its records are pickled by value (a tuple of
    their fields) and come back equal, field for field, with the same types."""
    record = parse_row(
        4,
        good_row(
            Startdato="01.01.2025",
            Sluttdato="30.06.2027",
            Opsjoner="2+1+1",
            Stedfortreder="Nordmann, Kari (kari.nordmann@fjordvik.kommune.no)",
        ),
        FULL,
    )
    assert isinstance(record, ContractRecord)
    assert record.warnings
    assert record.deputy is not None
    assert record.manager is not None
    back = pickle.loads(pickle.dumps(record))  # noqa: S301 - our own bytes
    assert type(back) is ContractRecord
    assert back == record
    for name in (f.name for f in dataclasses.fields(ContractRecord)):
        assert type(getattr(back, name)) is type(getattr(record, name)), name
    assert back.contract_type is ContractType.SINGLE
    assert back.deputy == PersonCell("kari.nordmann@fjordvik.kommune.no", "Kari Nordmann")
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.title = "endret"  # type: ignore[misc]


def test_rows_of_a_file_share_their_given_fields() -> None:
    first, second = parse_row(2, good_row(), FULL), parse_row(3, good_row(Avtalenr="B-2"), FULL)
    assert isinstance(first, ContractRecord)
    assert isinstance(second, ContractRecord)
    assert first.given is second.given  # one object: less memory, pickled once per batch
    other, again = (parse_row(n, good_row(Avtalenr=f"C-{n}", Kategori=""), FULL) for n in (4, 5))
    assert isinstance(other, ContractRecord)
    assert isinstance(again, ContractRecord)
    assert other.given == first.given - {"category"}
    assert other.given is again.given
