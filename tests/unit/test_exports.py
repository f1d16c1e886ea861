"""Exports below the HTTP level: reading `eksport …`, the folder store, links and consents,
the upload address check, the download's file name, and the export settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation.replies import DateProblem
from bot.exports.commands import ExportRequest, read_export_request
from bot.exports.download_route import content_disposition
from bot.settings import SettingsError, load_settings
from bot.teams.file_uploads import FileUploader, UploadFailed, UploadPolicy
from followup.exports import (
    ConsentProblem,
    ExportFile,
    ExportFormat,
    LinkState,
    consented_export,
    export_for_link,
    hash_token,
    issue_link,
    new_export_id,
    prepare_file,
)
from followup.views import EXPORT_COLUMNS, ExportKind, ExportRow
from storage.export_store import FolderExportStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
COLUMNS = EXPORT_COLUMNS[ExportKind.FORFALT]


def _row(n: int) -> ExportRow:
    return (f"REF-{n}", "Kontrakt", "Leverandør AS", "Enhet", "Levering", date(2026, 11, 2),
            21, "varslet", 1, False, "Ola Hansen", "ola@example.no")  # fmt: skip


# --- eksport <kind> [fra] [til] [csv] -------------------------------------------------------------


def _read(words: str) -> ExportRequest | None:
    return read_export_request(words, NOW, TODAY, "nb-NO")


@pytest.mark.parametrize(
    ("words", "kind", "start", "end", "export_format"),
    [
        ("forfalt", ExportKind.FORFALT, None, None, ExportFormat.XLSX),
        ("Forfalte csv", ExportKind.FORFALT, None, None, ExportFormat.CSV),
        ("overdue", ExportKind.FORFALT, None, None, ExportFormat.XLSX),
        ("svar fra 1.9 til 30.11", ExportKind.SVAR, date(2026, 9, 1), date(2026, 11, 30), "xlsx"),
        ("answers from 1.9 to 30.11 csv", ExportKind.SVAR, date(2026, 9, 1), date(2026, 11, 30),
         "csv"),
        ("avvik fra 20.12 til 3.1", ExportKind.AVVIK, date(2025, 12, 20), date(2026, 1, 3), "xlsx"),
        ("kontrakter fra 1.1", ExportKind.KONTRAKTER, date(2026, 1, 1), None, "xlsx"),
        ("contracts to 31.3", ExportKind.KONTRAKTER, None, date(2026, 3, 31), "xlsx"),
        ("svar til 30.11", ExportKind.SVAR, None, date(2026, 11, 30), "xlsx"),
        ("svar i går", ExportKind.SVAR, date(2026, 11, 22), date(2026, 11, 22), "xlsx"),
        ("deviations from 1.1.2026 to 31.3.2026", ExportKind.AVVIK, date(2026, 1, 1),
         date(2026, 3, 31), "xlsx"),
        ("risiko", ExportKind.RISIKO, None, None, "xlsx"),
        ("Risikovurderinger fra 1.9 csv", ExportKind.RISIKO, date(2026, 9, 1), None, "csv"),
        ("risk from 1.1 to 30.6", ExportKind.RISIKO, date(2026, 1, 1), date(2026, 6, 30),
         "xlsx"),
        ("evalueringer", ExportKind.EVALUERINGER, None, None, "xlsx"),
        ("evaluering til 30.11 csv", ExportKind.EVALUERINGER, None, date(2026, 11, 30), "csv"),
        ("evaluations from 1.1.2026", ExportKind.EVALUERINGER, date(2026, 1, 1), None, "xlsx"),
    ],
)  # fmt: skip
def test_the_request_is_read_looking_back(
    words: str, kind: ExportKind, start: date | None, end: date | None, export_format: str
) -> None:
    wanted = _read(words)
    assert wanted is not None
    assert (wanted.kind, wanted.from_date, wanted.to_date) == (kind, start, end)
    assert wanted.export_format == ExportFormat(export_format)


def test_closed_deviations_on_request_only() -> None:
    assert _read("avvik")
    assert _read("avvik alle") == ExportRequest(
        ExportKind.AVVIK, ExportFormat.XLSX, None, None, include_closed=True
    )
    open_only, everything = _read("avvik"), _read("avvik alle")
    assert open_only is not None
    assert everything is not None
    assert open_only.query(TODAY).open_only
    assert not everything.query(TODAY).open_only


@pytest.mark.parametrize("words", ["", "alt", "status", "2026"])
def test_no_kind_is_no_request(words: str) -> None:
    assert _read(words) is None


def test_a_date_not_understood_says_so() -> None:
    with pytest.raises(DateProblem) as problem:
        _read("svar fra blåmandag")
    assert "blåmandag" in problem.value.reply


# --- the folder store -----------------------------------------------------------------------------


def _export(store: FolderExportStore, rows: int = 3, **changes: object) -> ExportFile:
    export_id = new_export_id()
    written = store.write(
        export_id, ExportFormat.XLSX, (_row(n) for n in range(rows)), COLUMNS,
        sheet_title="Forfalt", max_rows=changes.pop("max_rows", 1000),  # type: ignore[arg-type]
    )  # fmt: skip
    values: dict[str, object] = {
        "id": export_id,
        "kind": ExportKind.FORFALT,
        "format": ExportFormat.XLSX,
        "file_name": "kontraktsvakt-forfalt-2026-11-23.xlsx",
        "size_bytes": written.size_bytes,
        "rows": written.rows,
        "truncated": written.truncated,
        "person_id": "kari",
        "conversation_id": "a:kari",
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=1),
    }
    values.update(changes)
    export = ExportFile(**values)  # type: ignore[arg-type]
    store.save(export)
    return export


def test_an_export_is_kept_until_it_expires(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path / "exports")
    export = _export(store)
    assert store.get(export.id) == export
    assert store.path(export).stat().st_size == export.size_bytes
    assert export.rows == 3
    assert store.remove_expired(NOW + timedelta(minutes=59)) == 0
    assert store.remove_expired(NOW + timedelta(hours=1)) == 1
    assert store.get(export.id) is None
    assert list((tmp_path / "exports").glob("*.xlsx")) == []


def test_rows_stop_at_the_limit(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path)
    export = _export(store, rows=10, max_rows=4)
    assert (export.rows, export.truncated) == (4, True)
    exact = _export(store, rows=4, max_rows=4)
    assert (exact.rows, exact.truncated) == (4, False)


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path)

    def rows() -> object:
        yield _row(1)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        store.write(new_export_id(), ExportFormat.CSV, rows(), COLUMNS,  # type: ignore[arg-type]
                    sheet_title="x", max_rows=10)  # fmt: skip
    assert list(tmp_path.iterdir()) == [tmp_path / "links"]


def test_a_file_of_its_own_is_kept_like_any_export_and_a_failed_one_leaves_nothing(
    tmp_path: Path,
) -> None:
    store = FolderExportStore(tmp_path)

    def write(path: Path) -> None:
        path.write_bytes(b"PK workbook")

    made = prepare_file(
        store, ExportKind.ANALYSE, ExportFormat.XLSX, write, file_name="analyse.xlsx", rows=2,
        person_id="p1", conversation_id="a:1", now=NOW, lifetime=timedelta(hours=1),
    )  # fmt: skip
    assert store.get(made.id) == made
    assert store.path(made).read_bytes() == b"PK workbook"
    assert (made.size_bytes, made.rows, made.file_name) == (11, 2, "analyse.xlsx")

    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        store.write_file(new_export_id(), ExportFormat.XLSX, broken)
    assert sorted(p.name for p in tmp_path.glob("*.xlsx*")) == [f"{made.id}.xlsx"]
    assert store.remove_expired(NOW + timedelta(hours=1)) == 1
    assert list(tmp_path.glob("*.xlsx*")) == []


@pytest.mark.parametrize("export_id", ["../kv", "A" * 32, "", "0" * 31, "0" * 32 + "/x"])
def test_ids_from_outside_never_become_paths(tmp_path: Path, export_id: str) -> None:
    store = FolderExportStore(tmp_path)
    assert store.get(export_id) is None
    assert store.delete(export_id) is False
    assert store.link(export_id) is None


# --- consents and links ---------------------------------------------------------------------------


def test_a_consent_is_for_the_person_and_conversation_it_was_made_for(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path)
    export = _export(store)

    def check(
        export_id: object, person: str | None, conversation: str | None, at: datetime
    ) -> object:
        found = consented_export(
            store, export_id, person_id=person, conversation_id=conversation, now=at
        )
        return found.export or found.problem

    assert check(export.id, "kari", "a:kari", NOW) == export
    assert check(export.id, "ola", "a:kari", NOW) is ConsentProblem.NOT_YOURS
    assert check(export.id, "kari", "a:ola", NOW) is ConsentProblem.NOT_YOURS
    assert check(export.id, None, "a:kari", NOW) is ConsentProblem.NOT_YOURS
    assert check(export.id, "kari", "a:kari", NOW + timedelta(hours=1)) is ConsentProblem.EXPIRED
    assert check(new_export_id(), "kari", "a:kari", NOW) is ConsentProblem.UNKNOWN
    assert check({"kontraktId": "x"}, "kari", "a:kari", NOW) is ConsentProblem.UNKNOWN


def test_a_link_token_is_kept_only_as_its_hash_and_ends(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path)
    export = _export(store)
    token, link = issue_link(store, export, NOW, timedelta(minutes=15))
    assert link.token_hash == hash_token(token)
    stored = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert token not in stored
    assert export_for_link(store, token, NOW).export == export
    assert export_for_link(store, token, NOW + timedelta(minutes=14)).state is LinkState.READY
    assert export_for_link(store, token, NOW + timedelta(minutes=15)).state is LinkState.EXPIRED
    other, _ = issue_link(store, export, NOW, timedelta(minutes=15))
    assert other != token
    assert export_for_link(store, "x" * 43, NOW).state is LinkState.UNKNOWN
    assert export_for_link(store, "short", NOW).state is LinkState.UNKNOWN
    store.delete(export.id)
    assert export_for_link(store, token, NOW).state is LinkState.UNKNOWN


def test_a_link_never_outlives_its_export(tmp_path: Path) -> None:
    store = FolderExportStore(tmp_path)
    export = _export(store, expires_at=NOW + timedelta(minutes=5))
    _, link = issue_link(store, export, NOW, timedelta(minutes=15))
    assert link.expires_at == export.expires_at


# --- the upload address and the download's name ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://bergvik-my.sharepoint.com/personal/kari/_api/v2.0/drive/items/x/uploadSession",
         True),
        ("https://bergvik-my.sharepoint.com:443/x", True),
        ("http://bergvik-my.sharepoint.com/x", False),
        ("https://bergvik-my.sharepoint.com:8443/x", False),
        ("https://sharepoint.com.attacker.example/x", False),
        ("https://user:pw@bergvik-my.sharepoint.com/x", False),
        ("https://127.0.0.1/x", False),
        ("ftp://bergvik-my.sharepoint.com/x", False),
        ("not a url", False),
    ],
)  # fmt: skip
def test_uploads_go_to_allowed_hosts_only(url: str, allowed: bool) -> None:
    uploader = FileUploader(UploadPolicy(frozenset({"*.sharepoint.com"})))
    if allowed:
        assert uploader.check(url) == "bergvik-my.sharepoint.com"
    else:
        with pytest.raises(UploadFailed) as refused:
            uploader.check(url)
        assert refused.value.refused


def test_local_mode_allows_loopback_over_http() -> None:
    local = FileUploader(UploadPolicy(frozenset({"127.0.0.1"}), local_mode=True))
    assert local.check("http://127.0.0.1:8123/upload/x") == "127.0.0.1"


def test_the_download_name_is_safe() -> None:
    assert content_disposition("kontraktsvakt-forfalt-2026-11-23.xlsx") == (
        'attachment; filename="kontraktsvakt-forfalt-2026-11-23.xlsx"; '
        "filename*=UTF-8''kontraktsvakt-forfalt-2026-11-23.xlsx"
    )
    odd = content_disposition('avvik "Ærlig"\r\n.xlsx')
    assert "\r" not in odd
    assert 'filename="avvik___rlig___.xlsx"' in odd
    assert "%C3%86rlig" in odd


# --- settings -------------------------------------------------------------------------------------


def test_export_settings_have_safe_defaults() -> None:
    settings = load_settings(MicrosoftAppId="", _env_file=None)
    assert settings.export_lifetime_minutes == 60
    assert settings.export_link_minutes == 15
    assert settings.export_upload_hosts == ["*.sharepoint.com"]
    assert "127.0.0.1" in settings.effective_export_upload_hosts
    production = load_settings(MicrosoftAppId="app", MicrosoftAppPassword="secret", _env_file=None)
    assert production.effective_export_upload_hosts == frozenset({"*.sharepoint.com"})
    assert production.exports_dir == production.data_dir / "exports"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"EXPORT_LINK_MINUTES": "90"}, "EXPORT_LINK_MINUTES"),
        ({"EXPORT_LINK_MINUTES": "0"}, "EXPORT_LINK_MINUTES"),
        ({"EXPORT_LIFETIME_MINUTES": "1"}, "EXPORT_LIFETIME_MINUTES"),
        ({"EXPORT_UPLOAD_HOSTS": "*.com"}, "EXPORT_UPLOAD_HOSTS"),
        ({"EXPORT_UPLOAD_HOSTS": "https://bergvik-my.sharepoint.com"}, "EXPORT_UPLOAD_HOSTS"),
        ({"EXPORT_UPLOAD_HOSTS": "bergvik-*.sharepoint.com"}, "EXPORT_UPLOAD_HOSTS"),
    ],
)
def test_bad_export_settings_stop_start_up(values: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(_env_file=None, **values)


def test_a_longer_link_is_fine_with_a_longer_life() -> None:
    settings = load_settings(
        _env_file=None, EXPORT_LIFETIME_MINUTES="240", EXPORT_LINK_MINUTES="90",
        EXPORT_UPLOAD_HOSTS="bergvik-my.sharepoint.com, Bergvik.SharePoint.com",
    )  # fmt: skip
    assert settings.export_link_minutes == 90
    assert settings.export_upload_hosts == ["bergvik-my.sharepoint.com", "bergvik.sharepoint.com"]
