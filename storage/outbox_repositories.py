"""SQLAlchemy implementations of the outbox (deliveries), the scheduler's shared state (leases
and marks) and the numbers of the weekly summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

import orjson
from sqlalchemy import Text, and_, bindparam, cast, func, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from followup.calendar.workdays import oslo_today
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
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
    CheckpointRow,
    ContractRow,
    DeliveryRow,
    DeviationRow,
    FollowUpRow,
    SchedulerStateRow,
    table_of,
)

_OPEN = sorted(s.value for s in OPEN_FOLLOW_UP_STATES)
_COUNTED = (DeliveryState.QUEUED.value, DeliveryState.SENDING.value, DeliveryState.SENT.value)


class SqlAlchemyDeliveryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, deliveries: Iterable[Delivery], now: datetime) -> int:
        """Each message is serialised as its row is made (`_stored`): `deliveries` may be a
        generator that renders each message just before (`followup.reminders.planning`), and
        then no card outlives its own row."""
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
        if rows:
            self._session.flush()
            self._session.connection().execute(insert(table_of(DeliveryRow)), rows)
        return len(rows)

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
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> Sequence[ClaimedDelivery]:
        """The messages come as the JSON text the column keeps (`CAST … AS TEXT`: psycopg
        would decode a JSON column as it fetches it), decoded by `ClaimedDelivery.message`
        when it is sent: two hundred cards decoded at once are a few hundred thousand objects
        that live through the whole send, and Python's collector scans them again and again."""
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
        rows = self._session.execute(
            select(
                *columns,
                null().label("message"),  # for `delivery_from_row`: an empty message
                cast(table.c.message, Text).label("message_json"),
            )
            .where(table.c.claimed_by == claim, table.c.state == DeliveryState.SENDING.value)
            .order_by(table.c.created_at, table.c.id)
        )
        return [
            ClaimedDelivery(delivery_from_row(row), partial(_message, row.message_json))
            for row in rows
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
        for batch in chunked(set(person_ids)):
            rows = self._session.execute(
                select(table.c.recipient_person_id, func.count())
                .where(
                    table.c.recipient_person_id.in_(batch),
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
        follow_ups, contracts = table_of(FollowUpRow), table_of(ContractRow)
        checkpoints = table_of(CheckpointRow)
        self._session.flush()
        found: list[ListedFollowUp] = []
        contract_of: dict[str, ListedContract] = {}
        checkpoint_of: dict[str, ListedCheckpoint] = {}
        # One tuple for all checkpoints with the same actions (a plan has a few dozen).
        codes_of: dict[tuple[str, ...], tuple[str, ...]] = {}
        for batch in chunked(set(owner_ids)):
            rows = self._session.execute(
                select(
                    follow_ups.c.id,
                    contracts.c.owner_id,
                    follow_ups.c.due_date,
                    follow_ups.c.state,
                    contracts.c.id.label("contract_id"),
                    contracts.c.reference,
                    contracts.c.title,
                    checkpoints.c.id.label("checkpoint_id"),
                    checkpoints.c.title.label("checkpoint_title"),
                    checkpoints.c.actions,
                )
                .join(contracts, contracts.c.id == follow_ups.c.contract_id)
                .join(checkpoints, checkpoints.c.id == follow_ups.c.checkpoint_id)
                .where(
                    contracts.c.owner_id.in_(batch),
                    follow_ups.c.state.in_(_OPEN),
                    follow_ups.c.due_date >= start,
                    follow_ups.c.due_date <= end,
                    checkpoints.c.status == CheckpointStatus.ACTIVE.value,
                )
            )
            for row in rows:
                contract = contract_of.get(row.contract_id)
                if contract is None:
                    contract = contract_of[row.contract_id] = ListedContract(
                        row.contract_id, row.reference, row.title
                    )
                checkpoint = checkpoint_of.get(row.checkpoint_id)
                if checkpoint is None:
                    codes = tuple(row.actions or ())
                    checkpoint = checkpoint_of[row.checkpoint_id] = ListedCheckpoint(
                        row.checkpoint_id, row.checkpoint_title, codes_of.setdefault(codes, codes)
                    )
                found.append(
                    ListedFollowUp(
                        row.id,
                        row.owner_id,
                        row.due_date,
                        FollowUpState(row.state),
                        contract,
                        checkpoint,
                    )
                )
        return found

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
