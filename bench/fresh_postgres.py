"""A throwaway PostgreSQL database for a benchmark run: made on the server of an admin URL,
migrated, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.db import upgrade_database


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """The URL of a new, migrated database on `admin_url`'s server; dropped on exit."""
    admin = make_url(admin_url)
    name = f"kv_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
