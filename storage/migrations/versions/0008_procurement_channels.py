"""procurement channels: registered only by a procurement member; one registration per channel

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00.000000

Until now every channel the bot met became a procurement channel, and every @mention in a new
thread of a channel stored it again under the thread's id (`19:…@thread.tacv2;messageid=…`),
so alerts were posted once per row. From now on a channel is stored once, under its own id, and
only a member of the procurement team registers it (`innkjøpskanal på`, audited).

This migration merges the rows of each channel: one row is kept (the one under the channel's
own id, else the most recently updated), renamed to the channel's id, a procurement channel
when any of the channel's rows was. Deliveries of the rows removed move to the kept row; a
queued one that the kept row already has queued (same kind, message and follow-ups: the same
alert planned once per row) is marked skipped rather than posted twice.

Registrations made automatically are KEPT: nothing records how a registration was made (the
audit trail says `channel.registered` by `teams:<conversation>` for all of them), and a
municipality relying on one would silently lose its alerts. They are safe to keep: what names a
contract is posted in a channel only when every member may see it (checked when it is sent),
and procurement removes a channel it does not want with `innkjøpskanal av` (README,
Reminders).

Downgrade: nothing to undo. The merged rows are valid under the older code (a channel's id
without the thread is what Teams uses to post in it) and are not split again.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THREAD = ";messageid="
WAITING = ("queued", "sending")
SKIPPED_BECAUSE = "samme kanal som en annen registrering (migrering 0008)"

refs = sa.table(
    "conversation_refs",
    sa.column("id", sa.String),
    sa.column("conversation_id", sa.String),
    sa.column("user_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("is_procurement_channel", sa.Boolean),
    sa.column("updated_at", sa.DateTime),
)
deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.String),
    sa.column("conversation_ref_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("message", sa.JSON),
    sa.column("follow_up_ids", sa.JSON),
    sa.column("last_error", sa.Text),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            refs.c.id,
            refs.c.conversation_id,
            refs.c.user_id,
            refs.c.is_procurement_channel,
            refs.c.updated_at,
        ).where(refs.c.kind == "channel")
    ).all()
    channels: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        channels[(row.conversation_id.split(THREAD, 1)[0], row.user_id or "")].append(row)
    for (channel, _user), found in sorted(channels.items()):
        if len(found) == 1 and found[0].conversation_id == channel:
            continue
        keep = next((r for r in found if r.conversation_id == channel), None) or max(
            found, key=lambda r: (str(r.updated_at), r.id)
        )
        others = [r.id for r in found if r.id != keep.id]
        if others:
            _move_deliveries(conn, others, keep.id)
            conn.execute(sa.delete(refs).where(refs.c.id.in_(others)))
        conn.execute(
            sa.update(refs)
            .where(refs.c.id == keep.id)
            .values(
                conversation_id=channel,
                is_procurement_channel=any(bool(r.is_procurement_channel) for r in found),
            )
        )


def _signature(row: Any) -> tuple[str, str, str]:
    return (
        row.kind,
        json.dumps(row.message, sort_keys=True, default=str),
        json.dumps(sorted(row.follow_up_ids or []), default=str),
    )


def _move_deliveries(conn: sa.Connection, from_ids: list[str], to_id: str) -> None:
    columns = (
        deliveries.c.id,
        deliveries.c.kind,
        deliveries.c.state,
        deliveries.c.message,
        deliveries.c.follow_up_ids,
    )
    waiting = {
        _signature(d)
        for d in conn.execute(
            sa.select(*columns).where(
                deliveries.c.conversation_ref_id == to_id, deliveries.c.state.in_(WAITING)
            )
        )
    }
    moved = conn.execute(
        sa.select(*columns)
        .where(deliveries.c.conversation_ref_id.in_(from_ids))
        .order_by(deliveries.c.id)
    ).all()
    for d in moved:
        values: dict[str, Any] = {"conversation_ref_id": to_id}
        if d.state in WAITING:
            signature = _signature(d)
            if signature in waiting:
                values.update(state="skipped", last_error=SKIPPED_BECAUSE)
            waiting.add(signature)
        conn.execute(sa.update(deliveries).where(deliveries.c.id == d.id).values(**values))


def downgrade() -> None:
    pass
