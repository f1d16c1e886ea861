"""The public register's pages and open data through the real app over HTTP, on SQLite and
PostgreSQL (issue 18): the list, search, filters and paging; one agreement; JSON and CSV with
ETag/Last-Modified; and what keeps it safe: public rows only (an agreement not marked public,
a single contract and a call-off whose words are searched for never appear, and their detail
addresses are 404), GET/HEAD only, a rate limit, no cookies, security headers, and every bad
query answered in Norwegian, never with a 500."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from bot.app import ENGINE, create_app
from bot.settings import Settings
from followup.orgnr import format_organisation_number
from followup.public_register import PublicQuery, Validity
from storage.db import create_db_engine, create_session_factory
from storage.public_register import SqlPublicRegister
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.harness import start_site
from tests.fakes import FakeClock
from tests.public_register_world import (
    HIDDEN,
    HIDDEN_WORDS,
    NOW,
    ORGANISATION_NUMBERS,
    PUBLIC,
    SEARCHES,
    TODAY,
    import_register,
)

HIDDEN_PATTERN = re.compile("|".join([*HIDDEN_WORDS, "SKJULT", "Trygg Legevakt"]), re.IGNORECASE)
OWNER_NAME = re.compile("kari.nordmann", re.IGNORECASE)


@dataclass
class Public:
    base: str
    app: web.Application
    session: aiohttp.ClientSession
    clock: FakeClock
    register: SqlPublicRegister

    async def get(self, path: str, **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.session.get(self.base + path, allow_redirects=False, **kwargs) as r:
            return r, await r.text()


MakePublic = Callable[..., Awaitable[Public]]


@pytest.fixture
async def make_public(db_url: str, tmp_path: Path) -> AsyncIterator[MakePublic]:
    engine = create_db_engine(db_url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    report = import_register(factory, tmp_path / "register.csv")
    assert report.failed == 0, report.problems
    engine.dispose()
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []

    async def make(**settings: Any) -> Public:
        clock = FakeClock(NOW)
        values: dict[str, Any] = {"MicrosoftAppId": "", "DATABASE_URL": db_url}
        values |= {"DEV_CHANNEL": False, **settings}
        app = create_app(Settings(**values), clock=clock)
        runner, base = await start_site(app)
        runners.append(runner)
        session = aiohttp.ClientSession()
        sessions.append(session)
        return Public(base, app, session, clock, SqlPublicRegister(app[ENGINE]))

    yield make
    for session in sessions:
        await session.close()
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def public(make_public: MakePublic) -> Public:
    return await make_public()


def result_titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", html)]


def heading(html: str) -> str:
    found = re.search(r"<h2 id=\"treff\">([^<]+)</h2>", html)
    assert found is not None, html
    return unescape(found.group(1))


async def test_the_list_shows_agreements_in_force_sorted_by_title_with_a_count_and_pages(
    public: Public,
) -> None:
    expected = public.register.search(PublicQuery(page_size=100), TODAY)
    response, html = await public.get("/rammeavtaler")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert '<html lang="nb">' in html
    assert "<title>Rammeavtaler – Rammeavtaler</title>" in html
    assert heading(html) == f"{expected.total} rammeavtaler"
    first, second = expected.items[:20], expected.items[20:]
    assert result_titles(html) == [a.title for a in first]
    assert 'href="/rammeavtaler?side=2" rel="next"' in html
    assert "Side 1 av 2" in html
    _, page_two = await public.get("/rammeavtaler?side=2")
    assert result_titles(page_two) == [a.title for a in second]
    assert "Vakt og sikring" not in html + page_two  # expired
    _, expired = await public.get("/rammeavtaler?gyldighet=utlopt")
    assert set(result_titles(expired)) == {"Kopimaskiner", "Tolketjenester", "Vakt og sikring"}


@pytest.mark.parametrize("query", ["kontor", "sykler", "brøyt", "bygg og anlegg", "xylofon"])
async def test_a_search_finds_what_the_store_finds_with_norwegian_word_forms(
    public: Public, query: str
) -> None:
    response, html = await public.get("/rammeavtaler", params={"q": query})
    assert response.status == 200
    assert result_titles(html) == list(SEARCHES[query])
    count = len(SEARCHES[query])
    if count:
        assert heading(html) == f"{count} rammeavtale{'r' if count > 1 else ''} for «{query}»"
    else:
        assert heading(html) == f"Ingen rammeavtaler passer søket «{query}»"
        assert "Prøv et annet ord" in html
    assert f'value="{query}"' in html  # the search stays in the box


async def test_filters_narrow_the_list(public: Public) -> None:
    _, html = await public.get("/rammeavtaler", params={"kategori": "bygg_og_anlegg"})
    assert result_titles(html) == list(SEARCHES["bygg og anlegg"])
    supplier = ORGANISATION_NUMBERS["Idrett og Lek AS"]
    _, html = await public.get("/rammeavtaler", params={"leverandor": supplier})
    assert result_titles(html) == ["Øvingsutstyr for kroppsøving", "Åpen barnehage – leker"]
    _, html = await public.get("/rammeavtaler", params={"enhet": "Helse og omsorg"})
    assert result_titles(html) == ["Frisk frukt", "Matvarer til sykehjem", "Vaskeritjenester"]
    _, html = await public.get(
        "/rammeavtaler", params={"enhet": "Helse og omsorg", "gyldighet": "alle"}
    )
    assert "Tolketjenester" in result_titles(html)
    assert '<option value="Helse og omsorg" selected>' in html


async def test_one_agreement_shows_every_public_field(public: Public) -> None:
    response, html = await public.get("/rammeavtaler/PR-01")
    assert response.status == 200
    text = unescape(html)
    number = format_organisation_number(ORGANISATION_NUMBERS["Kontorpartner Vest AS"])
    for expected in (
        "<title>Kontorrekvisita – Rammeavtaler</title>",
        "<h1>Kontorrekvisita</h1>",
        "PR-01",
        f"Kontorpartner Vest AS (organisasjonsnummer {number})",
        "Varer",
        "30192000-1",
        "Penner, papir, permer og annet kontormateriell",
        "1. januar 2025 – 31. desember 2027",
        "Sentraladministrasjon",
        "Bestill i innkjøpsportalen",
        'href="mailto:innkjop@fjordvik.kommune.no"',
        'href="https://doffin.no/notices/2024-123456"',
        "Gjeldende",
        "Avtalen har ingen opsjoner.",
    ):
        assert expected in text, expected
    assert "1 250 000" not in text
    assert "1250000" not in text
    assert not OWNER_NAME.search(text)  # never the owner
    _, fuel = await public.get("/rammeavtaler/PR-20")
    assert "<caption>Opsjoner (forlengelser)</caption>" in fuel
    assert '<th scope="col">Status</th>' in fuel
    assert "1. juli 2026 – 30. juni 2027" in unescape(fuel)
    assert "kan utløses" in fuel


async def test_a_personal_contact_is_shown_only_when_the_setting_allows_it(
    make_public: MakePublic,
) -> None:
    hidden = await make_public()
    for path in ("/rammeavtaler/PR-29", "/rammeavtaler.json", "/rammeavtaler.csv"):
        _, body = await hidden.get(path)
        assert not OWNER_NAME.search(body), path
    _, html = await hidden.get("/rammeavtaler/PR-29")
    assert "Ta kontakt med kommunens innkjøpsavdeling." in html
    shown = await make_public(PUBLIC_REGISTER_SHOW_PERSONAL_CONTACTS=True)
    _, html = await shown.get("/rammeavtaler/PR-29")
    assert 'href="mailto:kari.nordmann@fjordvik.kommune.no"' in html
    _, data = await shown.get("/rammeavtaler.json")
    assert "kari.nordmann@fjordvik.kommune.no" in data


async def test_nothing_not_public_appears_in_html_json_or_csv_and_its_pages_are_404(
    public: Public,
) -> None:
    for word in (*HIDDEN_WORDS, "kontor", "sykkel", "brøyting", "kontorrekvisita", ""):
        for validity in Validity:
            response, html = await public.get(
                "/rammeavtaler", params={"q": word, "gyldighet": validity.value}
            )
            assert response.status == 200
            # The search itself is shown back (in the box and the heading); nothing else.
            shown = re.sub(re.escape(word), "", html, flags=re.IGNORECASE) if word else html
            assert not HIDDEN_PATTERN.search(shown), (word, validity)
    for path in ("/rammeavtaler.json", "/rammeavtaler.csv"):
        _, body = await public.get(path)
        assert not HIDDEN_PATTERN.search(body), path
    for agreement in HIDDEN:
        response, html = await public.get(f"/rammeavtaler/{agreement.reference}")
        assert response.status == 404
        assert "<h1>Fant ikke siden</h1>" in html
        assert not HIDDEN_PATTERN.search(html)
    # Filtering on a hidden agreement's supplier or unit finds nothing of it either.
    response, html = await public.get(
        "/rammeavtaler", params={"leverandor": ORGANISATION_NUMBERS["Trygg Legevakt AS"]}
    )
    assert response.status == 400
    assert "Ukjent leverandør" in html
    assert not HIDDEN_PATTERN.search(html)


async def test_open_data_json_has_the_documented_fields_and_types(public: Public) -> None:
    response, body = await public.get("/rammeavtaler.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    data = json.loads(body)
    assert data["dato"] == TODAY.isoformat()
    assert data["antall"] == len(PUBLIC) == len(data["rammeavtaler"])
    office = next(a for a in data["rammeavtaler"] if a["avtalenr"] == "PR-01")
    assert office == {
        "avtalenr": "PR-01",
        "tittel": "Kontorrekvisita",
        "leverandorer": [
            {
                "navn": "Kontorpartner Vest AS",
                "orgnr": ORGANISATION_NUMBERS["Kontorpartner Vest AS"],
            }
        ],
        "kategori": "varer",
        "kategori_navn": "Varer",
        "cpv": "30192000-1",
        "omfang": "Penner, papir, permer og annet kontormateriell",
        "startdato": "2025-01-01",
        "sluttdato": "2027-12-31",
        "lopende": False,
        "opsjoner": [],
        "gyldig_til": "2027-12-31",
        "gjeldende": True,
        "enheter": ["Sentraladministrasjon"],
        "bestilling": "Bestill i innkjøpsportalen",
        "kontakt": "innkjop@fjordvik.kommune.no",
        "doffin": "2024-123456",
        "doffin_url": "https://doffin.no/notices/2024-123456",
        "lenke": "/rammeavtaler/PR-01",
    }
    fuel = next(a for a in data["rammeavtaler"] if a["avtalenr"] == "PR-20")
    assert fuel["opsjoner"] == [
        {"fra": "2026-07-01", "til": "2027-06-30", "status": "open", "status_navn": "kan utløses"}
    ]
    assert fuel["gyldig_til"] == "2027-06-30"
    heis = next(a for a in data["rammeavtaler"] if a["avtalenr"] == "PR-27")
    assert (heis["lopende"], heis["sluttdato"], heis["gyldig_til"]) == (True, None, None)


async def test_open_data_csv_is_utf8_with_bom_and_semicolons(public: Public) -> None:
    async with public.session.get(public.base + "/rammeavtaler.csv") as response:
        raw = await response.read()
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Avtalenr", "Tittel", "Leverandør", "Org.nr"]
    assert len(rows) == len(PUBLIC) + 1
    office = next(r for r in rows if r[0] == "PR-01")
    record = dict(zip(rows[0], office, strict=True))
    assert record["Kategori"] == "Varer"
    assert record["Sluttdato"] == "2027-12-31"
    assert record["Gjeldende"] == "Ja"
    assert record["Doffin"] == "https://doffin.no/notices/2024-123456"


@pytest.mark.parametrize(
    "path", ["/rammeavtaler", "/rammeavtaler?q=kontor", "/rammeavtaler/PR-01",
             "/rammeavtaler.json", "/rammeavtaler.csv"]
)  # fmt: skip
async def test_etag_and_last_modified_answer_304_and_move_with_the_day(
    public: Public, path: str
) -> None:
    response, _ = await public.get(path)
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    again, body = await public.get(path, headers={"If-None-Match": etag})
    assert (again.status, body) == (304, "")
    since, _ = await public.get(path, headers={"If-Modified-Since": modified})
    assert since.status == 304
    wrong, _ = await public.get(path, headers={"If-None-Match": '"something-else"'})
    assert wrong.status == 200
    # Validity changes daily. (The register's change time is the database's own clock: the
    # next day is counted from whichever is later, it or the test's clock.)
    public.clock.now = max(public.clock.now, datetime.now(UTC)) + timedelta(days=1)
    tomorrow, _ = await public.get(path, headers={"If-None-Match": etag})
    assert tomorrow.status == 200
    assert tomorrow.headers["ETag"] != etag
    later, _ = await public.get(path, headers={"If-Modified-Since": modified})
    assert later.status == 200


async def test_etag_moves_when_the_register_changes(public: Public, tmp_path: Path) -> None:
    response, _ = await public.get("/rammeavtaler.json")
    etag = response.headers["ETag"]
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(public.app[ENGINE]))
    renamed = tuple(
        a if a.reference != "PR-01" else type(a)(**{**a.__dict__, "title": "Kontorartikler"})
        for a in PUBLIC + HIDDEN
    )
    import_register(factory, tmp_path / "again.csv", renamed, now=NOW + timedelta(hours=1))
    changed, body = await public.get("/rammeavtaler.json", headers={"If-None-Match": etag})
    assert changed.status == 200
    assert "Kontorartikler" in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_only_get_and_head(public: Public, method: str) -> None:
    for path in ("/rammeavtaler", "/rammeavtaler/PR-01", "/rammeavtaler.json"):
        async with public.session.request(method, public.base + path) as response:
            assert response.status == 405
            assert response.headers["Allow"] == "GET, HEAD"
            assert "Denne siden kan bare leses." in await response.text()
    async with public.session.head(public.base + "/rammeavtaler/PR-01") as response:
        assert response.status == 200
        assert await response.read() == b""


async def test_no_cookies_security_headers_and_no_script(public: Public) -> None:
    for path in (
        "/rammeavtaler", "/rammeavtaler?q=kontor", "/rammeavtaler/PR-01", "/rammeavtaler/nope",
        "/rammeavtaler/tilgjengelighet", "/rammeavtaler.json", "/rammeavtaler.csv",
        "/rammeavtaler/stil.css", "/rammeavtaler?side=0",
    ):  # fmt: skip
        response, body = await public.get(path)
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script" not in body
        assert " on" + "click=" not in body
        assert 'style="' not in body  # no inline style: the policy would block it
    assert not public.session.cookie_jar.filter_cookies(URL(public.base))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "k" * 201}, "Søket er for langt. Bruk høyst 200 tegn."),
        ({"side": "0"}, "Sidenummeret må være et helt tall fra 1 til 10\u00a0000."),
        ({"side": "abc"}, "Sidenummeret må være et helt tall fra 1 til 10\u00a0000."),
        ({"side": "99999999999999999999"}, "Sidenummeret må være et helt tall"),
        ({"side": "٣"}, "Sidenummeret må være et helt tall"),
        ({"side": "3"}, "Det finnes bare 2 sider med treff."),
        ({"q": "kontor", "side": "2"}, "Det finnes bare 1 side med treff."),
        ({"kategori": "mat"}, "Ukjent kategori."),
        ({"leverandor": "123"}, "Ukjent leverandør."),
        ({"enhet": "<script>alert(1)</script>"}, "Ukjent enhet."),
        ({"gyldighet": "snart"}, "Ukjent gyldighet."),
    ],
)
async def test_bad_queries_get_a_clear_norwegian_message(
    public: Public, params: dict[str, str], message: str
) -> None:
    response, html = await public.get("/rammeavtaler", params=params)
    assert response.status == 400
    assert message in unescape(html)
    assert "<h2>Søket kan ikke brukes</h2>" in html
    assert "<script>" not in html  # autoescaped


async def test_nul_bytes_and_odd_addresses_are_never_a_500(public: Public) -> None:
    for path in (
        "/rammeavtaler?q=%00%00", "/rammeavtaler/%00", "/rammeavtaler/PR-01/mer",
        "/rammeavtaler/" + "x" * 2000, "/rammeavtaler?q=%E2%80%8B&side=1",
        "/rammeavtaler?q=kontor&q=sykkel", "/rammeavtaler?q=%22%27%3C",
    ):  # fmt: skip
        response, _ = await public.get(path)
        assert response.status in (200, 400, 404), path


@pytest.mark.parametrize(
    "validator",
    [{"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"}],
)
async def test_validators_never_turn_a_404_or_a_bad_query_into_304(
    public: Public, validator: dict[str, str]
) -> None:
    for path in ("/rammeavtaler/finnes-ikke", f"/rammeavtaler/{HIDDEN[0].reference}"):
        response, html = await public.get(path, headers=validator)
        assert response.status == 404, path
        assert "<h1>Fant ikke siden</h1>" in html
    response, html = await public.get("/rammeavtaler?side=0", headers=validator)
    assert response.status == 400
    assert "Sidenummeret må være et helt tall" in unescape(html)
    found, _ = await public.get("/rammeavtaler/PR-01", headers=validator)
    assert found.status == 304  # what exists is still answered from the cache


async def test_an_agreement_number_with_spaces_around_moves_to_its_own_address(
    public: Public,
) -> None:
    for path in ("/rammeavtaler/PR-01%20", "/rammeavtaler/%20PR-01"):
        response, _ = await public.get(path)
        assert (response.status, response.headers["Location"]) == (301, "/rammeavtaler/PR-01")
    for path in ("/rammeavtaler/pr-01", "/rammeavtaler/PR-01.", "/rammeavtaler/%2E%2E",
                 "/rammeavtaler/PR%2F01", "/rammeavtaler/PR-01%0A"):  # fmt: skip
        response, _ = await public.get(path)
        assert response.status == 404, path


async def test_the_rate_limit_answers_429_in_norwegian_with_retry_after(
    make_public: MakePublic,
) -> None:
    public = await make_public(PUBLIC_REGISTER_RATE_PER_MINUTE=3)
    statuses = [(await public.get("/rammeavtaler.json"))[0].status for _ in range(3)]
    assert statuses == [200, 200, 200]
    response, html = await public.get("/rammeavtaler")
    assert response.status == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "<h1>For mange forespørsler</h1>" in html
    assert "Prøv igjen om" in html
    # The bot's own routes are not limited.
    async with public.session.get(public.base + "/healthz") as health:
        assert health.status == 200


async def test_the_accessibility_statement_and_its_setting(make_public: MakePublic) -> None:
    public = await make_public()
    response, html = await public.get("/rammeavtaler/tilgjengelighet")
    assert response.status == 200
    assert "<h1>Tilgjengelighetserklæring</h1>" in html
    _, listing = await public.get("/rammeavtaler")
    assert '<a href="/rammeavtaler/tilgjengelighet">Tilgjengelighetserklæring</a>' in listing
    url = "https://uustatus.no/nb/erklaringer/publisert/0000-fjordvik"
    own = await make_public(PUBLIC_REGISTER_ACCESSIBILITY_URL=url)
    _, listing = await own.get("/rammeavtaler")
    assert f'<a href="{url}">Tilgjengelighetserklæring</a>' in listing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_a_port_of_its_own_serves_only_the_public_routes(make_public: MakePublic) -> None:
    port = _free_port()
    bot = await make_public(PUBLIC_REGISTER_PORT=port, HOST="127.0.0.1")
    response, _ = await bot.get("/rammeavtaler")
    assert response.status == 404  # not on the bot's port
    own = f"http://127.0.0.1:{port}"
    async with bot.session.get(own + "/rammeavtaler", params={"q": "kontor"}) as listing:
        assert listing.status == 200
        assert result_titles(await listing.text()) == list(SEARCHES["kontor"])
    async with bot.session.get(own + "/", allow_redirects=False) as root:
        assert (root.status, root.headers["Location"]) == (301, "/rammeavtaler")
    async with bot.session.post(own + "/api/messages", json={}) as messages:
        assert messages.status == 405
    async with bot.session.get(own + "/healthz") as other:
        assert other.status == 404
        assert "Fant ikke siden" in await other.text()
