"""What the browser tests share: Debian's headless Chromium and the Web Chat bundle.

Both are installed by `.ci/run` (and `scripts/setup.sh` fetches the bundle). Without them the
browser tests fail, never skip: CI must show a missing browser.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from playwright.async_api import Page, Route, async_playwright

from bot.devchannel.webchat_bundle import bundle_path

CHROMIUM = os.environ.get("KV_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FOUND = Path(CHROMIUM).exists()
BUNDLE_FOUND = bundle_path(ROOT / "var" / "webchat").exists()
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


class DevSite(Protocol):
    """What a browser test module's `dev_chat` fixture gives the shared `page` fixture."""

    @property
    def base(self) -> str:
        """The dev chat's origin, `http://127.0.0.1:<port>`."""
        ...


@asynccontextmanager
async def local_page(base: str) -> AsyncIterator[Page]:
    """A page in headless Chromium that may load nothing but `base` (the dev chat's origin):
    any other request is refused and fails the test when the page closes."""
    assert CHROMIUM_FOUND, f"{CHROMIUM} is missing: install Debian's chromium package"
    assert BUNDLE_FOUND, "run scripts/setup.sh to fetch the Web Chat bundle"
    foreign: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page()

        async def only_local(route: Route) -> None:
            if route.request.url.startswith(base):
                await route.continue_()
            else:
                foreign.append(route.request.url)
                await route.abort()

        await page.route("**/*", only_local)
        yield page
        await browser.close()
    assert foreign == [], "the dev page must request nothing but its own origin"


async def open_chat_as(page: Page, base: str, name: str) -> None:
    """Open the dev chat, pick `name` from the people, and wait for the bot's greeting."""
    await page.goto(base + "/dev")
    await page.get_by_text("Hvem er du?").wait_for()
    await page.locator("ul.people .name", has_text=name).first.click()
    await (
        page.locator(".webchat__bubble__content")
        .filter(has_text=f"Hei, {name}")
        .wait_for(timeout=15_000)
    )
