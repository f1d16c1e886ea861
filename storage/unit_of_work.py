"""SQLAlchemy repositories and the unit of work behind `followup.ports`."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from followup.errors import Conflict
from followup.models import ConversationKind, ConversationRef, Person
from storage.analysis_repositories import SqlAlchemyAnalysisRepository
from storage.answer_repositories import (
    SqlAlchemyAnswerRepository,
    SqlAlchemyDeviationRepository,
    SqlAlchemyDocumentRepository,
)
from storage.archive_repositories import SqlAlchemyArchiveRepository
from storage.audit_log import SqlAlchemyAuditLog
from storage.contract_repositories import (
    SqlAlchemyAbsenceRepository,
    SqlAlchemyCalendarFeedRepository,
    SqlAlchemyCheckpointRepository,
    SqlAlchemyContractRepository,
    SqlAlchemyFollowUpRepository,
    SqlAlchemySupplierRepository,
    chunked,
)
from storage.evaluation_repositories import SqlAlchemySupplierEvaluationRepository
from storage.lean_sql import LeanStatement
from storage.mappings import (
    conversation_ref_from_row,
    person_from_row,
    person_values,
)
from storage.onsite_repositories import SqlAlchemyOnsiteCheckRepository
from storage.outbox_repositories import (
    SqlAlchemyDeliveryRepository,
    SqlAlchemySchedulerState,
    SqlAlchemySummaryQueries,
)
from storage.portfolio_queries import SqlAlchemyPortfolioQueries
from storage.risk_repositories import SqlAlchemyRiskAssessmentRepository
from storage.tables import ContractRow, ConversationRefRow, PersonRow

_PEOPLE = PersonRow.__table__
_CONVERSATION_REFS = ConversationRefRow.__table__
_PersonValues = namedtuple("_PersonValues", _PEOPLE.c.keys())  # type: ignore[misc]
# Every turn finds its sender by one of these: compiled once and run lean (storage/lean_sql.py),
# plain rows (an ORM object and its identity-map bookkeeping cost more than the query on SQLite).
_PERSON_BY_ENTRA_ID = LeanStatement(
    select(_PEOPLE).where(_PEOPLE.c.entra_object_id == bindparam("value")).limit(1)
)
_PERSON_BY_TEAMS_USER_ID = LeanStatement(
    select(_PEOPLE).where(_PEOPLE.c.teams_user_id == bindparam("value")).limit(1)
)


class SqlAlchemyPeopleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, person_id: str) -> Person | None:
        row = self._session.get(PersonRow, person_id)
        return person_from_row(row) if row else None

    def find_by_entra_id(self, entra_object_id: str) -> Person | None:
        return self._find_one(_PERSON_BY_ENTRA_ID, entra_object_id)

    def find_by_teams_user_id(self, teams_user_id: str) -> Person | None:
        return self._find_one(_PERSON_BY_TEAMS_USER_ID, teams_user_id)

    def _find_one(self, statement: LeanStatement, value: str) -> Person | None:
        self._session.flush()  # plain rows do not autoflush: see this unit of work's changes
        row = statement.first(self._session.connection(), {"value": value})
        return person_from_row(_PersonValues._make(row)) if row else None

    def find_by_email_or_upn(self, address: str) -> Person | None:
        address = address.lower()
        row = self._session.scalars(
            select(PersonRow).where(
                or_(func.lower(PersonRow.email) == address, func.lower(PersonRow.upn) == address)
            )
        ).first()
        return person_from_row(row) if row else None

    def by_addresses(self, addresses: Collection[str]) -> Mapping[str, Person]:
        wanted = {a.lower() for a in addresses}
        found: dict[str, Person] = {}
        table = PersonRow.__table__
        for batch in chunked(wanted):
            # Plain rows, not ORM objects: an import asks for hundreds of people per chunk.
            self._session.flush()
            rows = self._session.execute(
                select(table).where(
                    or_(func.lower(table.c.email).in_(batch), func.lower(table.c.upn).in_(batch))
                )
            )
            for row in rows:
                person = person_from_row(row)
                for address in (row.email, row.upn):
                    if address and address.lower() in wanted:
                        found[address.lower()] = person
        return found

    def get_many(self, person_ids: Collection[str]) -> Mapping[str, Person]:
        # Plain rows, not ORM objects (a scheduler tick reads a few hundred people).
        found: dict[str, Person] = {}
        wanted = set(person_ids)
        if wanted:
            self._session.flush()
        for batch in chunked(wanted):
            for row in self._session.execute(select(_PEOPLE).where(_PEOPLE.c.id.in_(batch))):
                found[row.id] = person_from_row(row)
        return found

    def deputised_by(self, person_id: str) -> Sequence[Person]:
        rows = self._session.scalars(
            select(PersonRow).where(PersonRow.deputy_person_id == person_id)
        )
        return [person_from_row(r) for r in rows]

    def add(self, person: Person, now: datetime) -> None:
        self._session.add(
            PersonRow(id=person.id, created_at=now, updated_at=now, **person_values(person))
        )
        self._session.flush()

    def update(self, person: Person, now: datetime) -> None:
        row = self._session.get(PersonRow, person.id)
        if row is None:
            raise LookupError(person.id)
        for key, value in person_values(person).items():
            setattr(row, key, value)
        row.updated_at = now
        self._session.flush()

    def count_contracts_owned(self, person_id: str) -> int:
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(ContractRow)
                .where(ContractRow.owner_id == person_id)
            )
            or 0
        )


class SqlAlchemyConversationRefRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, conversation_id: str, user_id: str | None) -> ConversationRef | None:
        row = self._session.scalars(
            select(ConversationRefRow).where(
                ConversationRefRow.conversation_id == conversation_id,
                ConversationRefRow.user_id == (user_id or ""),
            )
        ).first()
        return conversation_ref_from_row(row) if row else None

    def save(self, ref: ConversationRef) -> None:
        values = ref.model_dump(exclude={"id", "user_id", "kind"})
        row = self._session.get(ConversationRefRow, ref.id)
        if row is None:
            row = ConversationRefRow(id=ref.id)
            self._session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.user_id = ref.user_id or ""
        row.kind = ref.kind.value
        self._session.flush()

    def remove_conversation(self, conversation_id: str) -> int:
        result = self._session.execute(
            delete(ConversationRefRow).where(ConversationRefRow.conversation_id == conversation_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def for_person(self, person_id: str) -> ConversationRef | None:
        row = self._session.scalars(
            select(ConversationRefRow)
            .where(
                ConversationRefRow.person_id == person_id,
                ConversationRefRow.kind == ConversationKind.PERSONAL.value,
            )
            .order_by(ConversationRefRow.updated_at.desc())
        ).first()
        return conversation_ref_from_row(row) if row else None

    def procurement_channels(self) -> Sequence[ConversationRef]:
        """The channels a procurement member registered, one per channel: a row stored for a
        thread (`…;messageid=…`, before migration 0008) counts as its channel, the earliest
        registration of it wins."""
        rows = self._session.scalars(
            select(ConversationRefRow)
            .where(ConversationRefRow.is_procurement_channel.is_(True))
            .order_by(ConversationRefRow.updated_at, ConversationRefRow.id)
        ).all()
        found: dict[str, ConversationRef] = {}
        for row in rows:
            found.setdefault(
                row.conversation_id.split(";messageid=", 1)[0], conversation_ref_from_row(row)
            )
        return list(found.values())

    def get(self, ref_id: str) -> ConversationRef | None:
        row = self._session.get(ConversationRefRow, ref_id)
        return conversation_ref_from_row(row) if row else None

    def get_many(self, ref_ids: Collection[str]) -> Mapping[str, ConversationRef]:
        found: dict[str, ConversationRef] = {}
        for batch in chunked(set(ref_ids)):
            for row in self._session.scalars(
                select(ConversationRefRow).where(ConversationRefRow.id.in_(batch))
            ):
                found[row.id] = conversation_ref_from_row(row)
        return found

    def personal_for_people(self, person_ids: Collection[str]) -> Mapping[str, ConversationRef]:
        # Plain rows, not ORM objects (a scheduler tick reads a few hundred).
        found: dict[str, ConversationRef] = {}
        wanted = set(person_ids)
        if wanted:
            self._session.flush()
        refs = _CONVERSATION_REFS
        for batch in chunked(wanted):
            rows = self._session.execute(
                select(refs)
                .where(
                    refs.c.person_id.in_(batch),
                    refs.c.kind == ConversationKind.PERSONAL.value,
                )
                .order_by(refs.c.updated_at)
            )
            for row in rows:  # the latest wins
                found[row.person_id] = conversation_ref_from_row(cast(Any, row))
        return found


class SqlAlchemyUnitOfWork:
    """One session, one transaction; rolled back on exit unless committed. A repository is made
    when first used: most units of work (a turn's) use two or three of the seventeen."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        return self

    @cached_property
    def people(self) -> SqlAlchemyPeopleRepository:
        return SqlAlchemyPeopleRepository(self.session)

    @cached_property
    def conversations(self) -> SqlAlchemyConversationRefRepository:
        return SqlAlchemyConversationRefRepository(self.session)

    @cached_property
    def audit(self) -> SqlAlchemyAuditLog:
        return SqlAlchemyAuditLog(self.session)

    @cached_property
    def suppliers(self) -> SqlAlchemySupplierRepository:
        return SqlAlchemySupplierRepository(self.session)

    @cached_property
    def contracts(self) -> SqlAlchemyContractRepository:
        return SqlAlchemyContractRepository(self.session)

    @cached_property
    def checkpoints(self) -> SqlAlchemyCheckpointRepository:
        return SqlAlchemyCheckpointRepository(self.session)

    @cached_property
    def follow_ups(self) -> SqlAlchemyFollowUpRepository:
        return SqlAlchemyFollowUpRepository(self.session)

    @cached_property
    def absences(self) -> SqlAlchemyAbsenceRepository:
        return SqlAlchemyAbsenceRepository(self.session)

    @cached_property
    def calendar_feeds(self) -> SqlAlchemyCalendarFeedRepository:
        return SqlAlchemyCalendarFeedRepository(self.session)

    @cached_property
    def deliveries(self) -> SqlAlchemyDeliveryRepository:
        return SqlAlchemyDeliveryRepository(self.session)

    @cached_property
    def scheduler(self) -> SqlAlchemySchedulerState:
        return SqlAlchemySchedulerState(self.session)

    @cached_property
    def summaries(self) -> SqlAlchemySummaryQueries:
        return SqlAlchemySummaryQueries(self.session)

    @cached_property
    def portfolio(self) -> SqlAlchemyPortfolioQueries:
        return SqlAlchemyPortfolioQueries(self.session)

    @cached_property
    def answers(self) -> SqlAlchemyAnswerRepository:
        return SqlAlchemyAnswerRepository(self.session)

    @cached_property
    def documents(self) -> SqlAlchemyDocumentRepository:
        return SqlAlchemyDocumentRepository(self.session)

    @cached_property
    def deviations(self) -> SqlAlchemyDeviationRepository:
        return SqlAlchemyDeviationRepository(self.session)

    @cached_property
    def analysis(self) -> SqlAlchemyAnalysisRepository:
        return SqlAlchemyAnalysisRepository(self.session)

    @cached_property
    def archive(self) -> SqlAlchemyArchiveRepository:
        return SqlAlchemyArchiveRepository(self.session)

    @cached_property
    def risk_assessments(self) -> SqlAlchemyRiskAssessmentRepository:
        return SqlAlchemyRiskAssessmentRepository(self.session)

    @cached_property
    def supplier_evaluations(self) -> SqlAlchemySupplierEvaluationRepository:
        return SqlAlchemySupplierEvaluationRepository(self.session)

    @cached_property
    def onsite_checks(self) -> SqlAlchemyOnsiteCheckRepository:
        return SqlAlchemyOnsiteCheckRepository(self.session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        audit = self.__dict__.get("audit")
        if audit is not None:
            audit.discard()
        self.session.close()  # rolls back what was not committed, gives the connection back
        if isinstance(exc, IntegrityError):
            # A unique key taken by a concurrent transaction: the caller may retry the work.
            raise Conflict(str(exc.orig)) from exc

    def commit(self) -> None:
        try:
            self.audit.seal()  # the audit chain's head is the last lock taken, until the commit
            self.session.commit()
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from exc

    def rollback(self) -> None:
        audit = self.__dict__.get("audit")  # not made yet: nothing appended to discard
        if audit is not None:
            audit.discard()
        self.session.rollback()


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_factory)
