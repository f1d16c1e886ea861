"""`PlannedMessages`: what a planning keeps for its process's sender is bounded, given once,
and dropped at the next planning."""

from __future__ import annotations

from followup.ports import OutgoingMessage
from followup.reminders.planning import PlannedMessages


def test_planned_messages_are_bounded_taken_once_and_cleared() -> None:
    planned = PlannedMessages(limit=3)
    messages = {f"d{i}": OutgoingMessage(f"Påminnelse {i}") for i in range(5)}

    planned.keep(messages)

    assert planned.ids() == {"d0", "d1", "d2"}, "at most `limit`, the rest read from the outbox"
    assert planned.room == 0
    assert planned.take("d1") is messages["d1"]
    assert planned.room == 1
    assert planned.take("d1") is None, "once"
    assert planned.take("d4") is None
    assert len(planned) == 2
    planned.clear()
    assert planned.ids() == frozenset()
