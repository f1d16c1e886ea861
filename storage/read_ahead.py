"""Rows read one batch ahead, in a thread, while the caller works on the batch it has.

An export from PostgreSQL waits for the server at every batch of its cursor (`FETCH`), and the
file it writes waits for nothing but the interpreter: with the next batch asked for as soon as
the caller takes one, the server finds those rows (on its own core) while the caller writes
these (bench/export.py). The thread only waits for the database and hands the rows over;
everything else stays with the caller.

Reading is driven by the caller, so nothing is read that was not asked for: at most one batch
is being read beyond the one in use, and none once the caller stops. Closing the iterator (or
dropping it) waits for a read in progress to end, so that the connection is quiet again before
its transaction ends: whoever reads part of the rows must close the iterator before the unit of
work ends (`followup.exports.prepare_export` does).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

_Batch = Sequence[T] | BaseException


def read_ahead(
    fetch: Callable[[int], Sequence[T]], sizes: Iterable[int]
) -> Generator[T, None, None]:
    """The rows of `fetch(size)` (a DB-API style `fetchmany`: an empty batch at the end) for
    each size of `sizes` in turn (no more rows once they run out), each batch read in a thread
    while the one before it is used. An error from `fetch` is raised here, where the rows are
    read."""
    wanted: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    batches: queue.SimpleQueue[_Batch[T]] = queue.SimpleQueue()

    def read() -> None:
        while (size := wanted.get()) is not None:
            try:
                batch = fetch(size)
            except BaseException as error:  # raised again where the rows are read
                batches.put(error)
                return
            batches.put(batch)
            if not batch:
                return

    next_sizes = iter(sizes)
    size = next(next_sizes, None)
    if size is None:
        return
    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    wanted.put(size)
    try:
        while size is not None:
            batch = batches.get()
            if isinstance(batch, BaseException):
                raise batch
            if not batch:
                return
            size = next(next_sizes, None)
            if size is not None:
                wanted.put(size)  # read on while this batch is used
            yield from batch
    finally:
        wanted.put(None)
        reader.join()


__all__ = ["read_ahead"]
