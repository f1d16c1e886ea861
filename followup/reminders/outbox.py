"""Proactive reminders, the sending half: send what the planner put in the outbox, once.

`send_outbox` claims queued deliveries in batches (a claim is a lease: state `sending`, the
claim's token, an expiry), sends each through the `Notifier` port, paced by a `Pacer`, and
records the outcome under the same claim. Several senders (in several processes, on one
PostgreSQL) never claim the same delivery; a sender that dies leaves its claims to expire, and
the next sender takes them again.

Exactly once, and where it cannot be: a delivery is sent again only when its claim expired
while it was `sending`, which happens only if a sender died between handing a message to
Teams and recording it. Teams takes no idempotency key, so a message in flight at the moment
a process is killed may arrive twice; never lost, and doubled at most what was sent but not
yet recorded: the sends in flight (at most `concurrency`) and the outcomes waiting for a flush or
being flushed. A flush starts every `flush_every` outcomes and, in a slow fan-out, every
`flush_seconds` (a timer), so the outcomes not yet recorded are those of the last
`flush_seconds` plus three flush writes at most (one running when the timer fires, the timer's
own, and the write before its wait began; milliseconds each), and never more than the count
rule allows: fewer than `concurrency + 4 * flush_every` in all (sends go on while a flush is
written, until twice `flush_every` outcomes wait; 118 were seen with 16 and 100). With the
defaults and one tenant paced at 30 sends a second that is about 16 + 30.

While one batch is sent the next is claimed, so the database round trip does not stall the
sends. A sender that is stopped (`stop` event, SIGTERM) or cancelled finishes and records what
it has in flight first, so a stop doubles nothing.

Retries: 412, 429, 502, 503, 504 and no answer are retried with exponential backoff and full
jitter, honouring `Retry-After`; a 429 also holds the whole sender (`Pacer.hold_all`). A wait
longer than `inline_wait_seconds` puts the delivery back in the queue with `next_attempt_at`;
after `max_attempts` it fails. 403 and 404 are final: the person is marked unreachable and the
procurement channels are told which follow-ups are stuck with them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, TypeVar

from followup.errors import DeliveryFailed
from followup.models import ConversationRef, Delivery, DeliveryKind, DeliveryState
from followup.ports import (
    ClaimedDelivery,
    DeliveryOutcome,
    Notifier,
    OutgoingMessage,
    UnitOfWork,
    UnitOfWorkFactory,
)
from followup.reminders.pacing import Pacer
from followup.reminders.planning import (
    PlannedMessages,
    ReminderRenderer,
    message_from_json,
    report_unreachable,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
RunSync = Callable[[Callable[[], T]], Awaitable[T]]

MAX_ERROR_CHARS: Final = 500


@dataclass(frozen=True, slots=True)
class SenderSettings:
    concurrency: int = 16
    claim_batch: int = 200
    """Deliveries per claim. Smaller batches keep each trip to the database short, so chat
    turns served by the same process wait less (bench/busy_turns.py: p99 237 → 172 ms on
    SQLite at 500 → 200) at no cost in throughput."""
    lease_seconds: int = 300
    max_attempts: int = 8
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 900.0
    inline_wait_seconds: float = 60.0
    """Waits up to this long happen in the sender; longer ones go back to the queue."""
    flush_every: int = 100
    """Outcomes recorded per transaction (fewer commits; more resent if the process dies)."""
    flush_seconds: float = 1.0
    """Outcomes waiting this long are recorded even if fewer than `flush_every`: a process
    killed in a slow fan-out sends again about this many seconds of sends, not `flush_every`."""


@dataclass(slots=True)
class SendReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    requeued: int = 0
    failed: int = 0
    unreachable: int = 0
    throttled: int = 0
    lost_claims: int = 0
    """Outcomes not recorded because the claim had expired and another sender took it."""


async def _in_thread(work: Callable[[], T]) -> T:
    return await asyncio.to_thread(work)


@dataclass(frozen=True, slots=True)
class _Claimed:
    claim: str
    deliveries: list[ClaimedDelivery]
    refs: dict[str, ConversationRef]
    planned: dict[str, OutgoingMessage] = field(default_factory=dict)
    """The messages of those of them this process planned (`PlannedMessages`)."""


@dataclass(slots=True)
class _Batch:
    outcomes: list[DeliveryOutcome] = field(default_factory=list)
    unreachable: list[tuple[Delivery, str]] = field(default_factory=list)


# Keeps a unit-of-work factory: a long-running sender that commits each claim and outcome apart.
class OutboxSender:
    """Sends the outbox; one per process (its `holder` names it in claims). `planned`: the
    digests this process's planner has just put in the outbox, sent as they were made
    instead of decoded from the outbox (`PlannedMessages`)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        renderer: ReminderRenderer,
        clock: Clock,
        pacer: Pacer,
        *,
        holder: str,
        settings: SenderSettings | None = None,
        run_sync: RunSync[object] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._renderer = renderer
        self._clock = clock
        self._pacer = pacer
        self._holder = holder
        self._settings = settings or SenderSettings()
        self._run_sync = run_sync or _in_thread
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self._sleep = sleep
        self._claims = 0
        self.planned = PlannedMessages()

    async def _db(self, work: Callable[[], T]) -> T:
        return await self._run_sync(work)  # type: ignore[return-value]

    async def send_all(self, stop: asyncio.Event | None = None) -> SendReport:
        """Claim and send until nothing is left to send now (or `stop` is set).

        Cancelled, it stops as if `stop` were set (what is in flight is sent and recorded, the
        rest goes back to the queue) and then lets the cancellation go on: APScheduler's
        `shutdown` cancels a running tick, and claims left to their leases would wait minutes
        and send again what was in flight."""
        stop = stop or asyncio.Event()
        report = SendReport()
        work = asyncio.ensure_future(self._send_all(stop, report))
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            stop.set()
            await work  # a second cancellation gives up waiting
            raise
        return report

    async def _send_all(self, stop: asyncio.Event, report: SendReport) -> None:
        # Pipelined: while one batch is sent, the next is claimed (its lease covers the wait).
        # A batch claimed when `stop` is set goes straight back to the queue in `_send_batch`.
        claiming: asyncio.Future[_Claimed] | None = (
            None if stop.is_set() else asyncio.ensure_future(self._db(self._claim))
        )
        while claiming is not None:
            claimed = await claiming
            claiming = None
            if not claimed.deliveries:
                break
            report.claimed += len(claimed.deliveries)
            full = len(claimed.deliveries) >= self._settings.claim_batch
            if full and not stop.is_set():
                claiming = asyncio.ensure_future(self._db(self._claim))
            unreachable_before = report.unreachable
            await self._send_batch(claimed, report, stop)
            # A 403/404 queues a notice to procurement: send it in this round, not the next.
            if claiming is None and not stop.is_set() and report.unreachable > unreachable_before:
                claiming = asyncio.ensure_future(self._db(self._claim))
        if report.claimed:
            log.info(
                "outbox sent",
                extra={
                    "claimed": report.claimed,
                    "sent": report.sent,
                    "retried": report.retried,
                    "requeued": report.requeued,
                    "failed": report.failed,
                    "unreachable": report.unreachable,
                    "throttled": report.throttled,
                },
            )

    def _claim(self) -> _Claimed:
        """Claims a batch and loads its conversations, in one trip to the database thread."""
        self._claims += 1
        claim = f"{self._holder}:{self._claims}"
        now = self._clock()
        lease_until = now + timedelta(seconds=self._settings.lease_seconds)
        known = self.planned.ids()
        with self._uow_factory() as uow:
            deliveries = list(
                uow.deliveries.claim_to_send(
                    now, claim, lease_until, self._settings.claim_batch, known=known
                )
            )
            uow.commit()
            planned = self._take_planned(uow, [c.delivery.id for c in deliveries], known)
            refs = (
                dict(
                    uow.conversations.get_many(
                        {
                            c.delivery.conversation_ref_id
                            for c in deliveries
                            if c.delivery.conversation_ref_id
                        }
                    )
                )
                if deliveries
                else {}
            )
        return _Claimed(claim, deliveries, refs, planned)

    def _take_planned(
        self, uow: UnitOfWork, claimed: list[str], known: Collection[str]
    ) -> dict[str, OutgoingMessage]:
        """The messages of the claimed deliveries that were planned here (their messages were
        not read): from `planned`, or, should one be gone from it since, from the outbox."""
        taken: dict[str, OutgoingMessage] = {}
        for delivery_id in claimed:
            if delivery_id not in known:
                continue
            message = self.planned.take(delivery_id)
            if message is None:
                stored = uow.deliveries.get(delivery_id)
                message = message_from_json(stored.message if stored else {})
            taken[delivery_id] = message
        return taken

    async def _send_batch(
        self, claimed: _Claimed, report: SendReport, stop: asyncio.Event | None
    ) -> None:
        claim, refs, planned = claimed.claim, claimed.refs, claimed.planned
        pending = _Batch()
        flushing = asyncio.Lock()
        flushes: list[asyncio.Future[None]] = []

        async def flush() -> None:
            async with flushing:
                batch, pending.outcomes, pending.unreachable = (
                    _Batch(pending.outcomes, pending.unreachable),
                    [],
                    [],
                )
                if batch.outcomes:
                    recorded = await self._db(lambda: self._record(batch))
                    report.lost_claims += len(batch.outcomes) - recorded

        async def one(claimed: ClaimedDelivery) -> None:
            delivery = claimed.delivery
            if stop is not None and stop.is_set():
                # Not sent: back to the queue at once rather than after the lease.
                pending.outcomes.append(self._requeue(delivery, claim, None, "stopped"))
                return
            outcome = await self._send_one(
                claimed,
                claim,
                refs.get(delivery.conversation_ref_id or ""),
                report,
                planned.pop(delivery.id, None),
            )
            pending.outcomes.append(outcome)
            if outcome.state is DeliveryState.UNREACHABLE and delivery.recipient_person_id:
                pending.unreachable.append((delivery, outcome.last_error or ""))
            every = self._settings.flush_every
            if len(pending.outcomes) >= every:
                if len(pending.outcomes) >= 2 * every:
                    # The database is slower than the sends: wait for it (this bounds
                    # what a killed process can have sent but not recorded).
                    await flush()
                elif not flushes or flushes[-1].done():
                    # Recorded while the sends go on.
                    flushes.append(asyncio.ensure_future(flush()))

        # `concurrency` workers, each taking the next delivery in order: no more sends in
        # flight than that, and no task per delivery waiting its turn (a claim is hundreds).
        waiting = iter(claimed.deliveries)

        async def worker() -> None:
            for claimed_delivery in waiting:
                await one(claimed_delivery)

        finished = asyncio.Event()

        async def flush_on_timer() -> None:
            # Not `self._sleep` (the retries' sleep, replaced by tests): real seconds.
            while not finished.is_set():
                try:
                    await asyncio.wait_for(finished.wait(), self._settings.flush_seconds)
                except TimeoutError:
                    if pending.outcomes:
                        await flush()  # also waits for a flush being written

        timer = asyncio.ensure_future(flush_on_timer())
        try:
            workers = max(1, min(self._settings.concurrency, len(claimed.deliveries)))
            await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            finished.set()
            await timer
        await asyncio.gather(*flushes)
        await flush()

    def _record(self, batch: _Batch) -> int:
        now = self._clock()
        with self._uow_factory() as uow:
            recorded = uow.deliveries.finish(batch.outcomes)
            for delivery, reason in batch.unreachable:
                report_unreachable(
                    uow,
                    delivery.recipient_person_id or "",
                    delivery.follow_up_ids,
                    reason,
                    now,
                    self._renderer,
                )
            uow.commit()
        return recorded

    async def _send_one(
        self,
        claimed: ClaimedDelivery,
        claim: str,
        ref: ConversationRef | None,
        report: SendReport,
        planned: OutgoingMessage | None = None,
    ) -> DeliveryOutcome:
        """Send one delivery: `planned`, its message as this process planned it, or the one
        the outbox keeps, decoded only now (see `claim_to_send`)."""
        settings = self._settings
        delivery = claimed.delivery
        if ref is None:
            report.unreachable += 1
            return self._outcome(
                delivery, claim, DeliveryState.UNREACHABLE, error="ingen samtale å sende til"
            )
        message = planned if planned is not None else message_from_json(claimed.message())
        tries = 0
        while True:
            await self._pacer.wait_turn(ref.tenant_id or "", ref.conversation_id)
            try:
                activity_id = await self._notifier.send(ref, message)
            except DeliveryFailed as exc:
                failure: DeliveryFailed = exc
            except Exception as exc:  # the network, a timeout: worth another try
                log.warning("send failed", extra={"delivery": delivery.id, "error": str(exc)})
                failure = DeliveryFailed(str(exc) or type(exc).__name__, status=0, final=False)
            else:
                self._pacer.sent()
                report.sent += 1
                return self._outcome(delivery, claim, DeliveryState.SENT, activity_id=activity_id)
            finally:
                self._pacer.finished(ref.tenant_id or "", ref.conversation_id)
            error = f"{failure.status}: {failure}"[:MAX_ERROR_CHARS]
            if failure.final:
                report.unreachable += 1
                return self._outcome(delivery, claim, DeliveryState.UNREACHABLE, error=error)
            if not failure.retryable:
                report.failed += 1
                return self._outcome(delivery, claim, DeliveryState.FAILED, error=error)
            tries += 1
            wait = self._backoff(delivery.attempts + tries - 1, failure.retry_after)
            if failure.status == 429:
                report.throttled += 1
                self._pacer.hold_all(wait)
            # Sends so far: one per earlier claim (`attempts` counts this claim too), and
            # this claim's tries.
            if delivery.attempts - 1 + tries >= settings.max_attempts:
                report.failed += 1
                return self._outcome(delivery, claim, DeliveryState.FAILED, error=error)
            if wait > settings.inline_wait_seconds:
                report.requeued += 1
                return self._requeue(delivery, claim, wait, error)
            report.retried += 1
            if failure.status != 429:  # a 429's wait is the pacer's hold
                await self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full jitter on an exponential base; never less than the channel asked for."""
        settings = self._settings
        ceiling = min(settings.retry_max_seconds, settings.retry_base_seconds * 2**attempt)
        wait = self._rng.uniform(settings.retry_base_seconds / 2, ceiling)
        return max(wait, retry_after or 0.0)

    def _requeue(
        self, delivery: Delivery, claim: str, wait: float | None, error: str
    ) -> DeliveryOutcome:
        now = self._clock()
        return DeliveryOutcome(
            delivery.id,
            claim,
            DeliveryState.QUEUED,
            now,
            last_error=error,
            next_attempt_at=now + timedelta(seconds=wait) if wait else None,
        )

    def _outcome(
        self,
        delivery: Delivery,
        claim: str,
        state: DeliveryState,
        *,
        activity_id: str | None = None,
        error: str | None = None,
    ) -> DeliveryOutcome:
        if state is not DeliveryState.SENT:
            log.warning(
                "delivery not sent",
                extra={
                    "delivery": delivery.id,
                    "kind": delivery.kind.value,
                    "state": state.value,
                    "error": error,
                },
            )
        return DeliveryOutcome(
            delivery.id,
            claim,
            state,
            self._clock(),
            sent_activity_id=activity_id,
            last_error=error,
        )


__all__ = ["DeliveryKind", "OutboxSender", "SendReport", "SenderSettings"]
