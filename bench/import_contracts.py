"""Rows per second and peak memory of importing the contract register from CSV.

Generates a register of N realistic rows (Norwegian formats, 2 000 suppliers, 400 people)
straight to disk, then measures, each in a fresh process so the peak RSS is
clean: reading and parsing the file without a database (the baseline), a first import into a
fresh migrated database, and a re-import of the same file (every row unchanged). An import runs
as `kontraktsvakt import contracts` runs it (`bot.cli.register_import.import_register`: the
file parsed in a child process, the engine set up for bulk writes, the collector quieter). The
parse and first-import runs are done at N/10 and N rows: memory is flat when the peak does not
grow (much) with the file. Prints rows/s as a share of the parse-only baseline.

CPU s is the measured process's own CPU time (the writing process, for an import), child CPU s
the parsing child's: on a machine busy with other work they show the cost per row that the wall
time hides.

Run: .venv/bin/python -m bench.import_contracts [--rows 100000] [--database sqlite|URL]
(URL: a PostgreSQL server; a throwaway database is created on it and dropped afterwards.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# The same suppliers and people at every size, so memory is compared row for row: about a
# Bergen-size register's supplier base and owner group (see DOMAIN.md, "Sizes to plan for").
SUPPLIERS = 2000
PEOPLE = 400

HEADER = [
    "Avtalenr", "Saksnummer", "Tittel", "Avtaletype", "Kategori", "CPV", "Leverandør", "Org.nr",
    "Avtaleeier", "Kontraktsforvalter", "Stedfortreder", "Enhet", "Startdato", "Sluttdato",
    "Opsjoner", "Løpende avtale", "Oppsigelsestid", "Estimert verdi", "Status", "Offentlig",
    "Risikonivå", "Lønns- og arbeidsvilkår", "Lærlinger", "HMS-kort", "Leverandørkjede",
]  # fmt: skip
FIRST = (
    "Anne", "Kari", "Marit", "Ingrid", "Liv", "Hilde", "Silje", "Tone", "Åse", "Guro", "Synnøve",
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Knut", "Trond", "Øyvind", "Håkon", "Sindre", "Ståle",
)  # fmt: skip
LAST = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Dahl", "Lund", "Solheim", "Lie",
    "Nygård", "Bakke", "Myklebust", "Sætre", "Økland", "Ødegård", "Brekke", "Kvamme", "Vik",
)  # fmt: skip
UNITS = (
    "Helse og omsorg", "Oppvekst", "Teknisk drift", "Eiendom", "Kultur",
    "Sentraladministrasjon", "Vann og avløp",
)  # fmt: skip
TRADES = (
    ("Renhold", "Tjenester", "90919200-4"), ("Matgrossist", "Varer", "15000000-8"),
    ("Kontorpartner", "Varer", "30190000-7"), ("Bygg", "Bygg og anlegg", "45000000-7"),
    ("Elektro", "Bygg og anlegg", "45310000-3"), ("IT", "Tjenester", "72000000-5"),
    ("Transport", "Tjenester", "60130000-8"), ("Medisinsk", "Varer", "33140000-3"),
    ("Rådgivende Ingeniører", "Tjenester", "71300000-1"), ("Vakt og Sikring", "Tjenester",
    "79710000-4"), ("Maskinstasjon", "Tjenester", "90620000-9"), ("Helsevikar", "Tjenester",
    "79624000-4"),
)  # fmt: skip
PLACES = ("Fjordvik", "Vestland", "Sunnfjord", "Nordfjord", "Kystbyen", "Sjøvika", "Strandheim")
TITLES = (
    "Renhold av {place} skole", "Rammeavtale {trade}", "Vedlikehold {place} sykehjem",
    "Skoleskyss {place}", "Avrop {trade} til {place} rådhus", "Drift og lisenser {trade}",
)  # fmt: skip


def _orgnr(rng: random.Random) -> str:
    from followup.orgnr import make_organisation_number

    while True:
        number = make_organisation_number(str(rng.randint(81_000_000, 99_999_999)))
        if number:
            return number


def _email(first: str, last: str, n: int) -> str:
    from storage.demo_data import ascii_email_part

    suffix = "" if n < len(FIRST) * len(LAST) else str(n)
    return f"{ascii_email_part(first)}.{ascii_email_part(last)}{suffix}@fjordvik.kommune.no"


def _nok(rng: random.Random, value: int) -> str:
    grouped = f"{value:,}".replace(",", rng.choice((" ", "\u00a0", ".")))
    return rng.choice((grouped, f"kr {grouped},-", f"{grouped},00", grouped))


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    """Write a register of `rows` rows to `path`, one row at a time (nothing kept in memory)."""
    rng = random.Random(seed)
    suppliers = [
        (f"{rng.choice(PLACES)} {trade[0]} {i} AS", _orgnr(rng), trade)
        for i, trade in ((i, rng.choice(TRADES)) for i in range(SUPPLIERS))
    ]
    people = []
    for n in range(PEOPLE):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append((f"{first} {last}", _email(first, last, n)))
    start_base = date(2022, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            name, orgnr, (trade, category, cpv) = rng.choice(suppliers)
            owner_name, owner = rng.choice(people)
            manager = rng.choice(people)[1] if rng.random() < 0.5 else ""
            start = start_base + timedelta(days=rng.randint(0, 1500))
            options = rng.choice(("2+1+1", "opsjon 1+1 år", "2 x 1 år", "", "ingen", "dates"))
            end = start + timedelta(days=rng.choice((365, 730, 1095)) - 1)
            end_text = end.strftime("%d.%m.%Y")
            if options == "2+1+1" and rng.random() < 0.5:
                end_text = ""
            elif options == "dates":
                options = "; ".join(
                    date(end.year + k, end.month, min(end.day, 28)).strftime("%d.%m.%Y")
                    for k in (1, 2)
                )
            title = rng.choice(TITLES).format(place=rng.choice(PLACES), trade=trade.lower())
            orgnr_text = rng.choice(
                (orgnr, f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}", f"NO {orgnr} MVA")
            )
            writer.writerow(
                [
                    f"FK-{start.year}-{i:06d}",
                    f"{start.year % 100}/{i % 100000:05d}",
                    title,
                    "Rammeavtale" if title.startswith("Rammeavtale") else "Enkeltkontrakt",
                    category,
                    cpv,
                    name,
                    orgnr_text,
                    rng.choice((owner, f"{owner_name} <{owner}>")),
                    manager,
                    "",
                    rng.choice(UNITS),
                    start.strftime("%d.%m.%Y"),
                    end_text,
                    options,
                    "Nei",
                    rng.choice(("3 måneder", "6 mnd", "", "3")),
                    _nok(rng, rng.randint(50, 40_000) * 1000),
                    rng.choice(("Aktiv", "Aktiv", "Aktiv", "Planlagt", "Utløpt")),
                    rng.choice(("Ja", "Ja", "Nei")),
                    rng.choice(("Lav", "Middels", "Høy")),
                    rng.choice(("Ja", "Nei", "")),
                    rng.choice(("Ja", "Nei", "")),
                    rng.choice(("X", "")),
                    rng.choice(("J", "N")),
                ]
            )


# --- one measured run, in its own process --------------------------------------------------------


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def worker(mode: str, file: Path, database_url: str, *, trace: bool = False) -> dict[str, Any]:
    from followup.register.reading import ColumnMap, RegisterParser
    from storage.register_files import open_register_file

    register = open_register_file(file)
    rss_before = _rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    cpu_started = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = {}
    if mode == "parse":
        parser = RegisterParser(ColumnMap.from_headers(register.headers))
        rows = failed = 0
        for number, cells in register.rows():
            rows += 1
            failed += isinstance(parser.parse(number, cells), list)
        result = {"rows": rows, "failed": failed}
    else:
        # As `kontraktsvakt import contracts` does (without printing the report). Imported
        # here, not for the parse-only runs: the CLI's modules raise the peak RSS before the
        # measured part begins.
        from bot.cli.register_import import import_register

        report = import_register(register, database_url, NOW, actor="bench", dry_run=False)
        result = {
            "rows": report.rows_read,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "failed": report.failed,
        }
    result["seconds"] = time.perf_counter() - started
    # CPU of this process (the writer) and of the parsing child (ended by now): on a busy
    # machine the per-row cost that wall time hides.
    result["cpu_seconds"] = _cpu_seconds(resource.RUSAGE_SELF) - cpu_started[0]
    result["child_cpu_seconds"] = _cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_started[1]
    if trace:
        result["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    result["rss_before_mb"] = rss_before
    result["rss_peak_mb"] = _rss_mb()
    return result


def run_worker(mode: str, file: Path, database_url: str, *, trace: bool = False) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_contracts", "--worker", mode, "--file", str(file),
         "--database", database_url, *(["--trace"] if trace else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{mode} worker failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- databases ---------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    drop: str | None = None  # admin URL to drop the database from

    def close(self) -> None:
        if self.drop is None:
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = make_url(self.url).database
        admin = create_engine(self.drop, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_database(kind: str, folder: Path) -> Database:
    from storage.db import upgrade_database

    if kind == "sqlite":
        url = f"sqlite:///{(folder / f'bench-{uuid.uuid4().hex[:8]}.db').as_posix()}"
        upgrade_database(url)
        return Database(url)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(kind)
    name = f"kv_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    return Database(url, drop=admin_url.render_as_string(hide_password=False))


# --- the benchmark -------------------------------------------------------------------------------


def main_bench(args: argparse.Namespace) -> None:
    sizes = sorted({max(1, args.rows // 10), args.rows})
    results: list[tuple[str, int, dict[str, Any]]] = []
    heap: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {}
        for size in sizes:
            files[size] = folder / f"register-{size}.csv"
            started = time.perf_counter()
            generate(files[size], size)
            mb = files[size].stat().st_size / 1e6
            print(
                f"generated {size} rows ({mb:.1f} MB) in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        for size in sizes:
            results.append(("parse only", size, run_worker("parse", files[size], "")))
        for size in sizes:
            database = fresh_database(args.database, folder)
            try:
                results.append(
                    ("first import", size, run_worker("import", files[size], database.url))
                )
                if size == args.rows:
                    results.append(
                        ("re-import", size, run_worker("import", files[size], database.url))
                    )
            finally:
                database.close()
        if args.trace:
            for size in sizes:
                database = fresh_database(args.database, folder)
                try:
                    traced = run_worker("import", files[size], database.url, trace=True)
                finally:
                    database.close()
                heap[size] = traced["heap_peak_mb"]

    store = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    print(f"contract register import from CSV on {store}, cpus={os.cpu_count()}")
    print(
        f"{'phase':<14}{'rows':>8}{'seconds':>9}{'rows/s':>9}{'of parse':>10}"
        f"{'peak RSS MB':>13}{'growth MB':>11}{'failed':>8}{'CPU s':>8}{'child CPU s':>13}"
    )
    parse_rate = {
        size: r["rows"] / r["seconds"] for phase, size, r in results if phase == "parse only"
    }
    for phase, size, r in results:
        rate = r["rows"] / r["seconds"]
        growth = r["rss_peak_mb"] - r["rss_before_mb"]
        print(
            f"{phase:<14}{size:>8}{r['seconds']:>9.2f}{rate:>9.0f}{rate / parse_rate[size]:>9.0%}"
            f"{r['rss_peak_mb']:>13.1f}{growth:>11.1f}{r['failed']:>8}"
            f"{r['cpu_seconds']:>8.2f}{r['child_cpu_seconds']:>13.2f}"
        )
    if len(sizes) == 2:
        small, large = sizes
        for phase in ("parse only", "first import"):
            by_size = {size: r for p, size, r in results if p == phase}
            extra = by_size[large]["rss_peak_mb"] - by_size[small]["rss_peak_mb"]
            per_row = extra * 1024 * 1024 / (large - small)
            print(
                f"memory, {phase}: peak RSS at {large} rows vs {small}: "
                f"{extra:+.1f} MB ({per_row:.0f} bytes per extra row)"
            )
    if len(heap) == 2:
        small, large = sizes
        per_row = (heap[large] - heap[small]) * 1e6 / (large - small)
        print(
            f"memory, first import, Python heap peak (tracemalloc): {heap[small]:.1f} MB at "
            f"{small} rows, {heap[large]:.1f} MB at {large} rows "
            f"({per_row:.0f} bytes per extra row)"
        )
    aim = next(r for p, size, r in results if p == "first import" and size == args.rows)
    verdict = "met" if aim["rows"] / aim["seconds"] >= 5000 else "NOT met"
    print(f"aim >= 5000 rows/s for a first import of {args.rows} rows: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--worker", choices=("parse", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also measure the Python heap's peak with tracemalloc (in extra, slower runs)",
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.database, trace=args.trace)))
        return
    main_bench(args)


if __name__ == "__main__":
    main()
