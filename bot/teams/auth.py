"""Bot Framework authentication that hands botbuilder pooled connector clients.

Inbound tokens are still validated by botbuilder's own `BotFrameworkAuthentication` (with an
app id), except that the signing keys come from `bot/teams/signing_keys.py` (fetched off the event
loop, with a timeout; botbuilder's own fetch blocks the loop without one). The outbound client is
replaced too (see `bot/teams/connector.py`). In local mode (no app id) there is nothing to validate
and no token to send.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ManagedIdentityAppCredentials,
    MicrosoftAppCredentials,
)

from bot.settings import AppType, Settings
from bot.teams.connector import CachedTokenSource, ConnectorPool, PooledConnectorFactory
from bot.teams.signing_keys import SigningKeys, install_in_botbuilder

CHANNEL_AUDIENCE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE


class AuthenticationFailed(Exception):
    """The request's Bot Framework token is missing or not valid."""


def signing_keys_for(settings: Settings) -> SigningKeys:
    """The signing keys for inbound tokens; `BotOpenIdMetadata` replaces the channel's document."""
    overrides: dict[str, str] = {}
    if settings.bot_openid_metadata:
        overrides[AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL] = (
            settings.bot_openid_metadata
        )
    return SigningKeys(overrides)


class PooledBotFrameworkAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    def __init__(
        self,
        settings: Settings,
        pool: ConnectorPool,
        *,
        signing_keys: SigningKeys | None = None,
    ) -> None:
        self._settings = settings
        self._pool = pool
        self._local = settings.local_mode
        self._token_sources: dict[str, CachedTokenSource] = {}
        self._inner: BotFrameworkAuthentication | None = None
        self._signing_keys = signing_keys or signing_keys_for(settings)
        if not self._local:
            # botbuilder fetches signing keys with a blocking requests.get, without a timeout, on
            # the event loop: one forged token could freeze the bot. This routes its per-URL
            # metadata cache (`JwtTokenExtractor.metadataCache`) to the `SigningKeys` made active
            # around each validation below; it raises if botbuilder's internals have changed.
            install_in_botbuilder()
            config = SimpleNamespace(
                APP_ID=settings.microsoft_app_id,
                APP_PASSWORD=settings.microsoft_app_password.get_secret_value(),
                APP_TYPE=settings.microsoft_app_type.value,
                APP_TENANTID=settings.microsoft_app_tenant_id,
            )
            self._inner = ConfigurationBotFrameworkAuthentication(config)

    def _token_source(self, audience: str | None) -> CachedTokenSource | None:
        if self._local:
            return None
        audience = audience or CHANNEL_AUDIENCE
        source = self._token_sources.get(audience)
        if source is None:
            source = CachedTokenSource(self._credentials(audience))
            self._token_sources[audience] = source
        return source

    def _credentials(self, audience: str) -> AppCredentials:
        s = self._settings
        if s.microsoft_app_type is AppType.USER_ASSIGNED_MSI:
            return ManagedIdentityAppCredentials(s.microsoft_app_id, oauth_scope=audience)
        tenant = (
            s.microsoft_app_tenant_id if s.microsoft_app_type is AppType.SINGLE_TENANT else None
        )
        return MicrosoftAppCredentials(
            s.microsoft_app_id,
            s.microsoft_app_password.get_secret_value(),
            channel_auth_tenant=tenant,
            oauth_scope=audience,
        )

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        if self._inner is None:
            result = AuthenticateRequestResult()
            result.claims_identity = ClaimsIdentity(
                {}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE
            )
            result.audience = None
            result.caller_id = None
        else:
            try:
                with self._signing_keys.active():
                    result = await self._inner.authenticate_request(activity, auth_header)
            except Exception as exc:
                raise AuthenticationFailed(type(exc).__name__) from exc
        result.connector_factory = PooledConnectorFactory(
            self._pool, self._token_source(result.audience)
        )
        return result

    def prefetch_signing_keys(self) -> None:
        """Start fetching the channel's signing keys (call at start-up, in the event loop), so
        the first request need not wait for them."""
        if not self._local:
            cache = self._signing_keys.cache(
                AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
            )
            cache.refresh()

    async def close(self) -> None:
        """Stop a key fetch that is under way (at shut-down)."""
        await self._signing_keys.close()

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        raise AuthenticationFailed("streaming is not supported")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> PooledConnectorFactory:
        return PooledConnectorFactory(self._pool, self._token_source(CHANNEL_AUDIENCE))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        # The bot uses no OAuth prompt; building a token API client per turn would only cost time.
        return None

    def get_originating_audience(self) -> str:
        return str(CHANNEL_AUDIENCE)
