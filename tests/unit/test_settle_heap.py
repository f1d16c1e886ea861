"""The serving process's collector settings (`bot.app.settle_heap`, issue 15)."""

from __future__ import annotations

import gc

from aiohttp import web

from bot.app import settle_heap
from bot.wiring import GC_THRESHOLDS


async def test_a_serving_process_freezes_its_startup_heap_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        await settle_heap(web.Application())
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 1000  # the modules' objects, never scanned again
        assert GC_THRESHOLDS[0] > 700  # CPython's default young generation
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
