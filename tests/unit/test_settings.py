"""Settings: Azure's names, defaults per mode, and one clear line for a malformed value."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from bot.settings import Settings, SettingsError, load_settings

TENANT = "0a34e1f1-2d9e-44c0-90fe-5e5f25fc6042"


def test_local_mode_defaults() -> None:
    s = load_settings(MicrosoftAppId="")
    assert s.local_mode
    assert s.bind_host == "127.0.0.1"
    assert s.effective_tenant_ids is None, "local mode with nothing configured accepts any tenant"
    assert {"127.0.0.1", "localhost"} <= s.effective_service_url_hosts
    assert s.effective_database_url.startswith("sqlite:///")
    assert s.time_zone == "Europe/Oslo"
    assert s.dev_channel_enabled


def test_with_app_id_tenants_default_to_the_app_tenant_and_loopback_is_not_allowed() -> None:
    s = load_settings(MicrosoftAppId="abc", MicrosoftAppPassword="x", MicrosoftAppTenantId=TENANT)
    assert not s.local_mode
    assert s.effective_tenant_ids == frozenset({TENANT})
    assert "127.0.0.1" not in s.effective_service_url_hosts
    assert "smba.trafficmanager.net" in s.effective_service_url_hosts
    assert s.bind_host == "0.0.0.0"  # noqa: S104
    assert not s.dev_channel_enabled


def test_with_app_id_an_empty_tenant_list_refuses_everyone() -> None:
    s = load_settings(
        MicrosoftAppId="abc",
        MicrosoftAppPassword="x",
        MicrosoftAppTenantId=TENANT,
        ALLOWED_TENANT_IDS="",
    )
    assert s.effective_tenant_ids == frozenset()


def test_comma_separated_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_TENANT_IDS", f" {TENANT} , 11111111-1111-1111-1111-111111111111")
    monkeypatch.setenv("ALLOWED_SERVICE_URL_HOSTS", "smba.trafficmanager.net,*.botframework.com")
    monkeypatch.setenv("PROCUREMENT_MEMBERS", "a@x.no,b@x.no")
    s = Settings()
    assert s.allowed_tenant_ids == [TENANT, "11111111-1111-1111-1111-111111111111"]
    assert "*.botframework.com" in s.effective_service_url_hosts
    assert s.procurement_members == ["a@x.no", "b@x.no"]


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("PORT", "eighty", "PORT"),
        ("PORT", "70000", "PORT"),
        ("TIME_ZONE", "Europe/Atlantis", "TIME_ZONE"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("WORKING_HOURS_START", "25:00", "WORKING_HOURS_START"),
        ("WORKING_HOURS_END", "07:00", "WORKING_HOURS_END"),
        ("MicrosoftAppType", "Whatever", "MicrosoftAppType"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        (
            "ALLOWED_SERVICE_URL_HOSTS",
            "https://smba.trafficmanager.net/emea",
            "ALLOWED_SERVICE_URL_HOSTS",
        ),
    ],
)
def test_malformed_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert named in message
    assert "\n" not in message


def test_app_id_without_password_is_refused() -> None:
    with pytest.raises(SettingsError, match="MicrosoftAppPassword"):
        load_settings(MicrosoftAppId="abc")


def test_cli_prints_one_line_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kontraktsvakt: Invalid setting PORT")
    assert len(err.splitlines()) == 1


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    for field in Settings.model_fields.values():
        assert f"{field.alias}=" in example, field.alias
