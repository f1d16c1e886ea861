"""The purchase analysis on the command line, end to end: `kontraktsvakt import prisliste|
statistikk|regnskap`, `kontraktsvakt analyse` and `kontraktsvakt lekkasje` through
`bot.cli.main.main`, on files written in tmp_path, against a migrated SQLite and PostgreSQL
database (DATABASE_URL).

The agreement: RA-2026-010 *Rør og rørdeler*, a framework agreement with Rørleverandøren AS
(org.nr S), Maksverdi 100 000, Kontoer «1250, 1300-1309». Price list: A100 100,00 (core), B200
25,50 (core), C300 1 000,00 (not core). The first quarter's statistics come as a supplier's
export: Windows-1252, semicolons, a title above the header, Norwegian numbers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.analysis import EXIT_ERROR, EXIT_OK, EXIT_ROWS_FAILED
from bot.cli.main import main
from followup.models import ContractType
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AGREEMENT = "RA-2026-010"
SUPPLIER_ORG = organisation_number(1)
KONGEN_ORG = organisation_number(2)
COUNTED = ("analysis_imports", "price_list_lines", "statistics_lines", "ledger_lines")

PRICE_LIST = (
    "Varenummer;Varetekst;Enhet;Avtalt pris;Kjernesortiment\n"
    "A100;Rør PP 110 mm;m;100,00;J\n"
    "B200;Bend 45°;stk;25,50;J\n"
    "C300;Kum 400 mm;stk;1 000,00;N\n"
)
STATISTICS_TITLE = (
    "Salgsstatistikk Rørleverandøren AS;;;;;;;;\nAvtale RA-2026-010;;;;;;;;\n;;;;;;;;\n"
)
STATISTICS_HEADER = (
    "Periode fra;Periode til;Kunde;Varenr.;Varetekst;Enhet;Antall;Enhetspris (NOK);Beløp eks. mva\n"
)
STATISTICS_ROWS = [
    "01.01.2026;31.03.2026;Fjordvik skole;A100;Rør PP 110 mm;m;100;100,00;10 000,00",
    "01.01.2026;31.03.2026;Fjordvik sykehjem;A100;Rør PP 110 mm;m;50;102,00;kr 5 100,00",
    "01.01.2026;31.03.2026;Teknisk drift;B200;Bend 45°;stk;40;25,50;1.020,00",
    "01.01.2026;31.03.2026;Teknisk drift;C300;Kum 400 mm;stk;2;1 000,-;2 000,-",
    "01.01.2026;31.03.2026;Teknisk drift;X999;Spade;stk;10;300,00;3 000,00",
    "01.01.2026;31.03.2026;Fjordvik sykehjem;A100;Rør PP 110 mm;m;-10;102,00;-1 020,00",
    "01.01.2026;31.03.2026;Fjordvik skole;B200;Bend 45°;stk;10;25,50;{last}",
]
BAD_AMOUNT = "2.550"  # 2 550 or 2,55? Refused as ambiguous, in row 11 of the file
GOOD_AMOUNT = "255,00"
LEDGER = (
    "Bilagsdato;Org.nr;Leverandør;Beløp eks. mva;Konto;Ansvar\n"
    f"15.01.2026;{SUPPLIER_ORG};Rørleverandøren AS;9 000,00;1250;3100\n"
    f"20.02.2026;{SUPPLIER_ORG};Rørleverandøren AS;-1 000,00;1250;3100\n"
    f"10.03.2026;NO {KONGEN_ORG} MVA;Rørkongen AS;2 000,00;1301 Rørdeler;\n"
    f"10.03.2026;{KONGEN_ORG};Rørkongen AS;50 000,00;6500;\n"
    f"02.04.2026;{KONGEN_ORG};Rørkongen AS;7 000,00;1250;\n"
)

# The first quarter by hand:
# turnover 10 000 + 5 100 + 1 020 + 2 000 + 3 000 − 1 020 + 255 = 20 355,00
# core (A100, B200) 10 000 + 5 100 + 1 020 − 1 020 + 255 = 15 355,00: 0,75436… → 0,7544
# off the list (X999) 3 000,00: 0,14738… → 0,1474
# A100 at 102,00 > 100,50: +2 × 50 and +2 × −10: 2 lines, overcharge 100 − 20 = 80,00
# ceiling 100 000: used 20 355 → 0,20355 → 0,2036 (half up); 79 645 left at 20 355 per 90
# days: ⌈352,15⌉ = 353 days after 31.03.2026 = 19.03.2027
# loyalty on 1250 and 1300–1309, January to March: 9 000 − 1 000 (S) + 2 000 (Rørkongen) =
# 10 000, of which 8 000 with S: 0,8, not below 80 %: no leakage_high (6500 and April are out)
EXPECTED_Q1 = {
    "reference": AGREEMENT,
    "title": "Rør og rørdeler",
    "from": "2026-01-01",
    "to": "2026-03-31",
    "lines": 7,
    "turnover_nok": 20355.0,
    "core_turnover_nok": 15355.0,
    "off_list_turnover_nok": 3000.0,
    "core_share": 0.7544,
    "off_list_share": 0.1474,
    "price_deviation_lines": 2,
    "overcharge_nok": 80.0,
    "lines_without_price": {"lines": 1, "amount_nok": 3000.0},
    "lines_unchecked": {"lines": 0, "amount_nok": 0.0},
    "turnover_before_nok": 0.0,
    "ceiling_nok": 100000.0,
    "ceiling_source": "maksverdi",
    "ceiling_used_nok": 20355.0,
    "ceiling_used": 0.2036,
    "ceiling_reached_on": "2027-03-19",
    "loyalty": 0.8,
    "flags": ["price_deviation"],
}


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated for the module (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("analysis") / "template.db"
    upgrade_database(f"sqlite:///{path.as_posix()}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated template (overrides tests/conftest.py's, which migrates
    each test's database from scratch): a real, empty, migrated SQLite database."""
    target = tmp_path / "kv.db"
    with (
        closing(sqlite3.connect(sqlite_template)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{target.as_posix()}"


@pytest.fixture
def database(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The register in a migrated database the CLI is pointed at (DATABASE_URL, DATA_DIR)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    engine = create_db_engine(db_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    with factory() as uow:
        owner = add_person(uow, "Kari Nordmann", NOW)
        supplier = add_supplier(uow, "Rørleverandøren AS", seed=1)
        add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=supplier,
            reference=AGREEMENT,
            title="Rør og rørdeler",
            contract_type=ContractType.FRAMEWORK,
            start_date=date(2026, 1, 1),
            value_nok=80_000,
            maximum_value_nok=100_000,
            ledger_accounts="1250, 1300-1309",
        )
        uow.commit()
    engine.dispose()
    return db_url


def counts(url: str) -> dict[str, int]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
                for t in COUNTED
            }
    finally:
        engine.dispose()


def statistics_file(tmp_path: Path, last_amount: str, name: str = "statistikk.csv") -> Path:
    path = tmp_path / name
    rows = "\n".join(STATISTICS_ROWS).replace("{last}", last_amount)
    path.write_bytes((STATISTICS_TITLE + STATISTICS_HEADER + rows + "\n").encode("cp1252"))
    return path


def write(tmp_path: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return path


def cli(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def load_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prices = write(tmp_path, "prisliste.csv", PRICE_LIST, "utf-8-sig")
    assert cli(["import", "prisliste", str(prices), "--avtale", AGREEMENT], capsys)[0] == EXIT_OK
    statistics = statistics_file(tmp_path, GOOD_AMOUNT)
    assert cli(["import", "statistikk", str(statistics), "--avtale", AGREEMENT], capsys)[0] == 0
    ledger = write(tmp_path, "regnskap.csv", LEDGER)
    assert cli(["import", "regnskap", str(ledger)], capsys)[0] == EXIT_OK


# --- importing ---------------------------------------------------------------------------------


def test_a_messy_statistics_file_with_one_bad_row_stores_nothing_then_the_fixed_one_goes_in(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statistics = statistics_file(tmp_path, BAD_AMOUNT)
    assert statistics.read_bytes().count("ø".encode("cp1252")) > 0  # really Windows-1252
    code, out, err = cli(["import", "statistikk", str(statistics), "--avtale", AGREEMENT], capsys)
    assert (code, err) == (EXIT_ROWS_FAILED, "")
    lines = out.splitlines()
    assert lines[0] == "Leser salgsstatistikk fra «statistikk.csv» (overskrift på rad 4)."
    assert lines[1] == "Lest 7 rader: 6 gode, 1 med feil."
    assert "Feil (1 rad):" in lines
    (problem,) = [line for line in lines if line.startswith("  rad ")]
    assert problem.startswith(
        "  rad 11, Beløp eks. mva «2.550»: «2.550» kan leses både som 2 550 og som 2,55"
    )
    assert lines[-1] == (
        "Ingenting er lagret: rett feilene i filen og importer den på nytt (det som var lagret "
        "fra før, er uendret)."
    )
    assert counts(database) == dict.fromkeys(COUNTED, 0)
    # A dry run of the bad file says the same, and exits 1 too.
    code, out, _ = cli(
        ["import", "statistikk", str(statistics), "--avtale", AGREEMENT, "--dry-run"], capsys
    )
    assert code == EXIT_ROWS_FAILED
    assert out.splitlines()[-1] == "Tørrkjøring: ingenting er lagret."
    assert counts(database) == dict.fromkeys(COUNTED, 0)

    fixed = statistics_file(tmp_path, GOOD_AMOUNT, "statistikk_rettet.csv")
    code, out, _ = cli(
        ["import", "statistikk", str(fixed), "--avtale", AGREEMENT, "--dry-run"], capsys
    )
    assert code == EXIT_OK
    assert out.splitlines()[-1] == "Tørrkjøring: ingenting er lagret."
    assert "Perioder: 01.01.2026–31.03.2026." in out.splitlines()
    assert counts(database) == dict.fromkeys(COUNTED, 0)

    code, out, _ = cli(["import", "statistikk", str(fixed), "--avtale", AGREEMENT], capsys)
    assert code == EXIT_OK
    assert out.splitlines()[-1] == (
        f"Lagret 7 linjer for {AGREEMENT}; 0 tidligere linjer ble erstattet."
    )
    assert counts(database)["statistics_lines"] == 7
    # The same file again replaces the quarter.
    code, out, _ = cli(["import", "statistikk", str(fixed), "--avtale", AGREEMENT], capsys)
    assert code == EXIT_OK
    assert out.splitlines()[-1] == (
        f"Lagret 7 linjer for {AGREEMENT}; 7 tidligere linjer ble erstattet."
    )
    assert counts(database) == {
        "analysis_imports": 2,
        "price_list_lines": 0,
        "statistics_lines": 7,
        "ledger_lines": 0,
    }
    # A bad file now leaves the stored quarter as it was.
    code, _, _ = cli(["import", "statistikk", str(statistics), "--avtale", AGREEMENT], capsys)
    assert code == EXIT_ROWS_FAILED
    assert counts(database)["statistics_lines"] == 7


def test_files_that_cannot_be_imported_exit_2_in_norwegian(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statistics = statistics_file(tmp_path, GOOD_AMOUNT)
    code, _, err = cli(
        ["import", "statistikk", str(statistics), "--avtale", "RA-FINNES-IKKE"], capsys
    )
    assert code == EXIT_ERROR
    assert err.strip() == "Fant ingen avtale med avtalenummer «RA-FINNES-IKKE»."
    # Missing column: a price list without Kjernesortiment.
    prices = write(tmp_path, "priser.csv", "Varenummer;Varetekst;Avtalt pris\nA1;Vare;1,00\n")
    code, _, err = cli(["import", "prisliste", str(prices), "--avtale", AGREEMENT], capsys)
    assert code == EXIT_ERROR
    assert err.splitlines() == [
        "Kan ikke importere «priser.csv»:",
        "Kolonnen «Kjernesortiment» mangler. Prislisten må si hvilke varer som er "
        "kjernesortiment (J/N eller X).",
    ]
    # Not an analysis file at all, and no file at all.
    other = write(tmp_path, "notater.csv", "Hei;og;hå\n1;2;3\n")
    code, _, err = cli(["import", "regnskap", str(other)], capsys)
    assert code == EXIT_ERROR
    assert err.startswith(
        "Kan ikke importere «notater.csv»:\nFant ingen rad med kolonneoverskrifter"
    )
    code, _, err = cli(["import", "regnskap", str(tmp_path / "borte.csv")], capsys)
    assert code == EXIT_ERROR
    assert err.startswith("Kan ikke importere «borte.csv»:")
    assert "Traceback" not in err
    assert counts(database) == dict.fromkeys(COUNTED, 0)


# --- analyse -------------------------------------------------------------------------------------


def test_analyse_json_is_the_hand_calculation(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_everything(tmp_path, capsys)
    code, out, err = cli(
        ["analyse", AGREEMENT, "--fra", "01.01.2026", "--til", "31.03.2026", "--json"], capsys
    )
    assert (code, err) == (EXIT_OK, "")
    assert out.count("\n") == 1  # one JSON object on one line
    result = json.loads(out)
    deviations = result.pop("price_deviations")
    assert result == EXPECTED_Q1
    assert [
        (d["article"], d["invoiced_price_nok"], d["agreed_price_nok"], d["quantity"],
         d["overcharge_nok"], d["lines"])
        for d in deviations
    ] == [("A100", 102.0, 100.0, 40.0, 80.0, 2)]  # fmt: skip
    # The same quarter named as a period, in ISO dates, and without a period (the latest).
    for args in (
        ["--periode", "1. kvartal 2026"],
        ["--fra", "2026-01-01", "--til", "2026-03-31"],
        [],
    ):
        code, out, _ = cli(["analyse", AGREEMENT, *args, "--json"], capsys)
        assert code == EXIT_OK
        again = json.loads(out)
        again.pop("price_deviations")
        assert again == EXPECTED_Q1, args


def test_analyse_prints_a_norwegian_report(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_everything(tmp_path, capsys)
    code, out, err = cli(["analyse", AGREEMENT, "--periode", "2026-Q1"], capsys)
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("Analyse av RA-2026-010 Rør og rørdeler, 01.01.2026–31.03.2026\n")
    assert "Funn: prisavvik" in out
    assert "{" not in out  # no placeholder or JSON left over
    for word in ("Omsetning", "Kjernesortiment", "Utenfor prislisten", "Prisavvik", "Rammen"):
        assert word in out, word


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--fra", "31.02.2026"],
            "kontraktsvakt: --fra: ugyldig dato: 31.02.2026 finnes ikke i kalenderen",
            id="no-such-day",
        ),
        pytest.param(
            ["--fra", "forrige mandag", "--til", "31.03.2026"],
            "kontraktsvakt: --fra: ugyldig dato: skriv dd.mm.åååå, for eksempel 31.12.2026",
            id="words",
        ),
        pytest.param(
            ["--periode", "5. kvartal 2026"],
            "kontraktsvakt: ugyldig periode: et år har 4 kvartaler (skriv for eksempel "
            "«1. kvartal 2026», «Q1 2026», «2026-Q1», «T1 2026» (tertial), «1. halvår 2026», "
            "«H1 2026», «januar 2026», «jan 2026», «2026-01», «01.2026», «2026» eller "
            "«01.01.2026–31.03.2026»)",
            id="no-such-quarter",
        ),
        pytest.param(
            ["--til", "2026-13-01"],
            "kontraktsvakt: --til: ugyldig dato: 2026-13-01 finnes ikke i kalenderen",
            id="no-such-month",
        ),
    ],
)
def test_unreadable_dates_exit_2_in_norwegian(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    # Read before the database is opened: nothing needs to be stored.
    for command in (["analyse", AGREEMENT], ["lekkasje"]):
        code, out, err = cli([*command, *args, "--json"], capsys)
        assert (code, out) == (EXIT_ERROR, "")
        assert err.strip() == message


def test_unknown_agreements_and_backward_periods_exit_2(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["analyse", AGREEMENT, "--json"], capsys)
    assert (code, out) == (EXIT_ERROR, "")
    assert err.startswith(f"Avtale {AGREEMENT} har ingen salgsstatistikk ennå.")
    load_everything(tmp_path, capsys)
    code, out, err = cli(["analyse", "RA-FINNES-IKKE", "--json"], capsys)
    assert (code, out) == (EXIT_ERROR, "")
    assert err.strip() == "Fant ingen avtale med avtalenummer «RA-FINNES-IKKE»."
    code, out, err = cli(
        ["analyse", AGREEMENT, "--fra", "31.03.2026", "--til", "01.01.2026", "--json"], capsys
    )
    assert (code, out) == (EXIT_ERROR, "")
    assert err.strip() == "Perioden slutter før den begynner."
    code, out, err = cli(["lekkasje", "--fra", "31.03.2026", "--til", "01.01.2026"], capsys)
    assert (code, out) == (EXIT_ERROR, "")
    assert err.strip() == "Perioden slutter før den begynner."


# --- lekkasje ------------------------------------------------------------------------------------


def test_lekkasje_json_has_the_issue_shape_and_the_hand_calculation(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_everything(tmp_path, capsys)
    code, out, err = cli(
        ["lekkasje", "--fra", "01.01.2026", "--til", "31.03.2026", "--json"], capsys
    )
    assert (code, err) == (EXIT_OK, "")
    result = json.loads(out)
    assert list(result) == ["groups"]
    (group,) = result["groups"]
    assert {
        "reference", "accounts", "spend_nok", "agreement_spend_nok", "loyalty", "leakage_nok",
        "top_suppliers",
    } <= set(group)  # fmt: skip
    for supplier in group["top_suppliers"]:
        assert set(supplier) == {"org_nr", "name", "spend_nok"}
    # 1250 and 1300–1309 from January to March: S 9 000 − 1 000; Rørkongen 2 000 on 1301
    # (its 50 000 on 6500 and 7 000 in April are outside).
    assert {k: group[k] for k in (
        "reference", "accounts", "spend_nok", "agreement_spend_nok", "loyalty", "leakage_nok",
        "leakage_high", "top_suppliers",
    )} == {
        "reference": AGREEMENT,
        "accounts": "1250, 1300–1309",
        "spend_nok": 10000.0,
        "agreement_spend_nok": 8000.0,
        "loyalty": 0.8,
        "leakage_nok": 2000.0,
        "leakage_high": False,  # 0,8 is not below 80 %
        "top_suppliers": [{"org_nr": KONGEN_ORG, "name": "Rørkongen AS", "spend_nok": 2000.0}],
    }  # fmt: skip
    # April alone: 7 000 with Rørkongen on 1250, nothing with S.
    code, out, _ = cli(["lekkasje", "--periode", "april 2026", "--json"], capsys)
    (april,) = json.loads(out)["groups"]
    assert (april["spend_nok"], april["agreement_spend_nok"], april["loyalty"]) == (
        7000.0,
        0.0,
        0.0,
    )
    assert april["leakage_high"] is True
    # Without --json: a Norwegian report.
    code, out, err = cli(["lekkasje", "--fra", "01.01.2026", "--til", "31.03.2026"], capsys)
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("Avtalelekkasje 01.01.2026–31.03.2026")
    assert "Rørkongen AS" in out
