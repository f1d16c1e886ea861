"""What the end-to-end tests share: the app (or any aiohttp app) on a free loopback port, the
bot's HTTP endpoint as a client sees it (`BotServer`), and the shared Teams payloads. The
fixtures that use these are in `tests/e2e/conftest.py`."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes import FaultyConnector

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "payloads"
TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class BotServer:
    url: str
    app: web.Application
    session: aiohttp.ClientSession
    connector: FaultyConnector
    service_url: str

    async def post(
        self, activity: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        async with self.session.post(
            self.url + "/api/messages", json=activity, headers=headers
        ) as r:
            body = await r.text()
            return r.status, (
                json.loads(body) if body and r.content_type == "application/json" else body
            )

    async def post_raw(self, data: bytes, content_type: str = "application/json") -> int:
        async with self.session.post(
            self.url + "/api/messages", data=data, headers={"Content-Type": content_type}
        ) as r:
            await r.read()
            return r.status

    def payload(self, name: str) -> dict[str, Any]:
        activity: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
        activity["serviceUrl"] = self.service_url
        return copy.deepcopy(activity)

    async def say(self, teams_id: str, text: str, locale: str = "nb-NO") -> list[dict[str, Any]]:
        """`teams_id` types `text` in their 1:1 chat; the activities the bot answered with."""
        activity = self.payload("message_personal_text_status_command.json")
        activity["id"] = f"f:{uuid.uuid4()}"
        activity["from"] = {"id": teams_id, "name": teams_id}
        activity["conversation"]["id"] = f"a:{teams_id}"
        activity["text"] = text
        activity["locale"] = locale
        before = len(self.connector.recorded)
        status, _ = await self.post(activity)
        assert status in {200, 201}
        await self.connector.wait_for(lambda r: r.reply_to_id == activity["id"])
        return [
            r.activity
            for r in self.connector.recorded[before:]
            if r.reply_to_id == activity["id"] and r.method == "POST"
        ]


ServerFactory = Callable[..., "AsyncIterator[BotServer]"]
