"""Procurement hears of archive messages that failed for good (issue 17: "a dead letter visible
to procurement").

After each send, the failures since the last alert go to the procurement channels as one card
(`ArchiveAlertRenderer`), marked with the contracts it names so a channel gets it only where
every member may see them (`followup.reminders.channel_guard`). The scheduler mark
`archive-failures-alerted-at` holds the newest failure already told, so each failure is told
once, whichever process sends; `arkiv` in chat lists them all at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from followup.archive.ports import ArchiveUnitOfWork, FailedArchiveMessage
from followup.archive.services import FAILED_LISTED
from followup.models import Delivery, DeliveryKind
from followup.ports import OutgoingMessage, UnitOfWork
from followup.reminders.channel_guard import naming_contracts
from followup.reminders.planning import message_json

ALERTED_MARK: Final = "archive-failures-alerted-at"


class ArchiveAlertUnitOfWork(UnitOfWork, ArchiveUnitOfWork, Protocol):
    """The product's unit of work: outbox, conversations, scheduler marks and the archive."""


class ArchiveAlertRenderer(Protocol):
    """Renders the alert card (`bot.archive.cards.ArchiveCards`)."""

    def archive_failures(self, failures: Sequence[FailedArchiveMessage]) -> OutgoingMessage: ...


def queue_failure_alerts(
    uow: ArchiveAlertUnitOfWork, now: datetime, renderer: ArchiveAlertRenderer
) -> int:
    """Queue one card to each procurement channel naming the failures newer than the last
    alert (at most `FAILED_LISTED`, newest first); the number of deliveries queued. The caller
    commits."""
    told = uow.scheduler.mark(ALERTED_MARK)
    since = datetime.fromisoformat(told) if told else None
    fresh = [f for f in uow.archive.failed(FAILED_LISTED) if since is None or f.at > since]
    if not fresh:
        return 0
    newest = max(f.at for f in fresh)
    uow.scheduler.set_mark(ALERTED_MARK, newest.isoformat(), now)
    channels = uow.conversations.procurement_channels()
    if not channels:
        return 0
    message = message_json(
        naming_contracts(renderer.archive_failures(fresh), sorted({f.contract_id for f in fresh}))
    )
    key = f"archive-failed:{newest.isoformat()}"
    deliveries = [
        Delivery(
            kind=DeliveryKind.ARCHIVE,
            recipient_person_id=channel.person_id,
            conversation_ref_id=channel.id,
            message=message,
            dedupe_key=f"{key}:{channel.id}",
            created_at=now,
        )
        for channel in channels
        if not uow.deliveries.exists(f"{key}:{channel.id}")
    ]
    return uow.deliveries.add_many(deliveries, now) if deliveries else 0


__all__ = ["ALERTED_MARK", "ArchiveAlertRenderer", "ArchiveAlertUnitOfWork", "queue_failure_alerts"]
