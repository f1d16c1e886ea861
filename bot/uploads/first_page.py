"""The text of a PDF's first page, read with pypdf, so a file named `scan_0001.pdf` can still be
recognised as a tax certificate (`followup.documents.targets.place_file`).

Only the first page is read, and only as much of its text as `MAX_TEXT`. Whatever goes wrong
gives no text (and the file is placed by its name and message alone): not a PDF, a broken or
truncated file, an encrypted one that opens with no password (only an owner password is
common, so the empty user password is tried), a library error of any kind, or a page that
takes longer than `timeout_seconds`. Reading runs on its own small thread pool, so a slow file
never holds up the event loop or the default executor; a page that times out finishes (and is
thrown away) in the background. The file's size is already limited by the upload policy.
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from pypdf import PasswordType, PdfReader

log = logging.getLogger(__name__)

MAX_TEXT: Final = 20_000
"""Characters of the first page kept."""
TIMEOUT_SECONDS: Final = 5.0
WORKERS: Final = 2


def first_page_text(data: bytes, *, max_chars: int = MAX_TEXT) -> str | None:
    """The first page's text, at most `max_chars` characters; None when it cannot be read
    (see the module docstring). Blocking."""
    if b"%PDF-" not in data[:1024]:
        return None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") is PasswordType.NOT_DECRYPTED:
            return None
        if len(reader.pages) == 0:
            return None
        text = reader.pages[0].extract_text()
    except Exception as exc:  # a framework edge: any failure of the library means no text
        log.info("the first page of a PDF could not be read", extra={"error": type(exc).__name__})
        return None
    cleaned = " ".join(text.split())[:max_chars]
    return cleaned or None


class FirstPageReader:
    """`first_page_text` off the event loop, on `workers` threads, with a time limit."""

    def __init__(self, *, timeout_seconds: float = TIMEOUT_SECONDS, workers: int = WORKERS) -> None:
        self._timeout = timeout_seconds
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pdf-text")

    async def text(self, data: bytes) -> str | None:
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._pool, first_page_text, data)
        try:
            return await asyncio.wait_for(work, self._timeout)
        except TimeoutError:
            log.info("reading the first page of a PDF took too long", extra={"bytes": len(data)})
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


__all__ = ["MAX_TEXT", "FirstPageReader", "first_page_text"]
