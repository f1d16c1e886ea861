"""Shared fixtures of every layer (tests/unit, tests/integration, tests/e2e): real SQLite and real
PostgreSQL databases, migrated with Alembic, and units of work over them (`uow_factory`).

PostgreSQL comes from KV_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway server and sets
it). A PostgreSQL test that cannot reach its server fails; it never skips silently. A developer
without PostgreSQL may opt out explicitly with KV_SKIP_POSTGRES=1 (never set in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.tables import Base
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

# The shared helpers assert too (`tests.card_schema.assert_valid`, `tests.chat.one`, ...): their
# failures should explain themselves as a test module's do.
pytest.register_assert_rewrite(
    "tests.builders",
    "tests.card_schema",
    "tests.chat",
    "tests.fakes",
    "tests.migration_rows",
    "tests.portfolio_world",
    "tests.worlds",
    "tests.e2e.browser_support",
    "tests.e2e.harness",
    "tests.e2e.reminder_harness",
)

POSTGRES_ENV = "KV_TEST_POSTGRES_URL"


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("KV_SKIP_POSTGRES") == "1" and not os.environ.get("CI"):
            pytest.skip("KV_SKIP_POSTGRES=1: PostgreSQL tests opted out by the developer")
        pytest.fail(
            f"{POSTGRES_ENV} is not set: PostgreSQL tests need a server "
            "(run them with scripts/test.sh, which starts one)"
        )
    return url


@pytest.fixture(scope="session")
def postgres_template_url() -> Iterator[str]:
    """A migrated PostgreSQL database for this test session, dropped at the end."""
    admin_url = make_url(_postgres_admin_url())
    name = f"kv_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {admin_url.render_as_string()} is not reachable: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on each store, with no schema at all: a migration test
    migrates it step by step (`upgrade_database(url, "0008")`, then on)."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'migrate.db').as_posix()}"
        return
    admin_url = make_url(_postgres_admin_url())
    name = f"kv_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - our own table names


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{(tmp_path / 'kv.db').as_posix()}"
    upgrade_database(url)
    return url


@pytest.fixture
def postgres_url(postgres_template_url: str) -> str:
    engine = create_db_engine(postgres_template_url)
    _truncate_all(engine)
    engine.dispose()
    return postgres_template_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database on each store: the test runs once per store."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(db_engine: Engine) -> SqlAlchemyUnitOfWorkFactory:
    """Units of work over `db_engine` (each test runs once per store)."""
    return SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
