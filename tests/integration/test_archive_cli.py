"""`kontraktsvakt arkiv eksport|send|status` (issue 17) on both stores, and the issue's "done
when": the demo municipality exported as containers whose `arkivmelding.xml` all validate."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.archive import run_archive_export, run_archive_send, run_archive_status
from bot.cli.main import main
from bot.settings import Settings, load_settings
from followup.archive.services import queue_archive_messages, send_archive_messages
from storage.archive import read_asice
from storage.archive.reading import read_container
from storage.archive.transports import MAX_RECEIPT_BYTES
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.archive_outbox_world import (
    NOW,
    OPTIONS,
    RECORD_COUNT,
    ArchiveWorld,
    Refusing,
    build_archive_world,
)
from tests.archive_world import SCHEMA_FOLDER, archive_schema


@pytest.fixture
def aworld(uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path) -> ArchiveWorld:
    return build_archive_world(uow_factory, tmp_path / "documents")


def _settings(db_url: str, tmp_path: Path, **more: object) -> Settings:
    return load_settings(
        DATABASE_URL=db_url,
        DATA_DIR=str(tmp_path / "data"),
        DOCUMENTS_DIR=str(tmp_path / "documents"),
        ARCHIVE_SCHEMA_DIR=str(SCHEMA_FOLDER),
        ARCHIVE_ORGANISATION_NUMBER=OPTIONS.organisation_number,
        **more,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.asice"))}


def test_export_twice_gives_byte_identical_files(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    settings = _settings(db_url, tmp_path)
    out = tmp_path / "ut"
    first, second = io.StringIO(), io.StringIO()
    assert run_archive_export(settings, [], out, now=NOW, stdout=first, stderr=first) == 0
    files = _files(out)
    assert len(files) == RECORD_COUNT
    assert f"{RECORD_COUNT} nye, 0 uendret, 0 feilet" in first.getvalue()
    later = NOW.replace(hour=15)
    assert run_archive_export(settings, [], out, now=later, stdout=second, stderr=second) == 0
    assert _files(out) == files
    assert f"0 nye, {RECORD_COUNT} uendret" in second.getvalue()
    schema = archive_schema()
    for data in files.values():
        read_container(data, schema)
        assert schema.validate(read_asice(data)[0]) == []


def test_export_names_an_unknown_contract_and_writes_nothing(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    settings = _settings(db_url, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    reference = aworld.world.contract.reference
    code = run_archive_export(
        settings, [reference, "KOM-1999-0001"], tmp_path / "ut", now=NOW, stdout=out, stderr=err
    )
    assert code == 2
    assert "KOM-1999-0001" in err.getvalue()
    assert not (tmp_path / "ut").exists()


def test_export_needs_contracts_or_alle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["arkiv", "eksport", "--ut", str(tmp_path)]) == 2
    assert "--alle" in capsys.readouterr().err


def test_export_to_a_file_or_an_unwritable_folder_says_so_and_writes_nothing(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    settings = _settings(db_url, tmp_path)
    a_file = tmp_path / "a-file"
    a_file.write_text("kept", encoding="utf-8")
    for out, expected in (
        (a_file, "er en fil, ikke en mappe"),
        (a_file / "under", "er en fil, ikke en mappe"),
        (Path("/proc/kontraktsvakt/ut"), "Kan ikke skrive til mappen"),
    ):
        stdout, stderr = io.StringIO(), io.StringIO()
        code = run_archive_export(settings, [], out, now=NOW, stdout=stdout, stderr=stderr)
        assert code == 2, out
        assert expected in stderr.getvalue()
        assert "Traceback" not in stderr.getvalue() + stdout.getvalue()
    assert a_file.read_text(encoding="utf-8") == "kept"


def test_junk_in_the_receipts_folder_is_set_aside_and_reported(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "arkiv"
    settings = _settings(db_url, tmp_path, ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(folder))
    out, err = io.StringIO(), io.StringIO()
    assert run_archive_send(settings, now=NOW, stdout=out, stderr=err) == 0, err.getvalue()
    receipts = folder / "kvitteringer"
    receipts.mkdir()
    sent = sorted((folder / "ut").glob("*.asice"))
    assert len(sent) == RECORD_COUNT
    junk = {
        "11111111-1111-1111-1111-111111111111.kvittering.xml": b"not xml",
        f"{sent[0].stem}.kvittering.xml": b'<?xml version="1.0"?><kvittering/>',
        "22222222-2222-2222-2222-222222222222.kvittering.xml": b"<" * (MAX_RECEIPT_BYTES + 1),
    }
    for name, data in junk.items():
        (receipts / name).write_bytes(data)
    (receipts / "les-meg.txt").write_text("ikke en kvittering", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_archive_send(settings, now=NOW, stdout=out, stderr=err) == 0
    assert "Kvitteringer hentet: 0" in out.getvalue()
    assert "3 filer i kvitteringsmappen kunne ikke leses" in err.getvalue()
    assert sorted(p.name for p in (receipts / "ugyldige").iterdir()) == sorted(junk)
    assert (receipts / "les-meg.txt").is_file()  # not named as a receipt: left alone
    status = io.StringIO()
    assert run_archive_status(settings, stdout=status, stderr=err) == 0
    assert f"sendt, venter på kvittering: {RECORD_COUNT}" in status.getvalue()


def test_send_through_the_stand_in_then_status(
    aworld: ArchiveWorld, db_url: str, tmp_path: Path
) -> None:
    settings = _settings(db_url, tmp_path, ARCHIVE_TRANSPORT="standin")
    out, err = io.StringIO(), io.StringIO()
    assert run_archive_send(settings, now=NOW, stdout=out, stderr=err) == 0, err.getvalue()
    assert f"{RECORD_COUNT} nye arkivmeldinger lagt i køen" in out.getvalue()
    assert f"Sendt nå: {RECORD_COUNT} bekreftet av arkivet" in out.getvalue()
    status = io.StringIO()
    assert run_archive_status(settings, stdout=status, stderr=err) == 0
    assert f"bekreftet av arkivet: {RECORD_COUNT}" in status.getvalue()
    assert "feilet: 0" in status.getvalue()
    again = io.StringIO()
    assert run_archive_send(settings, now=NOW, stdout=again, stderr=err) == 0
    assert "0 nye arkivmeldinger lagt i køen" in again.getvalue()


def test_send_without_a_transport_says_so(db_url: str, tmp_path: Path) -> None:
    err = io.StringIO()
    code = run_archive_send(_settings(db_url, tmp_path), now=NOW, stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert "ARCHIVE_TRANSPORT" in err.getvalue()


def test_fiks_io_refuses_to_start_naming_what_is_missing(db_url: str, tmp_path: Path) -> None:
    err = io.StringIO()
    settings = _settings(db_url, tmp_path, ARCHIVE_TRANSPORT="fiksio")
    assert run_archive_send(settings, now=NOW, stdout=io.StringIO(), stderr=err) == 2
    for needed in ("Maskinporten", "Fiks IO account", "private key", "integration"):
        assert needed in err.getvalue()


def test_status_lists_a_failure(aworld: ArchiveWorld, db_url: str, tmp_path: Path) -> None:
    with aworld.uow_factory() as uow:
        queue_archive_messages(uow, NOW, OPTIONS)
        uow.commit()
    send_archive_messages(
        aworld.uow_factory, Refusing(), NOW, 1, options=OPTIONS, documents=aworld.store
    )
    out = io.StringIO()
    assert run_archive_status(_settings(db_url, tmp_path), stdout=out, stderr=out) == 1
    text = out.getvalue()
    assert "feilet: 1" in text
    assert f"venter på sending: {RECORD_COUNT - 1}" in text
    assert aworld.world.contract.reference in text
    assert "arkivet avviste meldingen (1 forsøk" in text
    assert "the case is closed in the archive" in text


def test_the_demo_exports_valid_containers(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("ARCHIVE_SCHEMA_DIR", str(SCHEMA_FOLDER))
    assert main(["demo", "--load-only"]) == 0
    out = tmp_path / "ut"
    assert main(["arkiv", "eksport", "--alle", "--ut", str(out)]) == 0
    files = _files(out)
    assert len(files) > 300
    schema = archive_schema()
    kinds: set[str] = set()
    for data_bytes in files.values():
        received = read_container(data_bytes, schema)  # schema, antallFiler, files, checksums
        assert received.record_key is not None
        kinds.add(received.record_key.key.partition(":")[0])
        if received.record_type == "I":
            xml = read_asice(data_bytes)[0]
            assert b"<n5mdk:kode>EA</n5mdk:kode>" in xml
            assert b"<organisasjonid>" in xml
    assert kinds == {
        "document",
        "deviation",
        "deviation-decision",
        "option",
        "expiry",
        "summary",
        "risk",
        "onsite",
        "evaluation",
    }
