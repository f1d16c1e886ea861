"""A region database (`bench.region_data`) made once and kept for later runs.

Generating 100 000 contracts and 1 000 000 follow-ups takes minutes, so the HTTP benchmark keeps
what it made: on SQLite a file under the cache folder (`region-<contracts>-<follow-ups>.db`), on
PostgreSQL a database named `kv_bench_region_<contracts>_<follow-ups>` on the given server; the
`RegionFacts` go next to it as JSON (`*.facts.json`). A run finds both and reuses them (migrated
to the current schema first); `fresh` makes them again. The bot writes a little into the
database while it is measured (conversation references, processed activities), which does not
change what the questions read.

Run on its own to prepare a database ahead of time:
    .venv/bin/python -m bench.region_cache [--database sqlite|URL] [--contracts N]
        [--follow-ups N] [--cache /tmp/kv-bench] [--fresh]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.region_data import NOW, RegionFacts, RegionSize, analyse, populate_region
from storage.db import create_db_engine, current_revision, upgrade_database

DEFAULT_CACHE: Final = Path("/tmp/kv-bench")  # noqa: S108 - a benchmark's scratch folder


@dataclass(frozen=True, slots=True)
class RegionDatabase:
    url: str
    facts: RegionFacts
    reused: bool

    @property
    def store(self) -> str:
        return "SQLite" if self.url.startswith("sqlite") else "PostgreSQL"


def _facts_to_json(facts: RegionFacts) -> str:
    data = dataclasses.asdict(facts)
    data["today"] = facts.today.isoformat()
    return json.dumps(data, indent=1)


def _facts_from_json(raw: str) -> RegionFacts:
    data = json.loads(raw)
    data["today"] = date.fromisoformat(data["today"])
    return RegionFacts(**data)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _migrate_kept(url: str) -> None:
    """A kept database made before a schema change is migrated to the current schema (as a
    deployment would be), and analysed again when that changed anything."""
    engine = create_db_engine(url)
    try:
        before = current_revision(engine)
        upgrade_database(url)
        if current_revision(engine) != before:
            _log(f"migrated the kept database from revision {before}; analysing")
            analyse(engine)
    finally:
        engine.dispose()


def region_database(
    database: str, size: RegionSize, cache: Path = DEFAULT_CACHE, *, fresh: bool = False
) -> RegionDatabase:
    """The region database for `database` (`sqlite` or a PostgreSQL server URL) and `size`,
    made unless a complete one is kept from an earlier run."""
    cache.mkdir(parents=True, exist_ok=True)
    tag = f"{size.contracts}-{size.follow_ups}"
    if database == "sqlite":
        path = cache / f"region-{tag}.db"
        facts_file = cache / f"region-{tag}.facts.json"
        url = f"sqlite:///{path.as_posix()}"
        if not fresh and path.exists() and facts_file.exists():
            _migrate_kept(url)
            return RegionDatabase(url, _facts_from_json(facts_file.read_text()), reused=True)
        facts_file.unlink(missing_ok=True)
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
    else:
        admin_url = make_url(database)
        name = f"kv_bench_region_{tag.replace('-', '_')}"
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        facts_file = cache / f"region-pg-{admin_url.port or 5432}-{tag}.facts.json"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if not fresh and exists is not None and facts_file.exists():
                    _migrate_kept(url)
                    return RegionDatabase(
                        url, _facts_from_json(facts_file.read_text()), reused=True
                    )
                facts_file.unlink(missing_ok=True)
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
    upgrade_database(url)
    engine = create_db_engine(url)
    try:
        _log(f"generating {size.contracts} contracts, {size.follow_ups} follow-ups ...")
        facts = populate_region(engine, size, now=NOW, log=_log)
    finally:
        engine.dispose()
    facts_file.write_text(_facts_to_json(facts))
    _log(f"generated and analysed in {facts.seconds:.0f} s; kept for later runs")
    return RegionDatabase(url, facts, reused=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--follow-ups", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--fresh", action="store_true", help="make it again even if kept")
    args = parser.parse_args()
    size = RegionSize(contracts=args.contracts, follow_ups=args.follow_ups)
    found = region_database(args.database, size, args.cache, fresh=args.fresh)
    how = "reused" if found.reused else "made"
    print(f"{found.store}: {make_url(found.url).render_as_string()} ({how})")
    print(", ".join(f"{k} {v}" for k, v in found.facts.counts.items()))


if __name__ == "__main__":
    main()
