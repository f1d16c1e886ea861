"""SQLAlchemy repositories for what owners send back: answers (versioned, never overwritten),
documents and deviations. Rows in, domain models out.

Inserts that must happen once (an answer or a deviation per source activity in its
conversation, a file per follow-up) use `INSERT ... ON CONFLICT DO NOTHING` on the unique
constraint: on PostgreSQL a second transaction inserting the same key waits for the first and
then inserts nothing, on SQLite writers take turns; either way the row that won is read back
and returned.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Table, bindparam, case, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement

from followup.errors import Conflict
from followup.models import (
    Answer,
    Deviation,
    DeviationStatus,
    Document,
    Severity,
)
from storage.contract_repositories import chunked
from storage.lean_sql import LeanStatement
from storage.mappings import (
    answer_from_row,
    deviation_from_row,
    document_from_row,
    record_values,
)
from storage.tables import (
    AnswerRow,
    ContractRow,
    DeviationRow,
    DeviationSerialRow,
    DocumentRow,
    FollowUpRow,
    table_of,
)

VERSION_TRIES: Final = 5

_ANSWERS = table_of(AnswerRow)
_DOCUMENTS = table_of(DocumentRow)
_DEVIATIONS = table_of(DeviationRow)
# The reads of every answer, compiled once and run lean (storage/lean_sql.py): SQLAlchemy's
# per-execution machinery cost more Python than running them on SQLite.
_ANSWER_OF_ACTIVITY = LeanStatement(
    select(_ANSWERS)
    .where(
        _ANSWERS.c.source_conversation == bindparam("conversation"),
        _ANSWERS.c.source_activity_id == bindparam("activity"),
    )
    .limit(1)
)
_ANSWERS_OF_FOLLOW_UP = LeanStatement(
    select(_ANSWERS)
    .where(_ANSWERS.c.follow_up_id == bindparam("follow_up_id"))
    .order_by(_ANSWERS.c.version)
)
_DOCUMENTS_OF_FOLLOW_UP = LeanStatement(
    select(_DOCUMENTS)
    .where(_DOCUMENTS.c.follow_up_id == bindparam("follow_up_id"))
    .order_by(_DOCUMENTS.c.uploaded_at, _DOCUMENTS.c.id)
)
_DEVIATIONS_OF_FOLLOW_UP = LeanStatement(
    select(_DEVIATIONS)
    .where(_DEVIATIONS.c.follow_up_id == bindparam("follow_up_id"))
    .order_by(_DEVIATIONS.c.reported_at, _DEVIATIONS.c.id)
)


def _insert_next_version(make: Any) -> LeanStatement:
    """An answer with the follow-up's next version number, taken in the same statement:
    `INSERT ... SELECT ..., coalesce(max(version), 0) + 1 ... ON CONFLICT DO NOTHING RETURNING
    version`. Nothing comes back when a unique key is taken (this activity's answer, or this
    version by a concurrent transaction). Every column is a bound value of the column's type
    (PostgreSQL gets them cast), the version the one computed."""
    follow_up_id = bindparam("follow_up_id", type_=_ANSWERS.c.follow_up_id.type)
    values = [
        func.coalesce(func.max(_ANSWERS.c.version), literal_column("0")) + literal_column("1")
        if column.name == "version"
        else follow_up_id
        if column.name == "follow_up_id"
        else bindparam(column.name, type_=column.type)
        for column in _ANSWERS.c
    ]
    chosen = select(*values).where(_ANSWERS.c.follow_up_id == follow_up_id)
    return LeanStatement(
        make(_ANSWERS)
        .from_select([column.name for column in _ANSWERS.c], chosen)
        .on_conflict_do_nothing()
        .returning(_ANSWERS.c.version)
    )


_INSERT_ANSWER: Final = {
    "postgresql": _insert_next_version(postgresql.insert),
    "sqlite": _insert_next_version(sqlite.insert),
}
"""Per dialect, an answer's insert with its version (`_insert_next_version`)."""

_INSERTS_ONCE: dict[tuple[str, str, tuple[str, ...]], LeanStatement] = {}
"""Per dialect, table and columns, the statement of `_insert_once` for plain values."""


def _insert_once(session: Session, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert one row unless it would break a unique constraint; True when inserted."""
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        make: Any = postgresql.insert
    elif dialect == "sqlite":
        make = sqlite.insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(dialect)
    # RETURNING says whether the row went in (psycopg reports no row count here).
    if any(isinstance(v, ClauseElement) for v in values.values()):  # a subquery: built here
        statement = make(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        return session.execute(statement).first() is not None
    key = (dialect, table.name, tuple(values))
    statement = _INSERTS_ONCE.get(key)
    if statement is None:
        statement = LeanStatement(
            make(table)
            .values({name: bindparam(name) for name in values})
            .on_conflict_do_nothing()
            .returning(table.c.id)
        )
        _INSERTS_ONCE[key] = statement
    return statement.first(session.connection(), values) is not None


def _one(session: Session, table: Table, *where: Any) -> Any:
    session.flush()
    return session.execute(select(table).where(*where).limit(1)).first()


# --- answers ---------------------------------------------------------------------------------


class SqlAlchemyAnswerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, answer: Answer) -> tuple[Answer, bool]:
        """Store `answer` as the follow-up's next version (its own `version` is not used);
        False and the stored one when this activity's answer is there already."""
        session = self._session
        statement = _INSERT_ANSWER[session.get_bind().dialect.name]
        values = record_values(answer)
        for _ in range(VERSION_TRIES):
            session.flush()
            version = statement.scalar(session.connection(), values)
            if version is not None:
                return answer.model_copy(update={"version": int(version)}), True
            if answer.source_activity_id:
                existing = self.by_source_activity(
                    answer.source_conversation, answer.source_activity_id
                )
                if existing is not None:
                    return existing, False
            # Another transaction took this version number meanwhile: take the next one.
        raise Conflict("no free answer version", code="answer.conflict")

    def by_source_activity(
        self, source_conversation: str, source_activity_id: str
    ) -> Answer | None:
        self._session.flush()
        row = _ANSWER_OF_ACTIVITY.first(
            self._session.connection(),
            {"conversation": source_conversation, "activity": source_activity_id},
        )
        return answer_from_row(row) if row else None

    def for_follow_up(self, follow_up_id: str) -> Sequence[Answer]:
        self._session.flush()
        rows = _ANSWERS_OF_FOLLOW_UP.rows(
            self._session.connection(), {"follow_up_id": follow_up_id}
        )
        return [answer_from_row(r) for r in rows]

    def latest(self, follow_up_id: str) -> Answer | None:
        table = table_of(AnswerRow)
        self._session.flush()
        row = self._session.execute(
            select(table)
            .where(table.c.follow_up_id == follow_up_id)
            .order_by(table.c.version.desc())
            .limit(1)
        ).first()
        return answer_from_row(row) if row else None


# --- documents -------------------------------------------------------------------------------


class SqlAlchemyDocumentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, document: Document) -> tuple[Document, bool]:
        """Insert with `contract_id` taken from the follow-up: the unique keys (follow-up,
        SHA-256) and (contract, SHA-256) make a second copy on the contract insert nothing."""
        table = table_of(DocumentRow)
        values = record_values(document)
        follow_up_id = document.follow_up_id
        if follow_up_id is not None:
            follow_ups = table_of(FollowUpRow)
            values["contract_id"] = (
                select(follow_ups.c.contract_id)
                .where(follow_ups.c.id == follow_up_id)
                .scalar_subquery()
            )
        if _insert_once(self._session, table, values):
            return document, True
        existing = self.find(follow_up_id, document.sha256) if follow_up_id else None
        if existing is None and follow_up_id is not None:
            existing = self._on_contract_of(follow_up_id, document.sha256)
        if existing is None:  # pragma: no cover - the only unique keys are id and these pairs
            raise Conflict("document not stored", code="document.conflict")
        return existing, False

    def on_contract(self, contract_id: str, sha256: str) -> Document | None:
        table = table_of(DocumentRow)
        row = _one(
            self._session, table, table.c.contract_id == contract_id, table.c.sha256 == sha256
        )
        return document_from_row(row) if row else None

    def _on_contract_of(self, follow_up_id: str, sha256: str) -> Document | None:
        follow_ups = table_of(FollowUpRow)
        self._session.flush()
        contract_id = self._session.execute(
            select(follow_ups.c.contract_id).where(follow_ups.c.id == follow_up_id)
        ).scalar()
        return self.on_contract(str(contract_id), sha256) if contract_id else None

    def get(self, document_id: str) -> Document | None:
        table = table_of(DocumentRow)
        row = _one(self._session, table, table.c.id == document_id)
        return document_from_row(row) if row else None

    def find(self, follow_up_id: str, sha256: str) -> Document | None:
        table = table_of(DocumentRow)
        row = _one(
            self._session, table, table.c.follow_up_id == follow_up_id, table.c.sha256 == sha256
        )
        return document_from_row(row) if row else None

    def with_sha256(self, sha256: str) -> Sequence[Document]:
        return self._where(table_of(DocumentRow).c.sha256 == sha256)

    def for_follow_up(self, follow_up_id: str) -> Sequence[Document]:
        self._session.flush()
        rows = _DOCUMENTS_OF_FOLLOW_UP.rows(
            self._session.connection(), {"follow_up_id": follow_up_id}
        )
        return [document_from_row(r) for r in rows]

    def for_answer(self, answer_id: str) -> Sequence[Document]:
        return self._where(table_of(DocumentRow).c.answer_id == answer_id)

    def for_follow_ups(self, follow_up_ids: Collection[str]) -> Sequence[Document]:
        found: list[Document] = []
        for batch in chunked(sorted(set(follow_up_ids))):
            found.extend(self._where(table_of(DocumentRow).c.follow_up_id.in_(batch)))
        return sorted(found, key=lambda d: (d.uploaded_at, d.id))

    def _where(self, condition: Any) -> list[Document]:
        table = table_of(DocumentRow)
        self._session.flush()
        rows = self._session.execute(
            select(table).where(condition).order_by(table.c.uploaded_at, table.c.id)
        )
        return [document_from_row(r) for r in rows]


# --- deviations ------------------------------------------------------------------------------


_SEVERITY_RANK: Final = {
    Severity.CRITICAL.value: 0,
    Severity.HIGH.value: 1,
    Severity.MEDIUM.value: 2,
    Severity.LOW.value: 3,
}


class SqlAlchemyDeviationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, deviation: Deviation) -> tuple[Deviation, bool]:
        table = table_of(DeviationRow)
        if _insert_once(self._session, table, record_values(deviation)):
            return deviation, True
        existing = (
            self.by_source_activity(deviation.source_conversation, deviation.source_activity_id)
            if deviation.source_activity_id
            else None
        )
        if existing is None:  # pragma: no cover - the only unique keys are id and the source
            raise Conflict("deviation not stored", code="deviation.conflict")
        return existing, False

    def get(self, deviation_id: str) -> Deviation | None:
        table = table_of(DeviationRow)
        row = _one(self._session, table, table.c.id == deviation_id)
        return deviation_from_row(row) if row else None

    def by_source_activity(
        self, source_conversation: str, source_activity_id: str
    ) -> Deviation | None:
        table = table_of(DeviationRow)
        row = _one(
            self._session,
            table,
            table.c.source_conversation == source_conversation,
            table.c.source_activity_id == source_activity_id,
        )
        return deviation_from_row(row) if row else None

    def update(self, deviation: Deviation) -> None:
        table = table_of(DeviationRow)
        self._session.flush()
        changed = self._session.execute(
            update(table)
            .where(table.c.id == deviation.id)
            .values(
                status=deviation.status.value,
                remedy=deviation.remedy.value if deviation.remedy else None,
                closed_by_id=deviation.closed_by_id,
                closed_at=deviation.closed_at,
                updated_by_id=deviation.updated_by_id,
                updated_at=deviation.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        if int(changed.rowcount or 0) != 1:  # type: ignore[attr-defined]
            raise LookupError(deviation.id)

    def for_contract(self, contract_id: str) -> Sequence[Deviation]:
        table = table_of(DeviationRow)
        return self._select(
            select(table)
            .where(table.c.contract_id == contract_id)
            .order_by(table.c.occurred_on.desc(), table.c.reported_at.desc(), table.c.id)
        )

    def for_follow_up(self, follow_up_id: str) -> Sequence[Deviation]:
        self._session.flush()
        rows = _DEVIATIONS_OF_FOLLOW_UP.rows(
            self._session.connection(), {"follow_up_id": follow_up_id}
        )
        return [deviation_from_row(r) for r in rows]

    def open_for_person(self, person_id: str) -> Sequence[Deviation]:
        table = table_of(DeviationRow)
        contracts = table_of(ContractRow)
        theirs = select(contracts.c.id).where(
            or_(
                contracts.c.owner_id == person_id,
                contracts.c.manager_id == person_id,
                contracts.c.deputy_id == person_id,
            )
        )
        return self._select(
            select(table)
            .where(
                table.c.status != DeviationStatus.CLOSED.value,
                or_(table.c.reported_by_id == person_id, table.c.contract_id.in_(theirs)),
            )
            .order_by(table.c.occurred_on.desc(), table.c.reported_at.desc(), table.c.id)
        )

    def open(self, limit: int) -> Sequence[Deviation]:
        table = table_of(DeviationRow)
        rank = case(_SEVERITY_RANK, value=table.c.severity, else_=len(_SEVERITY_RANK))
        return self._select(
            select(table)
            .where(table.c.status != DeviationStatus.CLOSED.value)
            .order_by(rank, table.c.occurred_on.desc(), table.c.reported_at.desc(), table.c.id)
            .limit(limit)
        )

    def with_code(self, code: str) -> Deviation | None:
        table = table_of(DeviationRow)
        row = _one(self._session, table, table.c.code == code)
        return deviation_from_row(row) if row else None

    def next_serial(self, year: int) -> int:
        # One statement that moves the year's counter and says where it is now: the row lock
        # it takes (PostgreSQL) or the write lock (SQLite) holds until commit, so a concurrent
        # report waits and gets the next number.
        self._session.flush()
        table = table_of(DeviationSerialRow)
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            statement: Any = postgresql.insert(table)
        elif dialect == "sqlite":
            statement = sqlite.insert(table)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(dialect)
        statement = (
            statement.values(year=year, last=1)
            .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
            .returning(table.c.last)
        )
        return int(self._session.execute(statement).scalar_one())

    def with_id_ending(self, suffix: str, limit: int) -> Sequence[Deviation]:
        # A scan of the deviations table (no index serves a suffix); the caller passes hex
        # only, so the pattern holds no wildcard of its own.
        if not suffix or any(c not in "0123456789abcdef-" for c in suffix):
            return []
        table = table_of(DeviationRow)
        return self._select(
            select(table)
            .where(table.c.id.like("%" + suffix))
            .order_by(table.c.reported_at, table.c.id)
            .limit(limit)
        )

    def _select(self, query: Any) -> list[Deviation]:
        self._session.flush()
        return [deviation_from_row(r) for r in self._session.execute(query)]


__all__ = [
    "SqlAlchemyAnswerRepository",
    "SqlAlchemyDeviationRepository",
    "SqlAlchemyDocumentRepository",
]
