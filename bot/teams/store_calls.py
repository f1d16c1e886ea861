"""Where a turn's storage calls run: on the event loop for SQLite, in a worker thread for
PostgreSQL.

A turn makes a few short storage calls (claim the activity, read the sender, store an answer,
mark the activity done). On PostgreSQL each is a network round trip: it must not hold up the
event loop, so it runs in a worker thread. On SQLite it is a local file answering in tens of
microseconds, and the hand-off to a thread cost more than the call: measured with
`bench/turns.py` on 2 cores, a `hjelp` turn used about twice the CPU with its three calls in
threads (the worker runs on the other core, next to the load, and the turn waits on the
interpreter lock and cold caches), whatever the pool size or switch interval. SQLite runs one
writer at a time anyway.

What this costs on SQLite: while a call runs, no other request is served, so a call that waits
for the write lock (another process writing, up to the busy timeout) holds up the loop; a turn
waits for that lock in either case. Long work (exports, the scheduler's planning, file handling)
does not go through here: it keeps its own threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class StoreCalls:
    """Runs a turn's short storage calls where they cost least (see the module)."""

    def __init__(self, *, on_loop: bool) -> None:
        self.on_loop = on_loop
        """True for SQLite: called directly, blocking the loop for the call's duration."""

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        if self.on_loop:
            return call(*args)
        return await asyncio.to_thread(call, *args)


IN_THREADS = StoreCalls(on_loop=False)
"""The safe default where no store was chosen (tests, in-memory stores): a worker thread."""
