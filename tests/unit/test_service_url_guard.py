"""The service URL guard reads a URL as the HTTP client (aiohttp, yarl) will, and refuses what
two parsers could read differently: user info, backslashes, control characters, plain http
outside loopback in local mode."""

from __future__ import annotations

import pytest

from bot.teams.connector import host_allowed

TEAMS = frozenset({"smba.trafficmanager.net", "*.botframework.com"})
LOCAL = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net/amer/",
        "https://SMBA.TrafficManager.net/emea/",
        "https://smba.trafficmanager.net:443/emea/",
        "https://smba.trafficmanager.net",
        "https://europe.botframework.com/",
    ],
)
def test_teams_service_urls_are_allowed(url: str) -> None:
    assert host_allowed(url, TEAMS)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net\\@evil.example/",
        "https://smba.trafficmanager.net\\evil.example/",
        "https:\\\\smba.trafficmanager.net/",
        "https://smba.trafficmanager.net/emea\\..\\x/",
        "https://evil.example%5C@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net@evil.example/",
        "https://user:pass@smba.trafficmanager.net/",
        "https://@smba.trafficmanager.net/",
        "https://evil.example%2f@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net%2f@evil.example/",
        "https://smba.trafficmanager.net\t@evil.example/",
        "https://smba.trafficmanager.net\n.evil.example/",
        "https://smba.trafficmanager.net /",
        " https://smba.trafficmanager.net/",
        "https://smba.trafficmanager.net./",
        "https://evil.example#@smba.trafficmanager.net/",
        "https://evil.example?@smba.trafficmanager.net/",
        "https://smba.trafficmanager.net/?x=@evil.example",
        "https://smba.trafficmanager.net/#@evil.example",
        "http://smba.trafficmanager.net/",
        "ftp://smba.trafficmanager.net/",
        "//smba.trafficmanager.net/",
        "smba.trafficmanager.net",
        "https://smba.trafficmanager.net.evil.example/",
        "https://evilsmba.trafficmanager.net/",
        "https://botframework.com.evil.example/",
        "https://evil-botframework.com/",
        "https://[::1]/",
        "https://smba.trafficmanager.net:99999/",
        "",
    ],
)
def test_tricky_urls_are_refused(url: str) -> None:
    assert not host_allowed(url, TEAMS)


def test_plain_http_is_for_loopback_in_local_mode_only() -> None:
    assert host_allowed("http://127.0.0.1:3978/", LOCAL)
    assert host_allowed("http://localhost:3978/", LOCAL)
    assert host_allowed("http://[::1]:3978/", LOCAL)
    assert not host_allowed("http://127.0.0.1:3978/", LOCAL, allow_loopback_http=False)
    assert host_allowed("https://127.0.0.1:3978/", LOCAL, allow_loopback_http=False)
    assert not host_allowed("http://evil.example/", LOCAL | {"evil.example"})
    assert not host_allowed("http://127.0.0.1\\@evil.example/", LOCAL)
    assert not host_allowed("http://evil.example\\@127.0.0.1/", LOCAL)
