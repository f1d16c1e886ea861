"""The public register's settings refuse what cannot work, and its token bucket lets a client
burst up to the rate, then one request per refilled token, each client on its own."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.public_register.rate_limit import MAX_CLIENTS, RateLimiter
from bot.settings import DEFAULT_ACCESSIBILITY_URL, Settings


def test_defaults() -> None:
    settings = Settings(MicrosoftAppId="")
    assert settings.public_register_port == 0
    assert settings.public_register_rate_per_minute == 120
    assert settings.public_register_show_personal_contacts is False
    assert settings.public_register_accessibility_url == DEFAULT_ACCESSIBILITY_URL


@pytest.mark.parametrize(
    "values",
    [
        {"PUBLIC_REGISTER_PORT": 3978, "PORT": 3978},
        {"PUBLIC_REGISTER_PORT": 70000},
        {"PUBLIC_REGISTER_PORT": -1},
        {"PUBLIC_REGISTER_RATE_PER_MINUTE": 0},
        {"PUBLIC_REGISTER_SHOW_PERSONAL_CONTACTS": "kanskje"},
        {"PUBLIC_REGISTER_ACCESSIBILITY_URL": "http://uustatus.no/x"},
        {"PUBLIC_REGISTER_ACCESSIBILITY_URL": "javascript:alert(1)"},
        {"PUBLIC_REGISTER_ACCESSIBILITY_URL": "//evil.example/x"},
    ],
)
def test_malformed_values_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(MicrosoftAppId="", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://uustatus.no/nb/erklaringer/publisert/abc", None),
        ("/om/tilgjengelighet", None),
        ("  ", DEFAULT_ACCESSIBILITY_URL),
    ],
)
def test_accessibility_url(given: str, kept: str | None) -> None:
    settings = Settings(MicrosoftAppId="", PUBLIC_REGISTER_ACCESSIBILITY_URL=given)
    assert settings.public_register_accessibility_url == (kept or given)


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_bursts_then_refills_per_client() -> None:
    ticks = Ticks()
    limiter = RateLimiter(60, clock=ticks)  # one a second
    assert [limiter.wait_seconds("a") for _ in range(60)] == [0] * 60
    assert limiter.wait_seconds("a") == 1
    assert limiter.wait_seconds("b") == 0  # another client has its own bucket
    ticks.now += 1.0
    assert limiter.wait_seconds("a") == 0
    assert limiter.wait_seconds("a") == 1
    ticks.now += 3600
    assert [limiter.wait_seconds("a") for _ in range(60)] == [0] * 60  # never above the rate


def test_a_slow_rate_says_how_long_to_wait() -> None:
    ticks = Ticks()
    limiter = RateLimiter(2, clock=ticks)  # one every 30 seconds
    assert (limiter.wait_seconds("a"), limiter.wait_seconds("a")) == (0, 0)
    assert limiter.wait_seconds("a") == 30
    ticks.now += 29.5
    assert limiter.wait_seconds("a") == 1


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(10, clock=Ticks())
    for n in range(MAX_CLIENTS + 50):
        limiter.wait_seconds(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._buckets) == MAX_CLIENTS
