"""The one settings object: read from the environment and an optional `.env` file.

Names that operators and Azure rely on are kept exactly (`MicrosoftAppId`, `DATABASE_URL`, ...).
A malformed value stops start-up with one line naming the setting (see `load_settings`).
"""

from __future__ import annotations

import ipaddress
from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from followup.analysis.models import Thresholds
from followup.archive.records import ArchiveEvent, ArchiveOptions
from followup.orgnr import InvalidOrganisationNumber, normalise_organisation_number
from followup.plans.plan_file import PlanConfig, PlanFileError, load_plan
from followup.reminders.planning import ReminderSettings

DEFAULT_DATA_DIR = Path("var")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Teams' Bot Connector endpoints (public cloud). Override with ALLOWED_SERVICE_URL_HOSTS.
DEFAULT_TEAMS_SERVICE_HOSTS = ("smba.trafficmanager.net",)
# Where files sent to the bot in Teams are downloaded from (SharePoint and OneDrive for Business).
# Narrow it to your tenant with DOCUMENT_DOWNLOAD_HOSTS, e.g. `bergvik.sharepoint.com,
# bergvik-my.sharepoint.com`.
DEFAULT_DOCUMENT_DOWNLOAD_HOSTS = ("*.sharepoint.com",)
# Where exports are uploaded when someone accepts the file consent card (their OneDrive for
# Business, on SharePoint). Narrow it with EXPORT_UPLOAD_HOSTS, e.g. `bergvik-my.sharepoint.com`.
DEFAULT_EXPORT_UPLOAD_HOSTS = ("*.sharepoint.com",)
# The official Fiks Arkiv V1 schemas (third-party, not in the repository): beside it by default.
DEFAULT_ARCHIVE_SCHEMA_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "schemas" / "fiks-arkiv-v1"
)
ARCHIVE_MESSAGE_SCHEMA = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
# The public register's accessibility statement: its own page unless the municipality has one.
DEFAULT_ACCESSIBILITY_URL = "/rammeavtaler/tilgjengelighet"


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ArchiveTransportKind(StrEnum):
    """ARCHIVE_TRANSPORT: how archive messages leave (`storage.archive.transports`)."""

    NONE = "none"
    FOLDER = "folder"
    STANDIN = "standin"
    FIKSIO = "fiksio"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
    )

    # Azure Bot registration (Azure's own variable names).
    microsoft_app_id: str = Field(default="", alias="MicrosoftAppId")
    microsoft_app_password: SecretStr = Field(default=SecretStr(""), alias="MicrosoftAppPassword")
    microsoft_app_type: AppType = Field(default=AppType.SINGLE_TENANT, alias="MicrosoftAppType")
    microsoft_app_tenant_id: str = Field(default="", alias="MicrosoftAppTenantId")
    bot_openid_metadata: str = Field(default="", alias="BotOpenIdMetadata")
    """The OpenID metadata document whose keys sign the channel's tokens (botbuilder's setting
    name); empty: Microsoft's public cloud. https, or http on loopback (tests' stand-in)."""

    # Storage.
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="DATA_DIR")
    database_url: str = Field(default="", alias="DATABASE_URL")

    # Guards. Comma-separated in the environment.
    allowed_tenant_ids: Annotated[list[str] | None, NoDecode] = Field(
        default=None, alias="ALLOWED_TENANT_IDS"
    )
    allowed_service_url_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="ALLOWED_SERVICE_URL_HOSTS"
    )
    procurement_members: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="PROCUREMENT_MEMBERS"
    )
    max_body_bytes: int = Field(default=256 * 1024, alias="MAX_BODY_BYTES", ge=4096, le=4 << 20)

    # Network.
    host: str = Field(default="", alias="HOST")
    port: int = Field(default=3978, alias="PORT", ge=1, le=65535)
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL")

    # Calendar and follow-up plan.
    plan_file: Path | None = Field(default=None, alias="PLAN_FILE")
    time_zone: str = Field(default="Europe/Oslo", alias="TIME_ZONE")
    working_hours_start: time = Field(default=time(8, 0), alias="WORKING_HOURS_START")
    working_hours_end: time = Field(default=time(16, 0), alias="WORKING_HOURS_END")

    # Reminders (see followup/reminders/planning.py and followup/reminders/outbox.py).
    scheduler_tick_seconds: float = Field(
        default=30.0, alias="SCHEDULER_TICK_SECONDS", ge=1, le=3600
    )
    send_rate_per_tenant: float = Field(default=30.0, alias="SEND_RATE_PER_TENANT", ge=0, le=1000)
    """Proactive sends per second per tenant (Teams allows 30–50); 0 switches pacing off."""
    send_concurrency: int = Field(default=16, alias="SEND_CONCURRENCY", ge=1, le=256)
    weekly_summary_day: int = Field(default=1, alias="WEEKLY_SUMMARY_DAY", ge=1, le=7)
    """1 = Monday … 7 = Sunday."""
    weekly_summary_time: time = Field(default=time(8, 0), alias="WEEKLY_SUMMARY_TIME")
    clock_speed: float = Field(default=1.0, alias="CLOCK_SPEED", gt=0, le=1_000_000)
    """Local mode only: the follow-ups' clock runs this many times faster (the demo): what is
    due, reminders, answers. What expires (export links, activity claims, the outbox's leases)
    keeps real time."""

    # Documents sent to the bot (see bot/uploads/commands.py and bot/teams/file_downloads.py).
    documents_dir: Path | None = Field(default=None, alias="DOCUMENTS_DIR")
    """Where the bytes of documents are kept; default DATA_DIR/documents."""
    document_download_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_DOCUMENT_DOWNLOAD_HOSTS),
        alias="DOCUMENT_DOWNLOAD_HOSTS",
    )
    """Hosts files are downloaded from (`*.example.com` allows subdomains); https only, and
    never to a private address, outside local mode. Local mode adds loopback."""
    document_max_mb: int = Field(default=25, alias="DOCUMENT_MAX_MB", ge=1, le=250)
    document_download_timeout_seconds: float = Field(
        default=60.0, alias="DOCUMENT_DOWNLOAD_TIMEOUT_SECONDS", ge=1, le=600
    )
    document_download_concurrency: int = Field(
        default=4, alias="DOCUMENT_DOWNLOAD_CONCURRENCY", ge=1, le=64
    )

    # Exports (see bot/exports/commands.py).
    export_lifetime_minutes: int = Field(
        default=60, alias="EXPORT_LIFETIME_MINUTES", ge=5, le=24 * 60
    )
    """How long a prepared export is kept (waiting for consent, or behind its link)."""
    export_link_minutes: int = Field(default=15, alias="EXPORT_LINK_MINUTES", ge=1, le=24 * 60)
    """How long a download link works; at most EXPORT_LIFETIME_MINUTES."""
    export_upload_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_EXPORT_UPLOAD_HOSTS), alias="EXPORT_UPLOAD_HOSTS"
    )
    """Hosts an accepted file consent may upload to (Teams gives the address: the person's
    OneDrive); https only and never a private address, outside local mode. Local mode adds
    loopback."""

    # Purchase analysis (see followup/analysis/figures.py): when a figure becomes a finding.
    analysis_price_tolerance_percent: Decimal = Field(
        default=Decimal("0.5"), alias="ANALYSIS_PRICE_TOLERANCE_PERCENT", ge=0, le=100
    )
    """An invoiced price more than this many percent above the agreed price is a deviation."""
    analysis_core_share_min_percent: Decimal = Field(
        default=Decimal(50), alias="ANALYSIS_CORE_SHARE_MIN_PERCENT", ge=0, le=100
    )
    analysis_off_list_max_percent: Decimal = Field(
        default=Decimal(20), alias="ANALYSIS_OFF_LIST_MAX_PERCENT", ge=0, le=100
    )
    analysis_loyalty_min_percent: Decimal = Field(
        default=Decimal(80), alias="ANALYSIS_LOYALTY_MIN_PERCENT", ge=0, le=100
    )
    analysis_ceiling_warn_percent: Decimal = Field(
        default=Decimal(80), alias="ANALYSIS_CEILING_WARN_PERCENT", gt=0, le=100
    )

    # The archive (issue 17, followup/archive): Fiks Arkiv messages to the sak/arkiv system.
    archive_transport: ArchiveTransportKind = Field(
        default=ArchiveTransportKind.NONE, alias="ARCHIVE_TRANSPORT"
    )
    archive_folder: Path | None = Field(default=None, alias="ARCHIVE_FOLDER")
    """The folder drop (and the stand-in's state); default DATA_DIR/arkiv."""
    archive_schema_dir: Path | None = Field(default=None, alias="ARCHIVE_SCHEMA_DIR")
    """The official Fiks Arkiv V1 schema folder; default ../shared/schemas/fiks-arkiv-v1."""
    archive_organisation_number: str = Field(default="", alias="ARCHIVE_ORGANISATION_NUMBER")
    archive_system_name: str = Field(
        default="Kontraktsvakt", alias="ARCHIVE_SYSTEM_NAME", min_length=1, max_length=100
    )
    archive_events: Annotated[list[ArchiveEvent], NoDecode] = Field(
        default_factory=lambda: list(ArchiveEvent), alias="ARCHIVE_EVENTS"
    )

    # The public register of framework agreements (/rammeavtaler, issue 18).
    public_register_port: int = Field(default=0, alias="PUBLIC_REGISTER_PORT", ge=0, le=65535)
    public_register_rate_per_minute: int = Field(
        default=120, alias="PUBLIC_REGISTER_RATE_PER_MINUTE", ge=1, le=100_000
    )
    public_register_show_personal_contacts: bool = Field(
        default=False, alias="PUBLIC_REGISTER_SHOW_PERSONAL_CONTACTS"
    )
    public_register_accessibility_url: str = Field(
        default=DEFAULT_ACCESSIBILITY_URL, alias="PUBLIC_REGISTER_ACCESSIBILITY_URL"
    )

    # Operations.
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    log_format: LogFormat = Field(default=LogFormat.TEXT, alias="LOG_FORMAT")
    dev_channel: bool | None = Field(default=None, alias="DEV_CHANNEL")

    @field_validator(
        "allowed_tenant_ids",
        "allowed_service_url_hosts",
        "procurement_members",
        "document_download_hosts",
        "export_upload_hosts",
        "archive_events",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("allowed_service_url_hosts", "document_download_hosts", "export_upload_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            bare = host.removeprefix("*.")
            if not bare or "/" in bare or (":" in bare.strip("[]") and not _is_ip(bare)):
                raise ValueError(f"'{host}' is not a host name (no scheme, path or port)")
        return [h.lower() for h in value]

    @field_validator("document_download_hosts", "export_upload_hosts")
    @classmethod
    def _download_hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if host.startswith("*.") and "." not in host[2:]:
                raise ValueError(f"'{host}' is too wide: name at least a domain (*.example.com)")
            if "*" in host.removeprefix("*."):
                raise ValueError(f"'{host}': a * may only start a name (*.example.com)")
        return value

    @field_validator("export_link_minutes")
    @classmethod
    def _link_within_lifetime(cls, value: int, info: ValidationInfo) -> int:
        lifetime = info.data.get("export_lifetime_minutes")
        if isinstance(lifetime, int) and value > lifetime:
            raise ValueError(f"must be at most EXPORT_LIFETIME_MINUTES ({lifetime})")
        return value

    @field_validator("archive_organisation_number")
    @classmethod
    def _archive_organisation_number(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalise_organisation_number(value)
        except InvalidOrganisationNumber as exc:
            raise ValueError(f"not an organisation number (9 digits, MOD11): {exc}") from None

    @field_validator("archive_system_name")
    @classmethod
    def _archive_system_name(cls, value: str) -> str:
        if value != value.strip() or not value.isprintable():
            raise ValueError("no blanks around it and no control characters")
        return value

    @field_validator(
        "plan_file", "documents_dir", "archive_folder", "archive_schema_dir", mode="before"
    )
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @field_validator("bot_openid_metadata")
    @classmethod
    def _openid_metadata(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value
        if parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
            return value
        raise ValueError("must be an https URL (http only on loopback)")

    @field_validator("public_register_port")
    @classmethod
    def _public_register_port(cls, value: int, info: ValidationInfo) -> int:
        if value and value == info.data.get("port"):
            raise ValueError("must differ from PORT (0 serves the pages on PORT)")
        return value

    @field_validator("public_register_accessibility_url")
    @classmethod
    def _accessibility_url(cls, value: str) -> str:
        value = value.strip() or DEFAULT_ACCESSIBILITY_URL
        parts = urlsplit(value)
        if value.startswith("/") and not value.startswith("//") and not parts.netloc:
            return value
        if parts.scheme == "https" and parts.hostname and " " not in value:
            return value
        raise ValueError("must be an https URL or a path on this site (/...)")

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return upper

    # Derived values -------------------------------------------------------------------------

    @property
    def local_mode(self) -> bool:
        """No app id: no token checks, the dev channel, loopback only."""
        return not self.microsoft_app_id

    @property
    def dev_channel_enabled(self) -> bool:
        return self.local_mode if self.dev_channel is None else self.dev_channel and self.local_mode

    @property
    def bind_host(self) -> str:
        return self.host or ("127.0.0.1" if self.local_mode else "0.0.0.0")  # noqa: S104

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kontraktsvakt.db').as_posix()}"

    @property
    def effective_tenant_ids(self) -> frozenset[str] | None:
        """The tenants allowed; None means any tenant (local mode with nothing configured)."""
        if self.allowed_tenant_ids is not None and self.allowed_tenant_ids:
            return frozenset(t.lower() for t in self.allowed_tenant_ids)
        if self.local_mode:
            return None
        if self.allowed_tenant_ids is None and self.microsoft_app_tenant_id:
            return frozenset({self.microsoft_app_tenant_id.lower()})
        return frozenset()  # an app id and an empty list: refuse every tenant

    @property
    def effective_service_url_hosts(self) -> frozenset[str]:
        hosts = set(self.allowed_service_url_hosts)
        if self.local_mode:
            hosts |= LOOPBACK_HOSTS
        elif not hosts:
            hosts |= set(DEFAULT_TEAMS_SERVICE_HOSTS)
        return frozenset(hosts)

    @property
    def effective_documents_dir(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"

    @property
    def effective_document_download_hosts(self) -> frozenset[str]:
        hosts = set(self.document_download_hosts)
        if self.local_mode:
            hosts |= LOOPBACK_HOSTS
        return frozenset(hosts)

    @property
    def effective_export_upload_hosts(self) -> frozenset[str]:
        hosts = set(self.export_upload_hosts)
        if self.local_mode:
            hosts |= LOOPBACK_HOSTS
        return frozenset(hosts)

    @property
    def exports_dir(self) -> Path:
        """Where prepared exports wait (DATA_DIR/exports)."""
        return self.data_dir / "exports"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def base_url(self) -> str:
        """Where people reach this installation (links in messages, the calendar feed)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.bind_host}:{self.port}"

    def plan(self) -> PlanConfig:
        """The follow-up plan: PLAN_FILE, or the default plan shipped with the product."""
        return load_plan(self.plan_file)

    @property
    def effective_archive_folder(self) -> Path:
        return self.archive_folder or self.data_dir / "arkiv"

    @property
    def effective_archive_schema_dir(self) -> Path:
        return self.archive_schema_dir or DEFAULT_ARCHIVE_SCHEMA_DIR

    def archive_options(self, system_version: str | None = None) -> ArchiveOptions:
        return ArchiveOptions(
            system_name=self.archive_system_name,
            organisation_number=self.archive_organisation_number or None,
            events=frozenset(self.archive_events),
            system_version=system_version,
        )

    def analysis_thresholds(self) -> Thresholds:
        hundred = Decimal(100)
        return Thresholds(
            price_tolerance=self.analysis_price_tolerance_percent / hundred,
            core_share_min=self.analysis_core_share_min_percent / hundred,
            off_list_share_max=self.analysis_off_list_max_percent / hundred,
            loyalty_min=self.analysis_loyalty_min_percent / hundred,
            ceiling_warn=self.analysis_ceiling_warn_percent / hundred,
        )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


_ALIASES = {name: (field.alias or name) for name, field in Settings.model_fields.items()}


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError with one line naming the bad setting."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = str(first["loc"][0]) if first["loc"] else "?"
        name = _ALIASES.get(loc, loc)
        raise SettingsError(f"Invalid setting {name}: {first['msg']}") from None
    if settings.working_hours_end <= settings.working_hours_start:
        raise SettingsError(
            "Invalid setting WORKING_HOURS_END: must be later than WORKING_HOURS_START"
        )
    if settings.plan_file is not None:
        try:
            settings.plan()
        except PlanFileError as exc:
            raise SettingsError(f"Invalid setting PLAN_FILE: {exc}") from None
    if (
        settings.microsoft_app_id
        and not settings.microsoft_app_password.get_secret_value()
        and settings.microsoft_app_type is not AppType.USER_ASSIGNED_MSI
    ):
        raise SettingsError(
            "Invalid setting MicrosoftAppPassword: required when MicrosoftAppId is set"
        )
    _check_archive(settings)
    return settings


def _check_archive(settings: Settings) -> None:
    """With a transport, the schema folder must be there (nothing leaves unvalidated)."""
    if settings.archive_transport is ArchiveTransportKind.NONE:
        return
    schemas = settings.effective_archive_schema_dir
    if not (schemas / ARCHIVE_MESSAGE_SCHEMA).is_file():
        raise SettingsError(
            f"Invalid setting ARCHIVE_SCHEMA_DIR: {schemas} does not hold the Fiks Arkiv V1 "
            f"schemas ({ARCHIVE_MESSAGE_SCHEMA})"
        )


__all__ = [
    "AppType",
    "ArchiveTransportKind",
    "LogFormat",
    "Settings",
    "SettingsError",
    "load_settings",
]


def reminder_settings(settings: Settings) -> ReminderSettings:
    return ReminderSettings(
        window_start=settings.working_hours_start,
        window_end=settings.working_hours_end,
        weekly_weekday=settings.weekly_summary_day - 1,
        weekly_at=settings.weekly_summary_time,
    )
