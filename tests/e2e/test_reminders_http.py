"""Proactive reminders end to end: data in the database, people and the procurement channel
registered through the real HTTP endpoint, a tick of the reminder jobs, and what the Bot
Connector stand-in received (with injected faults) and what the database recorded."""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime, time

from bot.reminders.cards import SNOOZE_DAY
from followup.calendar.workdays import oslo_datetime
from followup.models import DeliveryKind, DeliveryState, FollowUpState
from tests.e2e.harness import TENANT
from tests.e2e.reminder_harness import (
    ADAPTIVE,
    CHANNEL_CONVERSATION,
    KARI,
    OLA,
    PER,
    USERS,
    Reminders,
    card_text,
    due_follow_up,
    people,
    snooze_actions,
)

# --- the tests -----------------------------------------------------------------------------------


async def test_two_due_follow_ups_make_one_card(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    first = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0101", seed=1)
    second = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0102", seed=2)
    await reminders.install(KARI)
    before = len(reminders.posts_to(KARI))

    report = await reminders.tick()

    assert report.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1, "one message for both follow-ups"
    (attachment,) = posts[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert first.contract_reference in content
    assert second.contract_reference in content
    assert "Påminnelse" in content
    assert posts[0]["channelData"]["tenant"]["id"] == TENANT
    assert {d["followUpId"] for d in snooze_actions(attachment)} == {
        first.follow_up_id,
        second.follow_up_id,
    }

    (delivery,) = [d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST]
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]
    assert set(delivery.follow_up_ids) == {first.follow_up_id, second.follow_up_id}
    for due in (first, second):
        assert reminders.follow_up(due.follow_up_id).state is FollowUpState.NOTIFIED

    # The next tick sends nothing more: each follow-up waits for its next step.
    again = await reminders.tick()
    assert again.send.sent == 0
    assert len(reminders.posts_to(KARI)) == before + 1


async def test_an_absent_owners_card_goes_to_the_deputy(reminders: Reminders) -> None:
    made = people(reminders.uow_factory, KARI, OLA)
    due = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0111", seed=3)
    await reminders.install(KARI)
    await reminders.install(OLA)
    answer = await reminders.say(
        KARI, f"stedfortreder {USERS[OLA].email} fra 23.11.2026 til 4.12.2026"
    )
    assert "Registrert" in answer
    assert OLA in answer
    kari_before = len(reminders.posts_to(KARI))
    ola_before = len(reminders.posts_to(OLA))

    report = await reminders.tick()

    assert report.send.sent == 1
    assert len(reminders.posts_to(KARI)) == kari_before, "nothing to the owner while away"
    posts = reminders.posts_to(OLA)[ola_before:]
    assert len(posts) == 1
    (attachment,) = posts[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert due.contract_reference in content
    assert f"Du svarer for {KARI}" in content
    (delivery,) = [d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST]
    assert delivery.recipient_person_id == made[OLA].id
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]


async def test_an_owner_without_the_app_is_reported_to_procurement(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0121", seed=4)
    await reminders.install_in_procurement_team()
    before = len(reminders.posts_to(CHANNEL_CONVERSATION))

    report = await reminders.tick()

    assert report.plan.unreachable == 1
    assert report.plan.weekly == 1, "Monday morning: the weekly summary goes out as well"
    assert report.send.sent == 2
    posts = reminders.posts_to(CHANNEL_CONVERSATION)[before:]
    notices = [p for p in posts if f"Når ikke {KARI}" in card_text(p["attachments"][0])]
    assert len(notices) == 1
    (attachment,) = notices[0]["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    content = card_text(attachment)
    assert due.contract_reference in content
    assert "ikke installert appen" in content
    # Only the channel (in a thread: Ingrid registering it) was ever spoken to.
    spoken_to = {r.conversation_id.split(";")[0] for r in reminders.connector.recorded}
    assert spoken_to == {CHANNEL_CONVERSATION}

    by_kind = {d.kind: d for d in reminders.deliveries()}
    assert by_kind[DeliveryKind.DIGEST].state is DeliveryState.UNREACHABLE
    assert by_kind[DeliveryKind.DIGEST].recipient_person_id == kari.id
    assert by_kind[DeliveryKind.UNREACHABLE].state is DeliveryState.SENT
    assert by_kind[DeliveryKind.UNREACHABLE].sent_activity_id == notices[0]["id"]


async def test_a_429_is_retried_and_the_card_arrives_once(reminders: Reminders) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0131", seed=5)
    await reminders.install(KARI)
    conversation = USERS[KARI].conversation_id
    before = len(reminders.posts_to(KARI))
    requests_before = reminders.connector.request_counts[conversation]
    reminders.connector.fail_next(429, "TooManyRequests", retry_after=0.1)

    report = await reminders.tick()

    assert reminders.connector.faults == deque(), "the 429 was answered"
    assert reminders.connector.request_counts[conversation] - requests_before == 2
    assert report.send.throttled == 1
    assert report.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1, "the throttled attempt is not a message"
    assert due.contract_reference in card_text(posts[0]["attachments"][0])
    (delivery,) = reminders.deliveries()
    assert delivery.state is DeliveryState.SENT
    assert delivery.sent_activity_id == posts[0]["id"]


async def test_a_blocked_owner_is_unreachable_and_procurement_is_told(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0141", seed=6)
    await reminders.install(KARI)
    await reminders.install_in_procurement_team()
    kari_before = len(reminders.posts_to(KARI))
    channel_before = len(reminders.posts_to(CHANNEL_CONVERSATION))
    reminders.connector.fail_next(403, "ConversationBlockedByUser")

    first = await reminders.tick()
    second = await reminders.tick()  # the scheduler's next tick sends the notice it queued

    assert first.send.unreachable == 1
    assert first.plan.weekly == 1, "Monday morning: the weekly summary goes out as well"
    assert first.send.sent + second.send.sent == 2
    assert len(reminders.posts_to(KARI)) == kari_before
    assert reminders.person(KARI).unreachable is True
    digest = next(d for d in reminders.deliveries() if d.kind is DeliveryKind.DIGEST)
    assert digest.state is DeliveryState.UNREACHABLE
    assert digest.sent_activity_id is None
    assert digest.last_error is not None
    assert "403" in digest.last_error

    posts = reminders.posts_to(CHANNEL_CONVERSATION)[channel_before:]
    notices = [p for p in posts if f"Når ikke {KARI}" in card_text(p["attachments"][0])]
    assert len(notices) == 1
    assert notices[0]["attachments"][0]["contentType"] == ADAPTIVE
    content = card_text(notices[0]["attachments"][0])
    assert due.contract_reference in content
    assert "403" in content
    notice = next(d for d in reminders.deliveries() if d.kind is DeliveryKind.UNREACHABLE)
    assert notice.state is DeliveryState.SENT
    assert notice.sent_activity_id == notices[0]["id"]

    # Unreachable now: the next step is not sent to Kari but reported straight away.
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    third = await reminders.tick()
    assert third.plan.unreachable == 1
    assert len(reminders.posts_to(KARI)) == kari_before


async def test_a_blocked_owner_who_writes_again_gets_reminders_again(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0142", seed=10)
    await reminders.install(KARI)
    reminders.connector.fail_next(403, "ConversationBlockedByUser")
    assert (await reminders.tick()).send.unreachable == 1
    assert reminders.person(KARI).unreachable is True

    # Kari unblocks the bot and writes to it: "unreachable (until they write to the bot
    # again)", says followup.reminders.planning.report_unreachable; the next step comes to her.
    assert "Slik bruker du" in await reminders.say(KARI, "hjelp")
    assert reminders.person(KARI).unreachable is False
    before = len(reminders.posts_to(KARI))
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the due date
    report = await reminders.tick()
    assert report.plan.digests == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1
    assert due.contract_reference in card_text(posts[0]["attachments"][0])


async def test_utsett_on_the_card_snoozes_only_ones_own_follow_up(reminders: Reminders) -> None:
    made = people(reminders.uow_factory, KARI, PER)
    mine = due_follow_up(reminders.uow_factory, made[KARI], "KOM-2026-0151", seed=7)
    other = due_follow_up(reminders.uow_factory, made[PER], "KOM-2026-0152", seed=8)
    await reminders.install(KARI)
    await reminders.tick()
    (card,) = [c for c in reminders.cards_to(KARI) if "Påminnelse" in card_text(c)]
    (one_day,) = [
        d
        for d in snooze_actions(card)
        if d["followUpId"] == mine.follow_up_id and d["option"] == SNOOZE_DAY
    ]
    others_before = reminders.follow_up(other.follow_up_id)

    status, body = await reminders.card_action(KARI, one_day)

    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert mine.contract_reference in body["value"]
    assert body["value"].startswith("Utsatt til")
    snoozed = reminders.follow_up(mine.follow_up_id)
    assert snoozed.state is FollowUpState.SNOOZED
    tuesday = oslo_datetime(date(2026, 11, 24), time(8, 0))
    assert snoozed.next_action_at == tuesday

    status, body = await reminders.card_action(
        KARI, {"followUpId": other.follow_up_id, "option": SNOOZE_DAY}
    )
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "ikke din" in body["value"]
    assert reminders.follow_up(other.follow_up_id) == others_before
    with reminders.uow_factory() as uow:
        for due, expected in ((mine, 1), (other, 0)):
            events = uow.audit.for_entity("follow_up", due.follow_up_id)
            assert [e.action for e in events].count("follow_up.snoozed") == expected

    # Snoozed until Tuesday: nothing on Monday, the reminder again on Tuesday.
    assert (await reminders.tick()).send.sent == 0
    reminders.clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert (await reminders.tick()).send.sent == 1


async def test_pause_skips_reminders_and_fortsett_brings_them_back(
    reminders: Reminders,
) -> None:
    kari = people(reminders.uow_factory, KARI)[KARI]
    due = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0161", seed=9)
    await reminders.install(KARI)
    assert "pause" in await reminders.say(KARI, "pause")
    assert reminders.person(KARI).reminders_paused is True
    before = len(reminders.posts_to(KARI))

    paused = await reminders.tick()

    assert paused.plan.skipped_paused == 1
    assert paused.send.sent == 0
    assert len(reminders.posts_to(KARI)) == before, "no message while paused"
    (skipped,) = reminders.deliveries()
    assert skipped.state is DeliveryState.SKIPPED
    assert skipped.follow_up_ids == [due.follow_up_id]

    assert "igjen" in await reminders.say(KARI, "fortsett")
    assert reminders.person(KARI).reminders_paused is False
    before = len(reminders.posts_to(KARI))
    reminders.clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the due date

    resumed = await reminders.tick()

    assert resumed.send.sent == 1
    posts = reminders.posts_to(KARI)[before:]
    assert len(posts) == 1
    content = card_text(posts[0]["attachments"][0])
    assert due.contract_reference in content
    assert "Påminnelse" in content
    sent = [d for d in reminders.deliveries() if d.state is DeliveryState.SENT]
    assert [d.sent_activity_id for d in sent] == [posts[0]["id"]]
