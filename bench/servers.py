"""The servers the turn benchmark compares, each run in its own process.

- `baseline`: a bare aiohttp handler that receives the activity and POSTs the same reply to the
  stand-in with one shared client session (the limit of what Python + aiohttp does here).
- `stock`: botbuilder 4.17.1's `CloudAdapter.process` as Microsoft's samples use it.
- `kontraktsvakt`: the product (`bot.app.create_app`), local mode, SQLite in a temp folder.

Run: python -m bench.servers NAME PORT [DATA_DIR]
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import aiohttp
from aiohttp import web

HELP_TEXT = "**Slik bruker du Kontraktsvakt**"
SESSION = web.AppKey("session", aiohttp.ClientSession)


def baseline_app() -> web.Application:
    async def session_ctx(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        yield
        await app[SESSION].close()

    async def messages(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        reply = {
            "type": "message",
            "text": HELP_TEXT,
            "replyToId": activity["id"],
            "conversation": activity["conversation"],
            "from": activity["recipient"],
            "recipient": activity["from"],
            "channelId": activity["channelId"],
            "serviceUrl": activity["serviceUrl"],
        }
        url = (
            activity["serviceUrl"].rstrip("/")
            + f"/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
        )
        async with request.app[SESSION].post(url, json=reply) as response:
            await response.read()
        return web.Response(status=201)

    app = web.Application()
    app.cleanup_ctx.append(session_ctx)
    app.router.add_post("/api/messages", messages)
    return app


def stock_app() -> web.Application:
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class HelpBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(HELP_TEXT)

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = HelpBot()

    async def messages(request: web.Request) -> web.Response:
        response: web.Response = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def product_app(data_dir: Path) -> web.Application:
    from bot.app import create_app, settle_heap
    from bot.settings import load_settings
    from storage.db import upgrade_database

    settings = load_settings(
        MicrosoftAppId="", DATA_DIR=str(data_dir), DEV_CHANNEL=False, LOG_LEVEL="WARNING"
    )
    upgrade_database(settings.effective_database_url)
    app = create_app(settings)
    app.on_startup.append(settle_heap)  # as `kontraktsvakt serve` does
    return app


def main() -> None:
    name, port = sys.argv[1], int(sys.argv[2])
    if name == "baseline":
        app = baseline_app()
    elif name == "stock":
        app = stock_app()
    else:
        app = product_app(Path(sys.argv[3]))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
