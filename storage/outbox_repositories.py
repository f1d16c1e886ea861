"""SQLAlchemy implementations of the outbox (deliveries), the scheduler's shared state (leases
and marks) and the numbers of the weekly summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any, Final

import orjson
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    insert,
    null,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from followup.calendar.workdays import oslo_today
from followup.models import (
    CheckpointStatus,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FollowUpState,
)
from followup.ports import (
    ClaimedDelivery,
    DeliveryOutcome,
    ListedCheckpoint,
    ListedContract,
    ListedFollowUp,
)
from followup.views import WHOLE, PortfolioCounts, Scope
from storage.bulk_insert import insert_rows
from storage.contract_repositories import chunked
from storage.mappings import delivery_from_row
from storage.portfolio_queries import (
    F,
    SqlAlchemyPortfolioQueries,
    is_deviation_open,
    is_escalated,
    is_overdue,
)
from storage.tables import (
    OPEN_STATES_SQL,
    CheckpointRow,
    ContractRow,
    DeliveryRow,
    DeviationRow,
    FollowUpRow,
    SchedulerStateRow,
    table_of,
)

_COUNTED = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value, DeliveryState.SENT.value)


class SqlAlchemyDeliveryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, deliveries: Iterable[Delivery], now: datetime) -> int:
        """Each message is serialised as its row is made (`_stored`): `deliveries` may be a
        generator that renders each message just before (`followup.reminders.planning`), and
        then no card outlives its own row. The rows go in at once (`storage.bulk_insert`:
        on PostgreSQL by COPY)."""
        rows = [
            {
                "id": d.id,
                "kind": d.kind.value,
                "recipient_person_id": d.recipient_person_id,
                "conversation_ref_id": d.conversation_ref_id,
                "follow_up_ids": d.follow_up_ids,
                "message": _stored(d.message),
                "state": d.state.value,
                "attempts": d.attempts,
                "last_error": d.last_error,
                "sent_activity_id": d.sent_activity_id,
                "next_attempt_at": d.next_attempt_at,
                "dedupe_key": d.dedupe_key,
                "claimed_by": None,
                "lease_expires_at": None,
                "created_at": d.created_at,
                "updated_at": now,
                "sent_at": d.sent_at,
            }
            for d in deliveries
        ]
        return insert_rows(self._session, table_of(DeliveryRow), rows)

    def exists(self, dedupe_key: str) -> bool:
        table = table_of(DeliveryRow)
        self._session.flush()
        found = self._session.execute(
            select(table.c.id).where(table.c.dedupe_key == dedupe_key).limit(1)
        ).first()
        return found is not None

    def get(self, delivery_id: str) -> Delivery | None:
        table = table_of(DeliveryRow)
        self._session.flush()
        row = self._session.execute(select(table).where(table.c.id == delivery_id)).first()
        return delivery_from_row(row) if row else None

    def claim(
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> Sequence[Delivery]:
        return [
            c.delivery.model_copy(update={"message": dict(c.message())})
            for c in self.claim_to_send(now, claim, lease_until, limit)
        ]

    def claim_to_send(
        self,
        now: datetime,
        claim: str,
        lease_until: datetime,
        limit: int,
        *,
        known: Collection[str] = (),
    ) -> Sequence[ClaimedDelivery]:
        """The messages come as the JSON text the column keeps (`CAST … AS TEXT`: psycopg
        would decode a JSON column as it fetches it), decoded by `ClaimedDelivery.message`
        when it is sent: two hundred cards decoded at once are a few hundred thousand objects
        that live through the whole send, and Python's collector scans them again and again.
        The messages of `known` deliveries are not read at all (the caller has them): the
        others' are then read apart."""
        table = table_of(DeliveryRow)
        claimable = or_(
            and_(
                table.c.state == DeliveryState.QUEUED.value,
                or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
            ),
            and_(
                table.c.state == DeliveryState.SENDING.value,
                table.c.lease_expires_at < now,
            ),
        )
        picked = (
            select(table.c.id)
            .where(claimable)
            .order_by(table.c.created_at, table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer at a time
            # Picked once: as a plain `IN (subquery)` PostgreSQL may plan a semi-join that
            # runs the subquery again for every row, each run skipping the rows this very
            # statement has just claimed, so far more than `limit` rows were claimed.
            .cte("picked")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        self._session.flush()
        # One statement that both picks and claims: on SQLite it takes the write lock at once
        # (no read-then-write race), on PostgreSQL the picked rows are locked and re-checked.
        self._session.execute(
            update(table)
            .where(table.c.id.in_(select(picked.c.id)), claimable)
            .values(
                state=DeliveryState.SENDING.value,
                claimed_by=claim,
                lease_expires_at=lease_until,
                attempts=table.c.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        columns = [c for c in table.c if c.name != "message"]
        claimed = (table.c.claimed_by == claim, table.c.state == DeliveryState.SENDING.value)
        if not known:
            rows = self._session.execute(
                select(
                    *columns,
                    null().label("message"),  # for `delivery_from_row`: an empty message
                    cast(table.c.message, Text).label("message_json"),
                )
                .where(*claimed)
                .order_by(table.c.created_at, table.c.id)
            )
            return [
                ClaimedDelivery(delivery_from_row(row), partial(_message, row.message_json))
                for row in rows
            ]
        found = self._session.execute(
            select(*columns, null().label("message"))
            .where(*claimed)
            .order_by(table.c.created_at, table.c.id)
        ).all()
        texts: dict[str, str | None] = {}
        dialect = self._session.get_bind().dialect.name
        for among in _among(table.c.id, [r.id for r in found if r.id not in known], dialect):
            read = select(table.c.id, cast(table.c.message, Text)).where(among)
            texts.update((row[0], row[1]) for row in self._session.execute(read))
        return [
            ClaimedDelivery(delivery_from_row(row), partial(_message, texts.get(row.id)))
            for row in found
        ]

    def finish(self, outcomes: Iterable[DeliveryOutcome]) -> int:
        rows = [
            {
                "b_id": o.delivery_id,
                "b_claim": o.claim,
                "b_state": o.state.value,
                "b_activity": o.sent_activity_id,
                "b_error": o.last_error[:2000] if o.last_error else None,
                "b_next": o.next_attempt_at,
                "b_at": o.at,
                "b_sent_at": o.at if o.state is DeliveryState.SENT else None,
            }
            for o in outcomes
        ]
        if not rows:
            return 0
        table = table_of(DeliveryRow)
        self._session.flush()
        result = self._session.connection().execute(
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.claimed_by == bindparam("b_claim"),
                table.c.state == DeliveryState.SENDING.value,
            )
            .values(
                state=bindparam("b_state"),
                sent_activity_id=bindparam("b_activity"),
                last_error=bindparam("b_error"),
                next_attempt_at=bindparam("b_next"),
                updated_at=bindparam("b_at"),
                sent_at=bindparam("b_sent_at"),
                claimed_by=None,
                lease_expires_at=None,
            ),
            rows,
        )
        return int(result.rowcount or 0)

    def counted_today(self, person_ids: Collection[str], since: datetime) -> Mapping[str, int]:
        table = table_of(DeliveryRow)
        counts: dict[str, int] = {}
        self._session.flush()
        dialect = self._session.get_bind().dialect.name
        for among in _among(table.c.recipient_person_id, person_ids, dialect):
            rows = self._session.execute(
                select(table.c.recipient_person_id, func.count())
                .where(
                    among,
                    table.c.kind == DeliveryKind.DIGEST.value,
                    table.c.state.in_(_COUNTED),
                    table.c.created_at >= since,
                )
                .group_by(table.c.recipient_person_id)
            )
            counts.update({person_id: int(count) for person_id, count in rows})
        return counts

    def recent(self, limit: int) -> Sequence[Delivery]:
        table = table_of(DeliveryRow)
        self._session.flush()
        rows = self._session.execute(
            select(table).order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
        )
        return [delivery_from_row(row) for row in rows]


def _message(stored: str | None) -> dict[str, Any]:
    value = orjson.loads(stored) if stored else None
    return value if isinstance(value, dict) else {}


def _stored(message: dict[str, Any]) -> orjson.Fragment:
    """A message as the JSON the column keeps, made now; the engine's JSON serialiser (orjson,
    `storage.db`) writes a fragment as it is."""
    return orjson.Fragment(orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS))


_STATES: Final = {state.value: state for state in FollowUpState}
_SEPARATOR: Final = ","
"""What PostgreSQL splits a list of ids given as one text on (`_among`)."""


def _among(
    column: ColumnElement[str], ids: Collection[str], dialect: str
) -> Iterator[ColumnElement[bool]]:
    """`column IN ids`, as the conditions of one statement each. PostgreSQL: all the ids in
    one text parameter that the server splits (psycopg parses a statement's placeholders
    again for every statement too long to cache: ~1.5 ms for a few hundred ids bound one by
    one); elsewhere in chunks of `IN` (SQLite binds each, cheaply)."""
    values = set(ids)
    if not values:
        return
    if dialect == "postgresql" and not any(_SEPARATOR in value for value in values):
        joined = bindparam(None, _SEPARATOR.join(values), type_=Text)
        yield column == any_(func.string_to_array(joined, _SEPARATOR))
        return
    for batch in chunked(values):
        yield column.in_(batch)


class _LineMaker:
    """Rows of `open_lines_owned_by` to `ListedFollowUp`s: each contract, checkpoint (with
    its actions) and date made once, shared by the lines that name it."""

    def __init__(self) -> None:
        self._contracts: dict[str, ListedContract] = {}
        self._checkpoints: dict[str, ListedCheckpoint] = {}
        """The active ones."""
        self._actions: dict[str | None, tuple[str, ...]] = {}
        """One tuple for all checkpoints with the same actions (a plan has a few dozen)."""
        self._days: dict[date | str, date] = {}

    def checkpoints(self, rows: Iterable[Any]) -> None:
        """Active checkpoints: id, title, and actions as JSON text."""
        known = self._checkpoints
        for checkpoint_id, title, actions in rows:
            if checkpoint_id in known:
                continue
            codes = self._actions.get(actions)
            if codes is None:
                value = orjson.loads(actions) if actions else None
                codes = self._actions[actions] = tuple(value) if isinstance(value, list) else ()
            known[checkpoint_id] = ListedCheckpoint(checkpoint_id, title, codes)

    def line(self, row: Sequence[Any]) -> ListedFollowUp | None:
        """The row's line; None when its checkpoint is not active."""
        follow_up_id, owner_id, due, state, contract_id, reference, title, checkpoint_id = row[:8]
        checkpoint = self._checkpoints.get(checkpoint_id)
        if checkpoint is None:
            return None
        contract = self._contracts.get(contract_id)
        if contract is None:
            contract = ListedContract(contract_id, reference, title)
            self._contracts[contract_id] = contract
        day = self._days.get(due)
        if day is None:
            # SQLite: the ISO text the column keeps; PostgreSQL's driver makes the date.
            day = self._days[due] = due if isinstance(due, date) else date.fromisoformat(due)
        return ListedFollowUp(follow_up_id, owner_id, day, _STATES[state], contract, checkpoint)


class SqlAlchemySchedulerState:
    def __init__(self, session: Session) -> None:
        self._session = session

    def try_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        table = table_of(SchedulerStateRow)
        self._session.flush()
        taken = self._session.execute(
            update(table)
            .where(
                table.c.name == name,
                or_(
                    table.c.holder.is_(None),
                    table.c.holder == holder,
                    table.c.expires_at.is_(None),
                    table.c.expires_at < now,
                ),
            )
            .values(holder=holder, expires_at=until, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(taken.rowcount or 0) == 1:  # type: ignore[attr-defined]
            return True
        exists = self._session.execute(select(table.c.name).where(table.c.name == name)).first()
        if exists is not None:
            return False
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(table).values(name=name, holder=holder, expires_at=until, updated_at=now)
                )
        except IntegrityError:  # another process made the row first, and holds the lease
            return False
        return True

    def release(self, name: str, holder: str) -> None:
        table = table_of(SchedulerStateRow)
        self._session.execute(
            update(table)
            .where(table.c.name == name, table.c.holder == holder)
            .values(holder=None, expires_at=None)
            .execution_options(synchronize_session=False)
        )

    def mark(self, name: str) -> str | None:
        table = table_of(SchedulerStateRow)
        self._session.flush()
        value = self._session.execute(select(table.c.value).where(table.c.name == name)).scalar()
        return str(value) if value is not None else None

    def set_mark(self, name: str, value: str, now: datetime) -> None:
        table = table_of(SchedulerStateRow)
        self._session.flush()
        changed = self._session.execute(
            update(table)
            .where(table.c.name == name)
            .values(value=value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(changed.rowcount or 0) == 0:  # type: ignore[attr-defined]
            self._session.execute(insert(table).values(name=name, value=value, updated_at=now))


class SqlAlchemySummaryQueries:
    """What the reminder messages sum up: the weekly summary's numbers, and the other overdue
    follow-ups a digest lists."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open_lines_owned_by(
        self, owner_ids: Collection[str], start: date, end: date
    ) -> Sequence[ListedFollowUp]:
        """A few thousand rows in a loaded tick: read as plain tuples, without a result
        processor per value; states, dates and the checkpoints' actions are made once each
        (`_LineMaker`). The follow-ups are found by the copy of their contract's owner they
        carry (`ix_follow_ups_open_owner`, migration 0024): one index range per owner, where
        asking by the contracts' owner read every open follow-up due in the period and its
        contract (~215 ms a tick over 1 000 000 follow-ups on SQLite).

        On PostgreSQL the contracts and the checkpoints come in statements of their own, by
        id: joined in one, PostgreSQL cannot tell how many follow-ups the owners' id list
        finds and scans every contract (and hashed every active checkpoint in parallel
        workers): 60 ms (and ~90 ms) of server time in a loaded tick over 1 000 000
        follow-ups (bench/tick.py) against a few for the lookups by id. SQLite looks each up
        by id in the join."""
        follow_ups, contracts = table_of(FollowUpRow), table_of(ContractRow)
        checkpoints = table_of(CheckpointRow)
        self._session.flush()
        connection = self._session.connection()
        joined = connection.dialect.name != "postgresql"
        columns: list[Any] = [
            follow_ups.c.id,
            follow_ups.c.owner_id,
            type_coerce(follow_ups.c.due_date, String),
            follow_ups.c.state,
            follow_ups.c.contract_id,
        ]
        if joined:
            columns += [contracts.c.reference, contracts.c.title]
        columns.append(follow_ups.c.checkpoint_id)
        make = _LineMaker()
        rows: list[Any] = []
        for among in _among(follow_ups.c.owner_id, owner_ids, connection.dialect.name):
            query = select(*columns).where(
                among,
                text(OPEN_STATES_SQL),  # the partial index's own words
                follow_ups.c.due_date >= start,
                follow_ups.c.due_date <= end,
            )
            if joined:
                query = (
                    query.add_columns(checkpoints.c.title, cast(checkpoints.c.actions, Text))
                    .join(contracts, contracts.c.id == follow_ups.c.contract_id)
                    .join(
                        checkpoints,
                        and_(
                            checkpoints.c.id == follow_ups.c.checkpoint_id,
                            checkpoints.c.status == CheckpointStatus.ACTIVE.value,
                        ),
                    )
                )
            found = connection.execute(query).all()
            if joined:
                make.checkpoints((row[7], row[8], row[9]) for row in found)
            rows += found
        if not joined and rows:
            # The ids as one array parameter: PostgreSQL knows how many there are and chooses
            # by its costs (at 1 000 000 follow-ups, ~3 000 of 95 000 contracts: still a scan,
            # 25 ms against the joined statement's 60).
            ids = bindparam(None, list({row[4] for row in rows}), type_=ARRAY(String))
            named = {
                row[0]: (row[1], row[2])
                for row in connection.execute(
                    select(contracts.c.id, contracts.c.reference, contracts.c.title).where(
                        contracts.c.id == any_(ids)
                    )
                )
            }
            # A contract deleted since the first statement took its follow-ups along.
            rows = [(*row[:5], *named[row[4]], row[5]) for row in rows if row[4] in named]
            for among in _among(checkpoints.c.id, {row[7] for row in rows}, "postgresql"):
                make.checkpoints(
                    connection.execute(
                        select(
                            checkpoints.c.id,
                            checkpoints.c.title,
                            cast(checkpoints.c.actions, Text),
                        ).where(among, checkpoints.c.status == CheckpointStatus.ACTIVE.value)
                    ).all()
                )
        return [line for line in map(make.line, rows) if line is not None]

    def weekly_counts(
        self, since: datetime, today: date, *, until: date | None = None
    ) -> PortfolioCounts:
        """The same definitions as procurement's `status` card (`storage.portfolio_queries`):
        overdue, escalated, open deviations and unreachable owners (with an open follow-up),
        so the weekly card and `status` agree; answered: follow-ups first answered from
        `since` to `until` (`today` unless told), on time when that was by their due date."""
        session = self._session
        session.flush()
        first = F.c.first_answered_on
        answered_since = and_(first >= oslo_today(since), first <= (until or today))
        row = session.execute(
            select(
                func.count().filter(answered_since).label("answered"),
                func.count().filter(and_(answered_since, first <= F.c.due_date)).label("on_time"),
                func.count().filter(is_overdue(today)).label("overdue"),
                func.count().filter(is_escalated(today)).label("escalated"),
            ).select_from(F)
        ).one()
        deviations = table_of(DeviationRow)
        by_severity = Counter(
            {
                str(severity): int(count)
                for severity, count in session.execute(
                    select(deviations.c.severity, func.count())
                    .where(is_deviation_open())
                    .group_by(deviations.c.severity)
                )
            }
        )
        unreachable = SqlAlchemyPortfolioQueries(session).unreachable_owners(
            Scope.everything(), WHOLE, 50
        )
        return PortfolioCounts(
            answered=int(row.answered or 0),
            answered_on_time=int(row.on_time or 0),
            overdue=int(row.overdue or 0),
            escalated=int(row.escalated or 0),
            open_deviations=dict(by_severity),
            unreachable_people=list(unreachable),
        )
