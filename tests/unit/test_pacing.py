"""Pacing proactive sends within Teams' limits, on a fake clock: even spacing per tenant, the
per-conversation windows, holding everything after a 429 and speeding up again."""

from __future__ import annotations

import pytest

from followup.reminders.pacing import TEAMS_CONVERSATION_WINDOWS, Pacer


class FakeTime:
    """Monotonic seconds that move only when something sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 500.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def pacer(
    rate: float | None, windows: tuple[tuple[int, float], ...] = ()
) -> tuple[Pacer, FakeTime]:
    time = FakeTime()
    return Pacer(rate, windows, monotonic=time.monotonic, sleep=time.sleep), time


@pytest.mark.parametrize("rate", [5.0, 30.0, 50.0])
def test_turns_are_spaced_evenly_per_tenant(rate: float) -> None:
    paced, _ = pacer(rate)
    waits = [paced.reserve("tenant", f"conversation-{i}") for i in range(10)]

    assert waits[0] == 0
    assert waits == pytest.approx([i / rate for i in range(10)])
    assert waits[-1] - waits[0] == pytest.approx(9 / rate)
    # Never more than `rate` turns inside any one-second window.
    assert sum(1 for w in waits if w < 1.0 - 1e-9) <= rate


def test_tenants_are_paced_independently() -> None:
    paced, _ = pacer(10.0)
    assert [paced.reserve("a", "x") for _ in range(3)] == pytest.approx([0, 0.1, 0.2])
    assert paced.reserve("b", "y") == 0
    assert paced.reserve("a", "z") == pytest.approx(0.3)


def test_turns_already_passed_are_not_waited_for() -> None:
    paced, time = pacer(10.0)
    assert paced.reserve("t", "c1") == 0
    time.now += 5  # a quiet while: the next turn is at once, and the spacing starts again
    assert paced.reserve("t", "c2") == 0
    assert paced.reserve("t", "c3") == pytest.approx(0.1)


async def test_a_conversation_gets_at_most_seven_sends_a_second() -> None:
    paced, time = pacer(1000.0, TEAMS_CONVERSATION_WINDOWS)
    start = time.now
    turns = []
    for _ in range(8):
        await paced.wait_turn("t", "one-chat")
        turns.append(time.now - start)

    # The first seven are spaced by the tenant rate only; the eighth waits for the window.
    assert turns[6] < 0.01
    assert turns[7] >= turns[0] + 1.0
    assert turns[7] == pytest.approx(1.0)
    # Another conversation is not held up by that one.
    before = time.now
    await paced.wait_turn("t", "another-chat")
    assert time.now - before < 0.01


def test_a_conversation_gets_at_most_eight_sends_in_two_seconds() -> None:
    paced, _ = pacer(1000.0, TEAMS_CONVERSATION_WINDOWS)
    waits = [paced.reserve("t", "one-chat") for _ in range(9)]
    assert waits[7] == pytest.approx(1.0)  # 7 in 1 s
    assert waits[8] >= 2.0  # 8 in 2 s
    assert waits[8] == pytest.approx(2.0)


async def test_pacing_off_never_waits() -> None:
    paced, time = pacer(None, TEAMS_CONVERSATION_WINDOWS)
    assert not paced.enabled
    assert paced.current_rate is None
    assert [paced.reserve("t", "one-chat") for _ in range(50)] == [0.0] * 50
    for _ in range(20):
        await paced.wait_turn("t", "one-chat")
    assert time.sleeps == []


async def test_a_hold_delays_every_next_turn_and_slows_the_rate() -> None:
    paced, time = pacer(10.0)
    assert paced.reserve("t", "c1") == 0
    assert paced.reserve("t", "c2") == pytest.approx(0.1)

    paced.hold_all(5.0)

    assert paced.holds == 1
    assert paced.current_rate == pytest.approx(7.5)
    # Turns after the hold start when it ends, then come at the slower rate.
    assert paced.reserve("t", "c3") == pytest.approx(5.0)
    assert paced.reserve("t", "c4") == pytest.approx(5.0 + 1 / 7.5)
    assert paced.reserve("other-tenant", "c5") == pytest.approx(5.0)
    # A waiting send sleeps out the hold.
    await paced.wait_turn("other-tenant", "c6")
    assert time.sleeps == [pytest.approx(5.0 + 1 / 7.5)]


async def test_a_hold_that_begins_while_a_send_waits_applies_to_it() -> None:
    time = FakeTime()
    held: list[float] = []

    async def sleep_and_get_throttled(seconds: float) -> None:
        await time.sleep(seconds)
        if not held:  # another send got a 429 while this one waited for its turn
            held.append(time.now)
            paced.hold_all(3.0)

    paced = Pacer(10.0, (), monotonic=time.monotonic, sleep=sleep_and_get_throttled)
    assert paced.reserve("t", "c0") == 0
    assert paced.reserve("t", "c1") == pytest.approx(0.1)

    await paced.wait_turn("t", "c2")

    assert time.sleeps == [pytest.approx(0.2), pytest.approx(3.0)]
    assert time.now == pytest.approx(held[0] + 3.0)


def test_the_rate_recovers_step_by_step_after_successes() -> None:
    paced, _ = pacer(20.0)
    paced.hold_all(1.0)
    paced.hold_all(1.0)
    assert paced.holds == 2
    assert paced.current_rate == pytest.approx(20 * 0.75 * 0.75)

    for _ in range(49):
        paced.sent()
    assert paced.current_rate == pytest.approx(20 * 0.75 * 0.75)
    paced.sent()
    assert paced.current_rate == pytest.approx(20 * 0.75)
    for _ in range(50):
        paced.sent()
    assert paced.current_rate == pytest.approx(20.0)
    for _ in range(200):
        paced.sent()
    assert paced.current_rate == pytest.approx(20.0)  # never faster than configured


def test_a_new_hold_restarts_the_recovery() -> None:
    paced, _ = pacer(20.0)
    paced.hold_all(1.0)
    for _ in range(40):
        paced.sent()
    paced.hold_all(1.0)
    for _ in range(40):
        paced.sent()
    assert paced.current_rate == pytest.approx(20 * 0.75 * 0.75)


def test_many_holds_never_slow_below_a_quarter() -> None:
    paced, _ = pacer(40.0)
    for _ in range(30):
        paced.hold_all(0.0)
    assert paced.current_rate == pytest.approx(10.0)


def test_holds_only_extend() -> None:
    paced, _ = pacer(10.0)
    paced.hold_all(10.0)
    paced.hold_all(2.0)  # a shorter hold does not cut the longer one short
    assert paced.reserve("t", "c") == pytest.approx(10.0)


@pytest.mark.parametrize("rate", [0.0, -1.0])
def test_a_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(rate)
