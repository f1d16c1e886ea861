"""Reading register files: CSV in the encodings and delimiters Norwegian Excel writes, .xlsx."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from followup.register.reading import EXTRA_CELLS_KEY
from storage.register_files import (
    BACKGROUND_MIN_BYTES,
    MAX_COLUMNS,
    FileKind,
    RegisterFileError,
    open_register_file,
    parse_register,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "kontraktsregister_eksempel.csv"

HEADER = ["Avtalenr", "Tittel", "Leverandør", "Org.nr", "Avtaleeier", "Estimert verdi"]
ROWS = [
    ["FK-1", "Renhold rådhuset", "Fjordvik Renhold AS", "915 473 822", "kari@f.no", "1 250 000,50"],
    ["FK-2", "Skoleskyss – Sjøvika", "Sjøvika Transport AS", "918726349", "ola@f.no", "450 000"],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str, encoding: str) -> Path:
    lines = [delimiter.join(row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ";"),
        ("utf-8-sig", ";"),
        ("utf-8-sig", ","),
        ("utf-8", "\t"),
        ("cp1252", ";"),
        ("cp1252", "\t"),
        ("cp1252", ","),
        ("utf-16", "\t"),  # Excel's "Unicode text"
    ],
)
def test_csv_in_every_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    rows = [[cell.replace(",", "") if delimiter == "," else cell for cell in r] for r in ROWS]
    path = write_csv(
        tmp_path / "register.csv", [HEADER, *rows], delimiter=delimiter, encoding=encoding
    )
    register = open_register_file(path)
    assert register.kind is FileKind.CSV
    assert register.delimiter == delimiter
    assert register.header_row == 1
    assert register.headers == tuple(HEADER)
    read = list(register.rows())
    assert [number for number, _ in read] == [2, 3]
    first = read[0][1]
    assert first["Tittel"] == "Renhold rådhuset"
    assert first["Leverandør"] == "Fjordvik Renhold AS"
    assert read[1][1]["Tittel"] == "Skoleskyss – Sjøvika"


def test_csv_that_is_not_cp1252_falls_back_to_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    # 0x81 is undefined in cp1252; the rest is Latin-1 "ø".
    path.write_bytes(b"Avtalenr;Tittel;Org.nr;Avtaleeier\nFK-1;Fl\xf8te\x81;974600951;k@f.no\n")
    register = open_register_file(path)
    assert register.encoding == "latin-1"
    [(number, cells)] = list(register.rows())
    assert number == 2
    assert str(cells["Tittel"]).startswith("Fløte")


def test_title_rows_and_empty_rows_are_skipped_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "Kontraktsregister Fjordvik kommune;;;\n"
        "Eksportert 20.11.2026;;;\n"
        ";;;\n"
        "Avtalenr;Tittel;Org.nr;Avtaleeier\n"
        "FK-1;Renhold;974600951;kari@f.no\n"
        ";;;\n"
        "\n"
        'FK-2;"Brøyting\nsone 3";974600951;kari@f.no\n'
        "FK-3;Vask;974600951;kari@f.no\n",
        encoding="utf-8",
    )
    register = open_register_file(path)
    assert register.header_row == 4
    assert register.describe() == "overskrift på rad 4"
    read = list(register.rows())
    assert [n for n, _ in read] == [5, 8, 9]  # a quoted line break stays in one row, as in Excel
    assert read[1][1]["Tittel"] == "Brøyting\nsone 3"


def test_rows_can_be_read_again(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS], delimiter=";", encoding="utf-8")
    register = open_register_file(path)
    assert list(register.rows()) == list(register.rows())


def test_repeated_and_empty_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "Avtalenr;Tittel;Kommentar;;Kommentar;Org.nr;Avtaleeier\n"
        "FK-1;Renhold;a;skjult;b;974600951;k@f.no\n",
        encoding="utf-8",
    )
    register = open_register_file(path)
    assert register.headers == (
        "Avtalenr",
        "Tittel",
        "Kommentar",
        "",
        "Kommentar (2)",
        "Org.nr",
        "Avtaleeier",
    )
    [(_, cells)] = list(register.rows())
    assert cells["Kommentar"] == "a"
    assert cells["Kommentar (2)"] == "b"
    assert "" not in cells


def test_values_beyond_the_header_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "Avtalenr;Tittel;Org.nr;Avtaleeier\nFK-1;Renhold;974600951;k@f.no;løs;tekst;\n",
        encoding="utf-8",
    )
    [(_, cells)] = list(open_register_file(path).rows())
    assert cells[EXTRA_CELLS_KEY] == 2


def test_a_header_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    header = ["Avtalenr", "Tittel", "Org.nr", "Avtaleeier"] + [f"K{i}" for i in range(MAX_COLUMNS)]
    path.write_text(";".join(header) + "\n", encoding="utf-8")
    with pytest.raises(RegisterFileError, match=f"høyst {MAX_COLUMNS} kan leses"):
        open_register_file(path)


def test_a_file_without_a_header_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Navn;Adresse;Telefon\nKari;Fjordvegen 1;12345678\n", encoding="utf-8")
    with pytest.raises(RegisterFileError) as err:
        open_register_file(path)
    assert "Fant ingen rad med kolonneoverskrifter" in err.value.message
    assert "Avtalenr" in err.value.message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tom.csv", b"", "er tom"),
        ("blank.csv", b"\r\n \r\n", "er tom"),
        (
            "register.pdf",
            b"%PDF-1.7",
            "Filtypen .pdf kan ikke importeres. Bruk CSV (.csv) eller Excel",
        ),
        ("register", b"a;b", "En fil uten filendelse kan ikke importeres"),
        ("register.xls", b"\xd0\xcf\x11\xe0", "det gamle Excel-formatet (.xls)"),
        ("register.xlsx", b"Avtalenr;Tittel\n", "Kan ikke lese Excel-filen «register.xlsx»"),
        ("register.csv", b"PK\x03\x04rest-of-a-zip", "ser ut som en Excel-fil"),
        ("register.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "er ikke en tekstfil (CSV)"),
    ],
)
def test_files_that_cannot_be_imported_say_why(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegisterFileError) as err:
        open_register_file(path)
    assert message in err.value.message


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterFileError, match="Finner ikke filen"):
        open_register_file(tmp_path / "borte.csv")
    folder = tmp_path / "mappe.csv"
    folder.mkdir()
    with pytest.raises(RegisterFileError, match="er ikke en fil"):
        open_register_file(folder)


def test_the_sample_register_reads(tmp_path: Path) -> None:
    register = open_register_file(SAMPLE)
    assert register.encoding == "utf-8-sig"
    assert register.delimiter == ";"
    assert register.header_row == 1
    rows = list(register.rows())
    assert len(rows) == 25
    assert rows[0][0] == 2
    assert rows[-1][0] == 26
    options = {cells["Avtalenr"]: cells.get("Opsjoner") for _, cells in rows}
    assert options["FK-2023-017"] == "31.12.2026; 31.12.2027"  # a quoted ';'


# --- Excel ----------------------------------------------------------------------------------------


def write_xlsx(path: Path) -> Path:
    book = Workbook()
    guide = book.active
    guide.title = "Veiledning"
    guide["A1"] = "Slik fyller du ut registeret"
    guide["A2"] = "Avtalenr, Tittel og Org.nr er påkrevd"
    sheet = book.create_sheet("Kontrakter")
    sheet["A1"] = "Kontraktsregister Fjordvik kommune"
    sheet.append([])
    sheet.append(
        ["Avtalenr", "Tittel", "Org.nr", "Avtaleeier", "Startdato", "Estimert verdi", None]
    )
    sheet.append(
        ["FK-1", "Renhold", 974600951, "kari@f.no", datetime(2025, 1, 1), 1250000.5]  # noqa: DTZ001
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append(["FK-2", "Brøyting", "974 600 951", "ola@f.no", "01.02.2025", 450000, "x"])
    sheet["E6"].number_format = "dd.mm.yyyy"
    book.save(path)
    return path


def test_xlsx_finds_the_register_sheet_below_a_title_row(tmp_path: Path) -> None:
    register = open_register_file(write_xlsx(tmp_path / "register.xlsx"))
    assert register.kind is FileKind.XLSX
    assert register.sheet == "Kontrakter"
    assert register.header_row == 3
    assert register.describe() == "ark «Kontrakter», overskrift på rad 3"
    assert register.headers == (
        "Avtalenr",
        "Tittel",
        "Org.nr",
        "Avtaleeier",
        "Startdato",
        "Estimert verdi",
    )
    rows = list(register.rows())
    assert [n for n, _ in rows] == [4, 6]
    first = rows[0][1]
    assert first["Org.nr"] == 974600951
    assert first["Startdato"] == datetime(2025, 1, 1)  # noqa: DTZ001 - as openpyxl reads it
    assert first["Estimert verdi"] == 1250000.5
    assert rows[1][1]["Startdato"] == "01.02.2025"
    assert rows[1][1][EXTRA_CELLS_KEY] == 1


def test_xlsx_uses_the_first_sheet_with_a_header_when_none_is_named(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ark1"
    sheet.append(["Avtalenr", "Tittel", "Org.nr", "Avtaleeier"])
    sheet.append(["FK-1", "Renhold", "974600951", "kari@f.no"])
    path = tmp_path / "eksport.xlsx"
    book.save(path)
    register = open_register_file(path)
    assert register.sheet == "Ark1"
    assert list(register.rows()) == [
        (
            2,
            {
                "Avtalenr": "FK-1",
                "Tittel": "Renhold",
                "Org.nr": "974600951",
                "Avtaleeier": "kari@f.no",
            },
        )
    ]


def test_xlsx_without_a_header_row_names_the_sheets(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Ark1"
    book.active["A1"] = "Bare tekst"
    path = tmp_path / "tom.xlsx"
    book.save(path)
    with pytest.raises(RegisterFileError) as err:
        open_register_file(path)
    assert "«Ark1»" in err.value.message


def test_a_damaged_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "skadet.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hei.txt", "ikke en arbeidsbok")
    with pytest.raises(RegisterFileError, match="Kan ikke lese Excel-filen"):
        open_register_file(path)


# --- parsing in a child process ------------------------------------------------------------------


def _many_rows(path: Path, count: int) -> Path:
    lines = [";".join(["Avtalenr", "Tittel", "Leverandør", "Org.nr", "Avtaleeier", "Sluttdato"])]
    for n in range(count):
        end = "31.02.2027" if n % 500 == 7 else f"{1 + n % 28:02d}.06.2027"  # some bad dates
        lines.append(f"FK-{n};Renhold {n};Fjordvik Renhold AS;915 473 822;kari@f.no;{end}")
    lines.append("FK-3;Dobbel;Fjordvik Renhold AS;915473822;kari@f.no;")  # a reference twice
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_child_process_parses_exactly_as_the_caller_would(tmp_path: Path) -> None:
    register = open_register_file(_many_rows(tmp_path / "stort.csv", 2_500))
    in_process = list(parse_register(register, background=False))
    in_child = list(parse_register(register, background=True))
    assert in_child == in_process
    assert len(in_child) == 2_501
    failed = [r for r in in_child if isinstance(r, list)]
    assert len(failed) == 6  # five impossible dates and the reference used twice
    assert failed[-1][0].message == "avtalenr FK-3 står også på rad 5"


def test_small_files_are_parsed_in_process_and_large_in_a_child(tmp_path: Path) -> None:
    small = open_register_file(SAMPLE)
    assert SAMPLE.stat().st_size < BACKGROUND_MIN_BYTES
    assert list(parse_register(small)) == list(parse_register(small, background=True))


def test_a_child_that_cannot_read_the_file_is_reported(tmp_path: Path) -> None:
    register = open_register_file(_many_rows(tmp_path / "borte.csv", 10))
    register.path.unlink()  # gone between looking at it and reading it
    with pytest.raises(RegisterFileError, match="kunne ikke leses"):
        list(parse_register(register, background=True))


def test_stopping_early_stops_the_child(tmp_path: Path) -> None:
    register = open_register_file(_many_rows(tmp_path / "stort.csv", 30_000))
    rows = parse_register(register, background=True)
    assert next(rows) is not None
    rows.close()  # the child, blocked on a full queue, is ended rather than left behind
    import multiprocessing

    assert not [c for c in multiprocessing.active_children() if c.name == "register-parser"]
