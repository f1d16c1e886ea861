"""Fakes: the edges we do not own (Teams' Bot Connector with injected faults, the clock) and a
unit of work kept in dicts, for verb-level unit tests of `followup` services."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Self

from aiohttp import web

from bot.devchannel.connector import ConnectorStandIn
from followup.errors import Conflict, DeliveryFailed
from followup.models import Absence, AuditEvent, ConversationRef, Person, Role
from followup.ports import OutgoingMessage


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    code: str
    retry_after: float | None = None


class FaultyConnector(ConnectorStandIn):
    """The local Bot Connector stand-in, answering the next requests with the queued faults."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: deque[Fault] = deque()
        self.conversation_members: dict[str, list[str]] = {}
        """The member ids of a conversation (a channel: its id without `;messageid=`), when
        set; otherwise everyone added with `add_member` is a member of every conversation."""

    async def _members_paged(self, request: web.Request) -> web.Response:
        conversation = request.match_info.get("cid", "").split(";", 1)[0]
        ids = self.conversation_members.get(conversation)
        if ids is None:
            return await super()._members_paged(request)
        return web.json_response(
            {"members": [dict(self._members[i]) for i in ids if i in self._members]}
        )

    def fail_next(
        self, status: int, code: str, *, retry_after: float | None = None, times: int = 1
    ) -> None:
        for _ in range(times):
            self.faults.append(Fault(status, code, retry_after))

    async def before_request(self, request: web.Request) -> web.Response | None:
        if not self.faults:
            return None
        fault = self.faults.popleft()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return web.json_response(
            {"error": {"code": fault.code, "message": "injected by the test"}},
            status=fault.status,
            headers=headers,
        )


class FakeNotifier:
    """Teams, recording what was sent; fails the next sends to a conversation when told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        """(conversation id, text) of every successful send."""
        self.calls = 0
        self.failures: dict[str, deque[DeliveryFailed]] = {}
        self.on_send: Callable[[], None] | None = None

    def fail(self, conversation_id: str, *failures: DeliveryFailed) -> None:
        self.failures.setdefault(conversation_id, deque()).extend(failures)

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> str | None:
        self.calls += 1
        await asyncio.sleep(0)  # let other sends interleave, as real I/O would
        if self.on_send is not None:
            self.on_send()
        queue = self.failures.get(ref.conversation_id)
        if queue:
            raise queue.popleft()
        self.sent.append((ref.conversation_id, message.text))
        return f"activity-{len(self.sent)}"


# --- a unit of work in dicts ---------------------------------------------------------------------


class FakeStore:
    """What fake units of work have committed: plain dicts keyed by id (the "database")."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.absences: dict[str, Absence] = {}
        self.audit: dict[str, AuditEvent] = {}

    def copy(self) -> FakeStore:
        other = FakeStore()
        other.people = {k: v.model_copy(deep=True) for k, v in self.people.items()}
        other.absences = {k: v.model_copy(deep=True) for k, v in self.absences.items()}
        other.audit = {k: v.model_copy(deep=True) for k, v in self.audit.items()}
        return other


class FakePeopleRepository:
    """`followup.ports.PeopleRepository`, the methods the tested verbs use. Models are copied in
    and out, as rows are: changing a returned person changes nothing until `update`."""

    def __init__(self, rows: dict[str, Person]) -> None:
        self._rows = rows

    def get(self, person_id: str) -> Person | None:
        found = self._rows.get(person_id)
        return found.model_copy(deep=True) if found else None

    def get_many(self, person_ids: Collection[str]) -> Mapping[str, Person]:
        return {i: p.model_copy(deep=True) for i, p in self._rows.items() if i in person_ids}

    def find_by_email_or_upn(self, address: str) -> Person | None:
        wanted = address.lower()
        for person in self._rows.values():
            if wanted in {a.lower() for a in (person.email, person.upn) if a}:
                return person.model_copy(deep=True)
        return None

    def add(self, person: Person, now: datetime) -> None:
        if person.id in self._rows:
            raise Conflict(f"person {person.id} exists")
        self._rows[person.id] = person.model_copy(deep=True)

    def update(self, person: Person, now: datetime) -> None:
        if person.id not in self._rows:
            raise LookupError(person.id)
        self._rows[person.id] = person.model_copy(deep=True)


class FakeAbsenceRepository:
    """`followup.ports.AbsenceRepository`: absences ending on or after a day, earliest first."""

    def __init__(self, rows: dict[str, Absence]) -> None:
        self._rows = rows

    def for_people(self, person_ids: Collection[str], on_or_after: date) -> Sequence[Absence]:
        found = [
            a for a in self._rows.values() if a.person_id in person_ids and a.end >= on_or_after
        ]
        return [a.model_copy(deep=True) for a in sorted(found, key=lambda a: a.start)]

    def add(self, absence: Absence) -> None:
        if absence.id in self._rows:
            raise Conflict(f"absence {absence.id} exists")
        self._rows[absence.id] = absence.model_copy(deep=True)

    def remove(self, absence_id: str) -> bool:
        return self._rows.pop(absence_id, None) is not None

    def covered_by(self, deputy_id: str, on_or_after: date) -> Sequence[Absence]:
        found = [
            a
            for a in self._rows.values()
            if a.deputy_person_id == deputy_id and a.end >= on_or_after
        ]
        return [a.model_copy(deep=True) for a in sorted(found, key=lambda a: a.start)]


class FakeAuditLog:
    """`followup.ports.AuditLog`, in the order events were appended."""

    def __init__(self, rows: dict[str, AuditEvent]) -> None:
        self._rows = rows

    def append(self, event: AuditEvent) -> None:
        self._rows[event.id] = event.model_copy(deep=True)

    def append_many(self, events: Iterable[AuditEvent]) -> int:
        count = 0
        for event in events:
            self.append(event)
            count += 1
        return count

    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEvent]:
        found = [e for e in self._rows.values() if (e.entity, e.entity_id) == (entity, entity_id)]
        return [e.model_copy(deep=True) for e in sorted(found, key=lambda e: e.at)]


class FakePortfolioQueries:
    """The one `followup.ports.PortfolioQueries` query the role verbs ask (`lock` has nothing
    to lock here: a fake unit of work is never concurrent)."""

    def __init__(self, people: dict[str, Person]) -> None:
        self._people = people

    def people_with_role(self, role: Role, *, lock: bool = False) -> Sequence[Person]:
        return [p.model_copy(deep=True) for p in self._people.values() if role in p.roles]


class FakeUnitOfWork:
    """`followup.ports.UnitOfWork` over a `FakeStore`: it works on a copy of what was committed,
    `commit` makes that copy the store's, and leaving without committing (or `rollback`) drops
    it, as a transaction would. Only the repositories above exist: a verb that needs another
    fails with AttributeError rather than passing against a stand-in that does nothing."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.commits = 0
        self.rollbacks = 0
        self._begin()

    def _begin(self) -> None:
        self._work = self.store.copy()
        self.people = FakePeopleRepository(self._work.people)
        self.absences = FakeAbsenceRepository(self._work.absences)
        self.audit = FakeAuditLog(self._work.audit)
        self.portfolio = FakePortfolioQueries(self._work.people)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.commits += 1
        committed = self._work.copy()
        self.store.people = committed.people
        self.store.absences = committed.absences
        self.store.audit = committed.audit

    def rollback(self) -> None:
        self.rollbacks += 1
        self._begin()


class FakeUnitOfWorkFactory:
    """`followup.ports.UnitOfWorkFactory`: every unit of work it made is kept in `made`."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.made: list[FakeUnitOfWork] = []

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.store)
        self.made.append(uow)
        return uow

    @property
    def commits(self) -> int:
        return sum(u.commits for u in self.made)
