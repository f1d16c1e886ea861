"""`BotOpenIdMetadata`: where the channel's signing keys are described (default: Microsoft)."""

from __future__ import annotations

import pytest
from botframework.connector.auth import AuthenticationConstants

from bot.settings import SettingsError, load_settings
from bot.teams.auth import signing_keys_for

PRODUCTION = {"MicrosoftAppId": "abc", "MicrosoftAppPassword": "x", "_env_file": None}


def test_by_default_the_keys_come_from_microsoft() -> None:
    settings = load_settings(**PRODUCTION)
    assert settings.bot_openid_metadata == ""
    url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    assert signing_keys_for(settings).cache(url).fetch_url == url


@pytest.mark.parametrize(
    "value", ["https://login.example.com/v1/.well-known/openid", "http://127.0.0.1:8123/openid"]
)
def test_an_https_or_loopback_document_replaces_the_channels(value: str) -> None:
    settings = load_settings(**PRODUCTION, BotOpenIdMetadata=value)
    url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    assert signing_keys_for(settings).cache(url).fetch_url == value


@pytest.mark.parametrize(
    "value", ["http://login.example.com/openid", "ftp://127.0.0.1/openid", "not a url"]
)
def test_anything_else_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="BotOpenIdMetadata"):
        load_settings(**PRODUCTION, BotOpenIdMetadata=value)
