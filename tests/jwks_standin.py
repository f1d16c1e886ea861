"""A stand-in for Microsoft's OpenID metadata and signing-key endpoints, and tokens signed as the
Bot Framework channel signs them (`tests/integration/test_signing_keys.py`,
`tests/e2e/test_auth_availability.py`).

The stand-in runs in a thread with its own event loop, so it answers (or hangs) whatever the
bot's loop is doing: code that blocks the bot's loop on a fetch shows up as slow answers, not as a
test that hangs. In `hang` mode it never answers until `release()` (or its watchdog) drops the
waiting connections.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CHANNEL_ISSUER = "https://api.botframework.com"


class SigningKeyPair:
    def __init__(self, kid: str | None = None) -> None:
        self.kid = kid or uuid.uuid4().hex
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self, endorsements: tuple[str, ...] = ("msteams",)) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return jwk | {"kid": self.kid, "use": "sig", "endorsements": list(endorsements)}

    def token(self, app_id: str, service_url: str, **claims: Any) -> str:
        """A channel token: issuer api.botframework.com, audience the bot's app id, the
        activity's service URL."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": CHANNEL_ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        payload.update(claims)
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self.kid})


class KeyEndpointStandIn:
    """`GET /openid` (the metadata document) and `GET /keys` (the key set)."""

    def __init__(self, *, hang: bool = False, watchdog_seconds: float = 20.0) -> None:
        self.hang = hang
        self.status = 200
        self.keys: list[dict[str, Any]] = []
        self.metadata: Any = None  # served instead of the usual document when set
        self.key_set: Any = None  # likewise, instead of {"keys": keys}
        self.requests: list[str] = []
        self._watchdog_seconds = watchdog_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._watchdog: threading.Timer | None = None
        self.base = ""

    @property
    def metadata_url(self) -> str:
        return self.base + "/openid"

    def metadata_requests(self) -> int:
        return self.requests.count("/openid")

    def start(self) -> KeyEndpointStandIn:
        self._thread = threading.Thread(target=self._run, name="key stand-in", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the key stand-in did not start")
        # Whatever the code under test does, hanging requests end after this long.
        self._watchdog = threading.Timer(self._watchdog_seconds, self.release)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def release(self) -> None:
        """Drop every request that is hanging (the client sees the connection close)."""
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def answer(self) -> None:
        """From now on answer, and drop the requests still hanging."""
        self.hang = False
        self.release()

    def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._loop is not None and self._stop is not None:
            self.release()
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._released = asyncio.Event()
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._key_set)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    async def _hang_if_asked(self, request: web.Request) -> None:
        self.requests.append(request.path)
        if self.hang and self._released is not None:
            await self._released.wait()
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable

    async def _metadata(self, request: web.Request) -> web.Response:
        await self._hang_if_asked(request)
        if self.status != 200:
            return web.json_response({"error": "down"}, status=self.status)
        if self.metadata is not None:
            return web.json_response(self.metadata)
        return web.json_response({"issuer": CHANNEL_ISSUER, "jwks_uri": self.base + "/keys"})

    async def _key_set(self, request: web.Request) -> web.Response:
        await self._hang_if_asked(request)
        return web.json_response(self.key_set if self.key_set is not None else {"keys": self.keys})
