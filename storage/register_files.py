"""Reading contract register files: CSV and Excel (.xlsx), streamed row by row.

`open_register_file(path)` looks at the file once (type, encoding, delimiter, sheet, where the
header row is) and returns a `RegisterFile`; its `rows()` then yields `(row_number, cells)` one
row at a time, with `cells` keyed by the header as written in the file. Memory stays the same
however long the file is. Row numbers are the ones a person sees in Excel.

- CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), otherwise
  Windows-1252 (or Latin-1). The delimiter is `;` (Norwegian Excel), `,` or tab: whichever
  gives a header row.
- Excel: the first sheet named like *Kontrakter*, *Avtaler* or *Kontraktsregister*, otherwise
  the first sheet that has a header row. Dates come as `datetime`, numbers as `int`/`float`.
- The header row is the first of the first 50 rows in which at least three cells name known
  columns (title rows and empty rows above it are skipped). Empty rows are skipped.

Anything that stops the whole file is a `RegisterFileError` with a Norwegian message.

`parse_register(register)` yields the rows parsed by `followup.register.reading.RegisterParser`; a
large file is read and parsed in a child process while the caller writes what came before
(parsing is a third of an import's work, and the database writes leave a core idle).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import multiprocessing
import queue
import sys
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Final

from followup.register.reading import (
    EXTRA_CELLS_KEY,
    MIN_HEADER_MATCHES,
    ROW_ERROR_KEY,
    ColumnMap,
    ParsedRow,
    RegisterParser,
    count_known_headers,
    header_key,
)

log = logging.getLogger(__name__)

MAX_COLUMNS: Final = 200
HEADER_SEARCH_ROWS: Final = 50
_SNIFF_CHARS = 256 * 1024
_BLOCK = 1 << 20
_DELIMITERS = (";", "\t", ",")
_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SHEET_NAMES = frozenset(
    header_key(n)
    for n in (
        "Kontrakter", "Avtaler", "Kontraktsregister", "Avtaleregister", "Kontraktsoversikt",
        "Avtaleoversikt", "Contracts", "Register",
    )
)  # fmt: skip
_FORMATS = "Bruk CSV (.csv) eller Excel (.xlsx)."


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a kind of table file looks like, to find its header row and sheet: the contract
    register here, the purchase analysis' files elsewhere (`storage.analysis_files`)."""

    count_known: Callable[[Iterable[object]], int]
    """How many of a row's cells name known columns."""
    min_matches: int
    sheet_names: frozenset[str]
    """Sheets looked at first (`header_key` of their titles)."""
    example_headers: str
    """For the Norwegian message when no header row is found."""
    content: str
    """What the file should hold, for messages: `kontraktsregisteret`."""


class RegisterFileError(Exception):
    """The file cannot be read as a contract register; the message is Norwegian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class RegisterFile:
    """A register file, looked at: where its header is and how to read it."""

    path: Path
    kind: FileKind
    header_row: int
    headers: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """The rows below the header, `(row_number, {header: value})`, empty rows skipped."""
        if self.kind is FileKind.CSV:
            return self._csv_rows()
        return self._xlsx_rows()

    def describe(self) -> str:
        """Where the data was found, for the report: `ark «Kontrakter», overskrift på rad 3`."""
        parts = []
        if self.sheet is not None:
            parts.append(f"ark «{self.sheet}»")
        parts.append(f"overskrift på rad {self.header_row}")
        return ", ".join(parts)

    def _csv_rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        with _open_text(self.path, self.encoding or "utf-8") as stream:
            reader = csv.reader(stream, delimiter=self.delimiter or ";")
            number = 0
            while True:
                number += 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    # A field over the csv module's size limit: report the row, read on.
                    yield number, {ROW_ERROR_KEY: _unreadable_row(exc)}
                    continue
                if number <= self.header_row:
                    continue
                cells = _cells(self.headers, record)
                if cells is not None:
                    yield number, cells

    def _xlsx_rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        workbook = _load_workbook(self.path)
        try:
            sheet = workbook[self.sheet] if self.sheet is not None else workbook.worksheets[0]
            sheet.reset_dimensions()
            rows = sheet.iter_rows(min_row=self.header_row + 1, values_only=True)
            for number, values in enumerate(rows, start=self.header_row + 1):
                cells = _cells(self.headers, [_excel_value(v) for v in values])
                if cells is not None:
                    yield number, cells
        finally:
            workbook.close()


def _unreadable_row(exc: csv.Error) -> str:
    return f"raden kan ikke leses ({exc}); en celle er trolig altfor lang"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cells(headers: Sequence[str], values: Sequence[object]) -> dict[str, object] | None:
    """A row as `{header: value}`; None for an empty row. Columns without a header are left out;
    values beyond the header's width are counted under `EXTRA_CELLS_KEY`."""
    cells: dict[str, object] = {
        header: value
        for header, value in zip(headers, values, strict=False)
        if header and value is not None and (type(value) is not str or value.strip())
    }
    if len(values) > len(headers):
        extra = sum(1 for v in values[len(headers) :] if not _blank(v))
        if extra:
            cells[EXTRA_CELLS_KEY] = extra
    return cells or None


def _excel_value(value: object) -> object:
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, datetime | date | int | float | bool | str) or value is None:
        return value
    return str(value)


def _headers(values: Sequence[object], content: str) -> tuple[str, ...]:
    """The header row's cells as text; repeated headers get ` (2)`, ` (3)` so each is a key."""
    texts = [("" if v is None else str(v)).strip() for v in values]
    while texts and not texts[-1]:
        texts.pop()
    if len(texts) > MAX_COLUMNS:
        raise RegisterFileError(
            f"Overskriftsraden har {len(texts)} kolonner; høyst {MAX_COLUMNS} kan leses. "
            f"Fjern kolonner som ikke hører til {content}."
        )
    seen: dict[str, int] = {}
    out: list[str] = []
    for text in texts:
        if not text:
            out.append("")
            continue
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return tuple(out)


def _find_header(
    rows: Iterator[Sequence[object]], vocabulary: Vocabulary
) -> tuple[int, tuple[str, ...]] | None:
    best: tuple[int, tuple[str, ...]] | None = None
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        known = vocabulary.count_known(v for v in values[: MAX_COLUMNS * 2] if v is not None)
        if known >= vocabulary.min_matches:
            best = (number, _headers(values, vocabulary.content))
            break
    return best


def _no_header(where: str, vocabulary: Vocabulary) -> RegisterFileError:
    return RegisterFileError(
        f"Fant ingen rad med kolonneoverskrifter i {where}. Overskriftsraden må ha minst "
        f"{vocabulary.min_matches} kjente kolonner, for eksempel {vocabulary.example_headers}."
    )


# --- CSV ---------------------------------------------------------------------------------------


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as raw:
        head = raw.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        raw.seek(0)
        first = raw.read(8192)
        if first.startswith(b"PK\x03\x04"):
            raise RegisterFileError(
                f"«{path.name}» ser ut som en Excel-fil. Gi den endelsen .xlsx, eller lagre den "
                "som CSV."
            )
        if b"\x00" in first:
            raise RegisterFileError(f"«{path.name}» er ikke en tekstfil (CSV). {_FORMATS}")
    for encoding in ("utf-8", "cp1252"):
        if _decodes_as(path, encoding):
            return encoding
    return "latin-1"


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as raw:
        try:
            while block := raw.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _open_text(path: Path, encoding: str) -> IO[str]:
    return path.open(encoding=encoding, newline="")


def _sample_records(sample: str, delimiter: str) -> Iterator[Sequence[object]]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        return


def _open_csv(path: Path, vocabulary: Vocabulary) -> RegisterFile:
    encoding = _detect_encoding(path)
    with _open_text(path, encoding) as stream:
        sample = stream.read(_SNIFF_CHARS)
    if not sample.strip():
        raise RegisterFileError(f"«{path.name}» er tom.")
    # The delimiter that reads the most known headers wins; then the earliest header row.
    found: list[tuple[int, int, int, str, tuple[str, ...]]] = []
    for rank, delimiter in enumerate(_DELIMITERS):
        header = _find_header(_sample_records(sample, delimiter), vocabulary)
        if header is not None:
            score = vocabulary.count_known(header[1])
            found.append((-score, header[0], rank, delimiter, header[1]))
    if not found:
        raise _no_header(f"«{path.name}»", vocabulary)
    _, header_row, _, delimiter, headers = min(found)
    return RegisterFile(
        path=path,
        kind=FileKind.CSV,
        header_row=header_row,
        headers=headers,
        encoding=encoding,
        delimiter=delimiter,
    )


# --- Excel -------------------------------------------------------------------------------------


def _load_workbook(path: Path) -> Any:
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        log.info("unreadable workbook", extra={"path": str(path), "error": str(exc)})
        raise RegisterFileError(
            f"Kan ikke lese Excel-filen «{path.name}»: den er skadet, passordbeskyttet eller "
            "ikke en .xlsx-fil. Åpne den i Excel og lagre den på nytt som .xlsx eller CSV."
        ) from None


def _open_xlsx(path: Path, vocabulary: Vocabulary) -> RegisterFile:
    workbook = _load_workbook(path)
    try:
        sheets = list(workbook.worksheets)
        if not sheets:
            raise RegisterFileError(f"«{path.name}» har ingen ark.")
        preferred = [s for s in sheets if header_key(s.title) in vocabulary.sheet_names]
        ordered = preferred + [s for s in sheets if s not in preferred]
        for sheet in ordered:
            sheet.reset_dimensions()
            header = _find_header(iter(sheet.iter_rows(values_only=True)), vocabulary)
            if header is not None:
                return RegisterFile(
                    path=path,
                    kind=FileKind.XLSX,
                    header_row=header[0],
                    headers=header[1],
                    sheet=sheet.title,
                )
    finally:
        workbook.close()
    names = ", ".join(f"«{s.title}»" for s in sheets)
    raise _no_header(f"noen av arkene i «{path.name}» ({names})", vocabulary)


# --- entry point -------------------------------------------------------------------------------


REGISTER: Final = Vocabulary(
    count_known=count_known_headers,
    min_matches=MIN_HEADER_MATCHES,
    sheet_names=_SHEET_NAMES,
    example_headers=(
        "Avtalenr, Tittel, Org.nr og Avtaleeier (se eksempelfilen "
        "tests/data/kontraktsregister_eksempel.csv)"
    ),
    content="kontraktsregisteret",
)


def open_register_file(path: Path) -> RegisterFile:
    """Look at a register file; raise `RegisterFileError` when it cannot be imported."""
    return open_table_file(path, REGISTER)


def open_table_file(path: Path, vocabulary: Vocabulary) -> RegisterFile:
    """Look at a table file of `vocabulary`'s kind; raise `RegisterFileError` (Norwegian) when
    it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in _CSV_SUFFIXES | _EXCEL_SUFFIXES:
        if suffix == ".xls":
            raise RegisterFileError(
                f"«{path.name}» er i det gamle Excel-formatet (.xls). Åpne den i Excel og lagre "
                "den som .xlsx eller CSV."
            )
        kind = f"Filtypen {suffix}" if suffix else "En fil uten filendelse"
        raise RegisterFileError(f"{kind} kan ikke importeres. {_FORMATS}")
    if not path.exists():
        raise RegisterFileError(f"Finner ikke filen «{path}».")
    if not path.is_file():
        raise RegisterFileError(f"«{path}» er ikke en fil.")
    try:
        if path.stat().st_size == 0:
            raise RegisterFileError(f"«{path.name}» er tom.")
        if suffix in _EXCEL_SUFFIXES:
            return _open_xlsx(path, vocabulary)
        return _open_csv(path, vocabulary)
    except PermissionError:
        raise RegisterFileError(f"Har ikke lov til å lese «{path}».") from None
    except UnicodeDecodeError:
        raise RegisterFileError(f"«{path.name}» har tegn som ikke kan leses.") from None


# --- parsing in a child process ------------------------------------------------------------------

BACKGROUND_MIN_BYTES: Final = 1_000_000
"""Files smaller than this (a few thousand rows) are parsed in-process: starting a child costs
about as much as parsing them."""
_BATCH_ROWS = 1_000
_QUEUED_BATCHES = 8  # bounded, so a slow database never lets parsed rows pile up in memory
_POLL_SECONDS = 1.0


def parse_register(
    register: RegisterFile, *, background: bool | None = None
) -> Generator[ParsedRow, None, None]:
    """The register's rows parsed, in file order (see `followup.register.reading.RegisterParser`).

    `background` (default: when the file is at least `BACKGROUND_MIN_BYTES`) reads and parses
    in a child process, a bounded number of batches ahead of the caller. Leaving the iteration
    early stops the child. Raises `RegisterFileError` when the child fails or dies.
    """
    if background is None:
        background = register.path.stat().st_size >= BACKGROUND_MIN_BYTES
    if not background:
        yield from RegisterParser(ColumnMap.from_headers(register.headers)).parse_all(
            register.rows()
        )
        return
    context = multiprocessing.get_context("spawn")  # no inherited threads, locks or sockets
    batches: Any = context.Queue(maxsize=_QUEUED_BATCHES)
    child = context.Process(
        target=_parse_in_child, args=(register, batches), name="register-parser", daemon=True
    )
    child.start()
    try:
        while True:
            try:
                batch = batches.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if child.is_alive():
                    continue
                try:  # what it put just before it ended may still be on its way
                    batch = batches.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    raise RegisterFileError(
                        f"Lesingen av «{register.path.name}» stoppet uventet "
                        f"(kode {child.exitcode})."
                    ) from None
            if batch is None:
                return
            if isinstance(batch, str):
                raise RegisterFileError(batch)
            yield from batch
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        batches.close()
        batches.join_thread()


def _parse_in_child(register: RegisterFile, batches: Any) -> None:
    """The child's work: parse every row, put lists of `_BATCH_ROWS` results, then None (or
    a Norwegian message when reading failed)."""
    # The queue's feeder thread writes each batch into the pipe 64 KB at a time and needs the
    # interpreter lock back after every piece; at the default 5 ms switch interval it waited
    # behind the parsing thread, and the importing process waited for it (a quarter of a
    # first import's wall time).
    sys.setswitchinterval(0.0002)
    try:
        parser = RegisterParser(ColumnMap.from_headers(register.headers))
        batch: list[ParsedRow] = []
        for result in parser.parse_all(register.rows()):
            batch.append(result)
            if len(batch) >= _BATCH_ROWS:
                batches.put(batch)
                batch = []
        if batch:
            batches.put(batch)
    except RegisterFileError as exc:
        batches.put(exc.message)
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        batches.put(f"«{register.path.name}» kunne ikke leses helt: {exc}")
    else:
        batches.put(None)
    batches.close()
    batches.join_thread()


__all__ = [
    "BACKGROUND_MIN_BYTES",
    "FileKind",
    "RegisterFile",
    "RegisterFileError",
    "open_register_file",
    "parse_register",
]
