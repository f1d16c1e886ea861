"""The public register's search (issue 18): 1 500 public framework agreements among 20 000
contracts, on SQLite and PostgreSQL; the issue wants a search well under 50 ms.

Each store gets a fresh database (SQLite: a temporary file; PostgreSQL: a database made on the
server given and dropped after), migrated, then 20 000 contracts of every type with Norwegian
titles and scopes, 2 000 suppliers; 1 500 of the framework agreements are public. Timed in
process, after one warm-up each:

- the baseline: a primary-key read of one contract (`SELECT * FROM contracts WHERE id = …`);
- a dozen searches (`SqlPublicRegister.search`, first page of 20, in force), each the median
  of `--repeat` runs; the median of those medians is the figure;
- the first search after a change (SQLite rebuilds its connection's FTS5 index).

Run: .venv/bin/python -m bench.public_register [--postgres URL] [--contracts 20000]
        [--public 1500] [--repeat 15]
(PostgreSQL: URL of a server where the user may create databases, e.g. the tests' one; without
--postgres only SQLite is measured.)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from followup.orgnr import make_organisation_number
from followup.public_register import PublicQuery
from storage.db import create_db_engine, upgrade_database
from storage.public_register import SqlPublicRegister
from storage.tables import ContractRow, SupplierRow

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUERIES = (
    "kontor", "renhold", "brøyting", "sykler", "møbler", "datautstyr", "frukt og grønt",
    "vask", "elektriker", "tjenester", "bygg", "kontorrekvisita papir",
)  # fmt: skip

_THINGS = (
    "Kontorrekvisita", "Kontormøbler", "Renholdstjenester", "Vindusvask", "Brøyting",
    "Strøing", "Sykler", "Sykkelutstyr", "Møbler", "Datautstyr", "IT-tjenester", "Matvarer",
    "Frukt og grønt", "Arbeidsklær", "Vaskeritjenester", "Snekkertjenester", "Elektrikertjenester",
    "Rørleggertjenester", "Asfaltering", "Drivstoff", "Læremidler", "Leker", "Budtjenester",
    "Takarbeider", "Tolketjenester", "Heisservice", "Vakthold", "Kopimaskiner", "Medisinsk utstyr",
    "Hjelpemidler", "Transport", "Skyss", "Grøntanlegg", "Maling", "Ventilasjon", "Låsesmed",
)  # fmt: skip
_PLACES = (
    "skoler", "barnehager", "sykehjem", "rådhuset", "kulturhuset", "idrettshaller",
    "kommunale bygg", "veier", "parker", "legevakten",
)  # fmt: skip
_SCOPES = (
    "levering til alle enheter", "bestilling via e-handel", "inkludert montering",
    "med service og vedlikehold", "for hele kommunen", "etter avrop", "papir, penner og permer",
)  # fmt: skip


def _suppliers(rng: random.Random, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prefix = 80_000_000
    while len(rows) < count:
        prefix += rng.randint(1, 40)
        number = make_organisation_number(str(prefix))
        if number is None:
            continue
        thing = rng.choice(_THINGS).split()[0]
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "name": f"{thing} {len(rows)} AS",
                "organisation_number": number,
            }
        )
    return rows


def _contracts(
    rng: random.Random, count: int, public: int, suppliers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(count):
        framework = n < public * 2  # half the framework agreements are public
        start = TODAY - timedelta(days=rng.randint(0, 1500))
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "reference": f"B-{n:06d}",
                "title": f"{rng.choice(_THINGS)} til {rng.choice(_PLACES)} {n}",
                "contract_type": "rammeavtale"
                if framework
                else rng.choice(("enkeltkontrakt", "avrop")),
                "category": rng.choice(("varer", "tjenester", "bygg_og_anlegg")),
                "supplier_id": rng.choice(suppliers)["id"],
                "unit": rng.choice(("Oppvekst", "Helse og omsorg", "Teknisk drift", "Eiendom")),
                "start_date": start,
                "end_date": start + timedelta(days=rng.randint(365, 1460)),
                "options": [],
                "value_nok": 1_000_000,
                "risk": "middels",
                "status": "aktiv",
                "public": framework and n % 2 == 0,
                "scope": rng.choice(_SCOPES),
                "how_to_order": "Bestill i innkjøpsportalen",
                "contact_email": "innkjop@bench.kommune.no",
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    return rows


def _fill(engine: Engine, contracts: int, public: int) -> str:
    rng = random.Random(18)
    suppliers = _suppliers(rng, 2_000)
    rows = _contracts(rng, contracts, public, suppliers)
    with engine.begin() as conn:
        conn.execute(insert(SupplierRow), suppliers)
        for first in range(0, len(rows), 2_000):
            conn.execute(insert(ContractRow), rows[first : first + 2_000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return str(rows[len(rows) // 2]["id"])


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _measure(engine: Engine, contracts: int, public: int, repeat: int) -> dict[str, Any]:
    some_id = _fill(engine, contracts, public)
    register = SqlPublicRegister(engine)

    def by_key() -> object:
        with engine.connect() as conn:
            return conn.execute(select(ContractRow).where(ContractRow.id == some_id)).one()

    baseline = _median_ms(by_key, repeat)
    searches = {
        q: _median_ms(lambda q=q: register.search(PublicQuery(text=q), TODAY), repeat)  # type: ignore[misc]
        for q in QUERIES
    }
    listing = _median_ms(lambda: register.search(PublicQuery(), TODAY), repeat)
    with engine.begin() as conn:
        conn.execute(
            update(ContractRow).where(ContractRow.reference == "B-000000").values(title="Endret")
        )
    started = time.perf_counter()
    register.search(PublicQuery(text="kontor"), TODAY)
    after_change = (time.perf_counter() - started) * 1000
    hits = {q: register.search(PublicQuery(text=q), TODAY).total for q in QUERIES}
    median = statistics.median(searches.values())
    return {
        "public agreements": len(register.all(TODAY)),
        "baseline: primary-key read (ms)": round(baseline, 3),
        "search, median of the queries' medians (ms)": round(median, 2),
        "search, slowest query's median (ms)": round(max(searches.values()), 2),
        "search / baseline": round(median / baseline, 1),
        "list without a query, first page (ms)": round(listing, 2),
        "first search after a change (ms)": round(after_change, 2),
        "per query (ms)": {q: round(ms, 2) for q, ms in searches.items()},
        "hits": hits,
    }


@contextmanager
def _sqlite() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{(Path(folder) / 'bench.db').as_posix()}"
        upgrade_database(url)
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def _postgres(admin_url: str) -> Iterator[Engine]:
    name = f"kv_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", default="")
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--public", type=int, default=1_500)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    stores: list[tuple[str, Any]] = [("SQLite", _sqlite())]
    if args.postgres:
        stores.append(("PostgreSQL", _postgres(args.postgres)))
    for name, store in stores:
        with store as engine:
            result = _measure(engine, args.contracts, args.public, args.repeat)
        print(f"== {name}: {args.contracts} contracts, {args.public} public")
        for key, value in result.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
