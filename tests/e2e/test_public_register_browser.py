"""The public register in Debian's headless Chromium (issue 18's "Done when"): a citizen
searches «kontor», finds Fjordvik's office-supplies agreement, opens it and sees supplier,
period and how to order; nothing non-public appears; and axe-core (from npm, fetched by
scripts/setup.sh like the Web Chat bundle) finds no WCAG 2.1 A/AA violations on the list, a
search, an empty search, a detail page, the 404 page, a bad query and the accessibility
statement.

Needs /usr/bin/chromium and `var/axe` (`python -m bot.public_register.axe_bundle --fetch`).
Without them the test fails (it never skips): CI must show a missing browser. Like the other
browser tests it runs on SQLite; the HTTP tests cover both stores.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright
from sqlalchemy import select

from bot.app import create_app
from bot.public_register.axe_bundle import bundle_path
from bot.settings import Settings
from storage.db import create_db_engine
from storage.demo_data import load_demo_data
from storage.tables import ContractRow
from tests.e2e.browser_support import CHROMIUM, CHROMIUM_FOUND, FLAGS, ROOT
from tests.e2e.harness import start_site
from tests.fakes import FakeClock

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AXE = bundle_path(ROOT / "var" / "axe")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OFFICE = "Rammeavtale kontorrekvisita"
TIMEOUT = 15_000


@dataclass
class Site:
    base: str
    hidden: list[tuple[str, str]]
    """(avtalenr, title) of what the public must never see: framework agreements not marked
    public, single contracts and call-offs."""


@pytest.fixture
async def site(sqlite_url: str) -> AsyncIterator[Site]:
    engine = create_db_engine(sqlite_url)
    load_demo_data(engine, now=NOW)
    with engine.connect() as conn:
        hidden = [
            (r.reference, r.title)
            for r in conn.execute(
                select(ContractRow.reference, ContractRow.title).where(
                    (ContractRow.public.is_(False)) | (ContractRow.contract_type != "rammeavtale")
                )
            )
        ]
    engine.dispose()
    settings = Settings(MicrosoftAppId="", DATABASE_URL=sqlite_url, DEV_CHANNEL=False)
    app = create_app(settings, clock=FakeClock(NOW))
    runner, base = await start_site(app)
    yield Site(base, hidden)
    await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM_FOUND, f"{CHROMIUM} is missing: install Debian's chromium package"
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


async def _local_page(browser: Browser, base: str, *, bypass_csp: bool) -> Page:
    context = await browser.new_context(bypass_csp=bypass_csp, locale="nb-NO")
    page = await context.new_page()

    async def only_local(route: Route) -> None:
        if route.request.url.startswith(base):
            await route.continue_()
        else:
            await route.abort()

    await page.route("**/*", only_local)
    return page


async def _axe_violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


async def test_axe_core_finds_no_wcag_21_aa_violations(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    assert AXE.is_file(), (
        f"{AXE} is missing: run `bash scripts/setup.sh` (or `python -m "
        "bot.public_register.axe_bundle --fetch --dest var/axe`) to fetch axe-core"
    )
    # axe is injected as a script, which the pages' own policy forbids: this page lifts it.
    page = await _local_page(browser, site.base, bypass_csp=True)
    office = await _office_path(page, site.base)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, path in (
        ("list", "/rammeavtaler"),
        ("search", "/rammeavtaler?q=kontor"),
        ("empty", "/rammeavtaler?q=xylofonkvartett"),
        ("detail", office),
        ("options", "/rammeavtaler?gyldighet=alle&side=2"),
        ("not_found", "/rammeavtaler/finnes-ikke"),
        ("bad_query", "/rammeavtaler?side=0"),
        ("statement", "/rammeavtaler/tilgjengelighet"),
    ):
        await page.goto(site.base + path)
        violations = await _axe_violations(page)
        if violations:
            found[name] = violations
        await page.screenshot(path=str(tmp_path / f"axe-{name}.png"), full_page=True)
    assert found == {}, "axe-core found WCAG violations:\n" + json.dumps(found, indent=2)


async def _office_path(page: Page, base: str) -> str:
    await page.goto(base + "/rammeavtaler?q=kontor")
    link = page.get_by_role("link", name=OFFICE)
    href = await link.get_attribute("href")
    assert href is not None
    return href


async def test_a_citizen_finds_the_office_supplies_agreement_by_searching_kontor(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    page = await _local_page(browser, site.base, bypass_csp=False)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if m.type == "error" else None)
    await page.goto(site.base + "/rammeavtaler")
    assert await page.title() == "Rammeavtaler – Rammeavtaler"
    # The keyboard first meets the skip link, which leads to the main content.
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    assert await skip.evaluate("el => el === document.activeElement")
    await page.screenshot(path=str(tmp_path / "1-list.png"), full_page=True)

    await page.get_by_label("Søk i rammeavtaler").fill("kontor")
    await page.get_by_role("button", name="Søk").click()
    await page.wait_for_url("**/rammeavtaler?q=kontor*", timeout=TIMEOUT)
    results = page.get_by_role("heading", level=2)
    assert "for «kontor»" in (await results.first.inner_text())
    await page.screenshot(path=str(tmp_path / "2-search.png"), full_page=True)

    await page.get_by_role("link", name=OFFICE).click()
    await page.get_by_role("heading", level=1, name=OFFICE).wait_for(timeout=TIMEOUT)
    main = await page.locator("main").inner_text()
    await page.screenshot(path=str(tmp_path / "3-detail.png"), full_page=True)
    for label in ("Leverandør", "Avtaleperiode", "Slik bestiller du", "Hva kan kjøpes"):
        assert label in main, label
    assert "organisasjonsnummer" in main
    assert "kontormateriell" in main
    period = page.locator("dt", has_text="Avtaleperiode").locator("xpath=following-sibling::dd")
    assert " – " in await period.inner_text()
    order = page.locator("dt", has_text="Slik bestiller du").locator("xpath=following-sibling::dd")
    assert (await order.inner_text()).strip()
    # The stylesheet loaded under the pages' own policy (nothing was blocked).
    background = await page.locator("header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(11, 58, 99)"
    assert blocked == []

    # Nothing non-public anywhere the citizen can go.
    for path in ("/rammeavtaler?gyldighet=alle&side=1", "/rammeavtaler?gyldighet=alle&side=2",
                 "/rammeavtaler?gyldighet=alle&side=3", "/rammeavtaler.json"):  # fmt: skip
        response = await page.goto(site.base + path)
        assert response is not None
        content = await response.text()
        # By avtalenr: a title may be shared with a public agreement (another unit's).
        for reference, _title in site.hidden:
            assert f">{reference}<" not in content
            assert f'"{reference}"' not in content
    reference, _ = site.hidden[0]
    response = await page.goto(f"{site.base}/rammeavtaler/{reference}")
    assert response is not None
    assert response.status == 404
    assert await page.get_by_role("heading", level=1).inner_text() == "Fant ikke siden"
    await page.screenshot(path=str(tmp_path / "4-not-found.png"), full_page=True)
