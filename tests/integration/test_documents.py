"""Documentation uploads: the upload policy (types by extension and content, size, names), the
evidence a file is, and `store_document` on real SQLite and PostgreSQL with a real folder
store: hashes, keys, the DOCUMENTS answer, duplicates, reuse of stored bytes, what is still
missing, and refusals that store nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest

from followup.answers.services import AnswerRefusal, AnswerRefused, FollowUpView, answer_view
from followup.documents.services import (
    DEFAULT_EXTENSIONS,
    FILE_TYPES,
    MAX_FILE_NAME,
    MB,
    DocumentNotFound,
    DocumentStored,
    StoreDocument,
    UploadPolicy,
    UploadRefusal,
    UploadRefused,
    check_upload,
    clean_file_name,
    read_document,
    store_document,
)
from followup.evidence import guess_evidence, missing_evidence
from followup.models import (
    AnswerKind,
    Checkpoint,
    ContractStatus,
    Document,
    FollowUp,
    FollowUpState,
    Person,
)
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_supplier
from tests.worlds import (
    DUE,
    NOW,
    World,
    add_checkpoint,
    add_follow_up_for,
    answer_world,
    answers_of,
    audit,
    open_follow_up,
    set_contract,
    stored_follow_up,
    stranger,
)

PAY = ["lønnsslipper", "timelister", "arbeidsavtaler"]


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return answer_world(uow_factory)


@pytest.fixture
def follow_up(world: World) -> FollowUp:
    return open_follow_up(world)


# --- sample files ----------------------------------------------------------------------------


def zip_of(*entries: tuple[str, bytes], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            package.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def ooxml(folder: str) -> bytes:
    return zip_of(("[Content_Types].xml", b"<Types/>"), (f"{folder}main.xml", b"<x/>"))


def odf(media_type: str) -> bytes:
    return zip_of(("mimetype", media_type.encode()), ("content.xml", b"<x/>"), stored_first=True)


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(20)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
GIF = b"GIF89a" + bytes(20)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(20)
CSV = "Navn;Beløp\nÅse Ødegård;1 200,50\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)

SAMPLES = {
    "pdf": PDF,
    "docx": ooxml("word/"),
    "xlsx": ooxml("xl/"),
    "pptx": ooxml("ppt/"),
    "odt": odf("application/vnd.oasis.opendocument.text"),
    "ods": odf("application/vnd.oasis.opendocument.spreadsheet"),
    "doc": OLE2,
    "xls": OLE2,
    "ppt": OLE2,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "gif": GIF,
    "heic": HEIC,
    "csv": CSV,
    "txt": b"Hei\r\nfra leverandoren\t\f\n",
}


def check(name: str, data: bytes, declared: str | None = None, **policy: object) -> str:
    accepted = check_upload(
        name,
        declared,
        len(data),
        data,
        policy=UploadPolicy(**policy),  # type: ignore[arg-type]
    )
    return accepted.media_type


def refused(name: str, data: bytes, declared: str | None = None, **policy: object) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check(name, data, declared, **policy)
    return caught.value


# --- the policy ------------------------------------------------------------------------------


def test_every_allowed_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(DEFAULT_EXTENSIONS) == set(FILE_TYPES)


@pytest.mark.parametrize("extension", sorted(SAMPLES))
def test_each_allowed_type_is_accepted(extension: str) -> None:
    assert check(f"Rapport.{extension}", SAMPLES[extension]) == FILE_TYPES[extension].media_type
    # The extension's case does not matter; the declared type is not trusted.
    upper = f"RAPPORT.{extension.upper()}"
    assert check(upper, SAMPLES[extension], "application/octet-stream") == (
        FILE_TYPES[extension].media_type
    )


def test_a_windows_csv_declared_as_excel_is_still_csv() -> None:
    cp1252 = "Navn;Beløp\nÅse;1 200,50\n".encode("cp1252")
    assert check("eksport.csv", cp1252, "application/vnd.ms-excel") == "text/csv"
    assert check("utf8-bom.csv", b"\xef\xbb\xbf" + CSV) == "text/csv"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("skatteattest.pdf", EXE),  # a program renamed .pdf
        ("rapport.docx", zip_of(("evil.exe", EXE))),  # a zip, not an Office document
        ("rapport.xlsx", ooxml("word/")),  # a Word document renamed .xlsx
        ("rapport.docx", odf("application/vnd.oasis.opendocument.text")),
        ("rapport.odt", odf("application/vnd.oasis.opendocument.spreadsheet")),
        ("rapport.docx", b"PK\x03\x04" + bytes(100)),  # a broken zip
        ("bilde.png", JPEG),
        ("bilde.jpg", PNG),
        ("bilde.gif", b"GIF90a" + bytes(10)),
        ("gammel.doc", PDF),
        ("liste.csv", b"a;b\n1;\x002\n"),  # a NUL
        ("liste.csv", EXE),
        ("notat.txt", b"\x01\x02\x03binary"),
        ("liste.csv", bytes(range(0x80, 0x100))),  # cp1252 has holes; not text
    ],
)
def test_content_that_is_not_what_the_extension_says_is_refused(name: str, data: bytes) -> None:
    problem = refused(name, data)
    assert problem.reason is UploadRefusal.CONTENT_MISMATCH
    assert problem.code == "upload.content_mismatch"


@pytest.mark.parametrize(
    "name", ["program.exe", "rapport.pdf.exe", "skript.sh", "makro.docm", "arkiv.zip", "uten"]
)
def test_types_not_allowed_are_refused(name: str) -> None:
    problem = refused(name, EXE)
    assert problem.reason is UploadRefusal.TYPE_NOT_ALLOWED
    assert "pdf" in str(problem.values["allowed"])


def test_a_declared_program_is_refused_whatever_its_name() -> None:
    problem = refused("faktura.pdf", PDF, "application/x-msdownload")
    assert problem.reason is UploadRefusal.TYPE_NOT_ALLOWED


def test_a_policy_may_allow_fewer_types() -> None:
    assert refused("bilde.png", PNG, extensions=frozenset({"pdf"})).reason is (
        UploadRefusal.TYPE_NOT_ALLOWED
    )


def test_size_limits() -> None:
    assert refused("tom.pdf", b"").reason is UploadRefusal.EMPTY
    big = refused("stor.pdf", PDF + bytes(1024), max_bytes=1024)
    assert big.reason is UploadRefusal.TOO_LARGE
    assert big.values == {"size": len(PDF) + 1024, "max_bytes": 1024, "max_mb": 0}
    assert UploadPolicy().max_bytes == 25 * MB
    with pytest.raises(UploadRefused) as declared_big:
        check_upload("stor.pdf", None, 25 * MB + 1, PDF)
    assert declared_big.value.reason is UploadRefusal.TOO_LARGE
    assert check("akkurat.pdf", PDF + bytes(1024 - len(PDF)), max_bytes=1024)


def test_only_the_head_of_a_large_file_is_needed() -> None:
    head = b"Navn;Sted\n" + "Ærlig;Ålesund\n".encode() * 600
    cut = head[: len("Navn;Sted\n") + 1]  # ends inside the two bytes of Æ
    assert check_upload("stor.csv", None, 10 * MB, cut).media_type == "text/csv"
    with pytest.raises(UploadRefused):
        check_upload("stor.csv", None, 10 * MB, head[:200] + b"\x00")
    # A package is judged on its first bytes until all of it is given.
    assert check_upload("stor.docx", None, 10 * MB, ooxml("word/")[:100]).extension == "docx"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Skatteattest 2026.pdf", "Skatteattest 2026.pdf"),
        ("C:\\Users\\kari\\Documents\\rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd", "passwd"),
        ("  ..skjult.pdf  ", "skjult.pdf"),
        ("rapport\x00\x07.pdf", "rapport.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.exe"),
        ("a   b\tc.pdf", "a b c.pdf"),
        ('hva?"<>|*.pdf', "hva______.pdf"),
        ("", "dokument"),
        ("   ", "dokument"),
        (".pdf", "pdf"),
        ("Lønnsslipp Åse.pdf", "Lønnsslipp Åse.pdf"),
    ],
)
def test_clean_file_name(given: str, shown: str) -> None:
    assert clean_file_name(given) == shown


def test_a_long_file_name_is_cut_keeping_its_extension() -> None:
    name = clean_file_name("x" * 1000 + ".pdf")
    assert len(name) == MAX_FILE_NAME
    assert name.endswith("x.pdf")


# --- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "candidates", "code"),
    [
        ("Skatteattest 2026.pdf", ["skatteattest"], "skatteattest"),
        ("SKATTEATTEST_fjordbygg.PDF", ["skatteattest"], "skatteattest"),
        ("attest skatt mars.pdf", ["skatteattest"], "skatteattest"),
        ("HMS-kort-liste uke 12.xlsx", ["mannskapsliste"], "mannskapsliste"),
        ("Mannskapsliste.xlsx", ["mannskapsliste"], "mannskapsliste"),
        ("Lønnsslipper mars.pdf", PAY, "lønnsslipper"),
        ("lonnsslipp_ole.pdf", PAY, "lønnsslipper"),
        ("Timeliste uke 10.xlsx", PAY, "timelister"),
        ("Arbeidsavtale Ola.docx", PAY, "arbeidsavtaler"),
        ("Lønnsslipper og timelister.pdf", PAY, "lønnsslipper"),  # the longer match
        ("Underleverandører 2026.xlsx", ["underleverandøroversikt"], "underleverandøroversikt"),
        ("lærlinger Q1.xlsx", ["lærlingoversikt"], "lærlingoversikt"),
        ("Egenrapportering lønns- og arbeidsvilkår.pdf", ["egenrapportering"], "egenrapportering"),
        ("Møtereferat 12.03.docx", ["referat"], "referat"),
        ("scan_0001.pdf", PAY, None),
        ("Skatteattest.pdf", PAY, None),  # not asked for here
        ("skatteattest.pdf", [], None),
        ("Særskilt-kode.pdf", ["særskilt-kode"], "særskilt-kode"),  # procurement's own code
    ],
)
def test_guess_evidence(name: str, candidates: list[str], code: str | None) -> None:
    assert guess_evidence(name, candidates) == code


def test_missing_evidence() -> None:
    assert missing_evidence(PAY, []) == PAY
    assert missing_evidence(PAY, ["timelister", None, "annet"]) == [
        "lønnsslipper",
        "arbeidsavtaler",
    ]
    assert missing_evidence(PAY, PAY) == []
    assert missing_evidence([], ["timelister"]) == []


# --- storing ---------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> FolderDocumentStore:
    return FolderDocumentStore(tmp_path / "dokumenter")


@pytest.fixture
def pay_checkpoint(world: World) -> Checkpoint:
    return add_checkpoint(world, "lonnsdokumentasjon", PAY)


def upload(
    world: World,
    store: FolderDocumentStore,
    follow_up_id: str,
    name: str = "Lønnsslipper mars.pdf",
    data: bytes = PDF,
    person: Person | None = None,
    **extra: object,
) -> DocumentStored:
    with world.uow_factory() as uow:
        stored = store_document(
            StoreDocument(
                follow_up_id=follow_up_id,
                person_id=(person or world.owner).id,
                file_name=name,
                data=data,
                **extra,  # type: ignore[arg-type]
            ),
            uow,
            NOW,
            store=store,
        )
        uow.commit()
    return stored


def follow_up_on_another_contract(world: World) -> FollowUp:
    """Kari's second contract (another supplier), with an open delivery follow-up."""
    with world.uow_factory() as uow:
        supplier = add_supplier(uow, "Annen Leverandør AS", seed=7)
        contract = add_contract(
            uow, NOW, owner=world.owner, supplier=supplier, reference="KOM-2026-0002"
        )
        uow.commit()
    with world.uow_factory() as uow:
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code="levering",
            title="Levering",
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 1),
        )
        uow.checkpoints.add(checkpoint)
        follow_up = FollowUp(
            checkpoint_id=checkpoint.id,
            contract_id=contract.id,
            due_date=DUE,
            state=FollowUpState.NOTIFIED,
            reminder_step=1,
            next_action_at=NOW,
        )
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up


def view_of(world: World, follow_up_id: str) -> FollowUpView:
    with world.uow_factory() as uow:
        return answer_view(follow_up_id, uow)


def read_back(
    world: World, store: FolderDocumentStore, document_id: str, person_id: str
) -> tuple[Document, bytes]:
    with world.uow_factory() as uow:
        return read_document(document_id, person_id, uow, NOW, store=store)


def stored_files(store: FolderDocumentStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file()) if store.root.exists() else []


def test_a_stored_document_is_hashed_kept_and_answers_the_follow_up(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint
) -> None:
    follow_up = add_follow_up_for(world, pay_checkpoint)

    done = upload(world, store, follow_up.id, source_activity_id="f:upload-1")

    document = done.document
    assert done.duplicate is False
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size_bytes == len(PDF)
    assert document.media_type == "application/pdf"
    assert document.file_name == "Lønnsslipper mars.pdf"
    assert document.evidence == "lønnsslipper"
    assert document.follow_up_id == follow_up.id
    assert document.uploaded_by_id == world.owner.id
    assert document.uploaded_at == NOW
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", document.storage_key)
    assert (store.root / document.storage_key).read_bytes() == PDF
    assert stored_files(store) == [store.root / document.storage_key]
    assert done.answer is not None
    assert done.answer.kind is AnswerKind.DOCUMENTS
    assert done.answer.source_activity_id == "f:upload-1"
    assert document.answer_id == done.answer.id
    assert done.missing_evidence == ["timelister", "arbeidsavtaler"]
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.ANSWERED
    with world.uow_factory() as uow:
        assert uow.documents.get(document.id) == document
        assert list(uow.documents.for_answer(done.answer.id)) == [document]
    (stored_event,) = audit(world, "document", document.id)
    assert stored_event.action == "document.stored"
    assert stored_event.after is not None
    assert stored_event.after["sha256"] == document.sha256
    assert stored_event.after["evidence"] == "lønnsslipper"
    assert [e.action for e in audit(world, "follow_up", follow_up.id)] == ["answer.recorded"]


def test_missing_evidence_shrinks_as_documents_come_in(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint
) -> None:
    follow_up = add_follow_up_for(world, pay_checkpoint)
    assert view_of(world, follow_up.id).missing_evidence == PAY

    upload(world, store, follow_up.id, "Lønnsslipper mars.pdf", PDF)
    second = upload(world, store, follow_up.id, "Timelister.csv", CSV)
    assert second.missing_evidence == ["arbeidsavtaler"]
    third = upload(
        world, store, follow_up.id, "scan_0003.pdf", PDF + b"3", evidence="Arbeidsavtaler"
    )
    assert third.document.evidence == "arbeidsavtaler"
    assert third.missing_evidence == []

    view = view_of(world, follow_up.id)
    assert view.missing_evidence == []
    assert [d.evidence for d in view.documents] == PAY
    assert view.versions == 3
    assert view.latest is not None
    assert view.latest.kind is AnswerKind.DOCUMENTS


def test_one_document_asked_for_is_the_one_uploaded(
    world: World, store: FolderDocumentStore
) -> None:
    checkpoint = add_checkpoint(world, "skatteattest", ["skatteattest"])
    follow_up = add_follow_up_for(world, checkpoint)

    done = upload(world, store, follow_up.id, "scan_0001.pdf")

    assert done.document.evidence == "skatteattest"
    assert done.missing_evidence == []


def test_the_same_file_twice_is_recognised(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint
) -> None:
    follow_up = add_follow_up_for(world, pay_checkpoint)
    first = upload(world, store, follow_up.id, source_activity_id="f:1")

    again = upload(world, store, follow_up.id, "kopi.pdf", source_activity_id="f:2")
    replayed = upload(world, store, follow_up.id, source_activity_id="f:1")

    assert again.duplicate is True
    assert again.document == first.document
    assert again.answer == first.answer
    assert again.missing_evidence == ["timelister", "arbeidsavtaler"]
    assert replayed.duplicate is True
    assert replayed.document == first.document
    assert len(answers_of(world, follow_up.id)) == 1
    assert view_of(world, follow_up.id).documents == [first.document]
    assert len(stored_files(store)) == 1


def test_the_same_file_on_another_follow_up_of_the_contract_is_recognised(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint, follow_up: FollowUp
) -> None:
    pay = add_follow_up_for(world, pay_checkpoint)
    first = upload(world, store, pay.id, source_activity_id="f:1")

    again = upload(world, store, follow_up.id, "Leveranse.pdf", source_activity_id="f:2")

    assert again.duplicate is True
    assert again.document == first.document, "where and when it was filed the first time"
    assert again.document.follow_up_id == pay.id
    assert again.answer == first.answer
    assert view_of(world, follow_up.id).documents == []
    assert answers_of(world, follow_up.id) == []
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.NOTIFIED
    assert len(stored_files(store)) == 1


def test_the_same_bytes_for_another_contract_reuse_the_stored_file(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint
) -> None:
    pay = add_follow_up_for(world, pay_checkpoint)
    first = upload(world, store, pay.id)
    other_follow_up = follow_up_on_another_contract(world)

    other = upload(world, store, other_follow_up.id, "Leveranse.pdf")

    assert other.duplicate is False
    assert other.document.id != first.document.id
    assert other.document.follow_up_id == other_follow_up.id
    assert other.document.storage_key == first.document.storage_key
    assert other.document.evidence is None  # the delivery checkpoint asks for no document
    assert len(stored_files(store)) == 1


def test_two_follow_ups_of_a_contract_cannot_both_take_one_file(
    world: World, pay_checkpoint: Checkpoint, follow_up: FollowUp
) -> None:
    """The repository's unique key, not only the service's look-up: a second row with the same
    bytes on the contract (as a concurrent transaction would write) inserts nothing."""
    pay = add_follow_up_for(world, pay_checkpoint)
    sha = hashlib.sha256(PDF).hexdigest()

    def row(follow_up_id: str, name: str) -> Document:
        return Document(
            follow_up_id=follow_up_id,
            file_name=name,
            media_type="application/pdf",
            size_bytes=len(PDF),
            sha256=sha,
            storage_key=f"ab/cd/{name}",
            uploaded_at=NOW,
        )

    with world.uow_factory() as uow:
        first, created = uow.documents.add(row(pay.id, "a.pdf"))
        assert created is True
        again, created_again = uow.documents.add(row(follow_up.id, "b.pdf"))
        uow.commit()

    assert created_again is False
    assert again == first
    with world.uow_factory() as uow:
        assert uow.documents.on_contract(world.contract.id, sha) == first
        assert list(uow.documents.for_follow_up(follow_up.id)) == []
        assert list(uow.documents.for_follow_ups([pay.id, follow_up.id])) == [first]


def test_a_name_that_names_another_kind_is_not_this_follow_ups_evidence(
    world: World, store: FolderDocumentStore
) -> None:
    """The bug of issue 14: «Skatteattest_….pdf» filed as egenrapportering because that
    follow-up asked for one document and the name named none of its own."""
    checkpoint = add_checkpoint(world, "egenrapportering", ["egenrapportering"])
    follow_up = add_follow_up_for(world, checkpoint)

    done = upload(world, store, follow_up.id, "Skatteattest_Byggmester_AS_2026.pdf")

    assert done.document.evidence is None
    assert done.missing_evidence == ["egenrapportering"]


def test_refused_uploads_store_nothing(
    world: World, store: FolderDocumentStore, pay_checkpoint: Checkpoint
) -> None:
    follow_up = add_follow_up_for(world, pay_checkpoint)
    nils = stranger(world)

    with pytest.raises(AnswerRefused) as not_yours:
        upload(world, store, follow_up.id, person=nils)
    with pytest.raises(UploadRefused) as mismatch:
        upload(world, store, follow_up.id, "skatteattest.pdf", EXE)
    with pytest.raises(UploadRefused) as unknown_code:
        upload(world, store, follow_up.id, evidence="skatteattest")
    with pytest.raises(AnswerRefused) as too_long:
        upload(world, store, follow_up.id, text="x" * 2001)

    assert not_yours.value.reason is AnswerRefusal.NOT_YOURS
    assert mismatch.value.reason is UploadRefusal.CONTENT_MISMATCH
    assert unknown_code.value.reason is UploadRefusal.UNKNOWN_EVIDENCE
    assert unknown_code.value.values["allowed"] == "lønnsslipper, timelister, arbeidsavtaler"
    assert too_long.value.reason is AnswerRefusal.TEXT_TOO_LONG
    assert stored_files(store) == []
    assert answers_of(world, follow_up.id) == []
    assert view_of(world, follow_up.id).documents == []
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.NOTIFIED


def test_no_documents_for_an_ended_contract(
    world: World, store: FolderDocumentStore, follow_up: FollowUp
) -> None:
    set_contract(world, status=ContractStatus.TERMINATED)
    with pytest.raises(AnswerRefused) as refused_upload:
        upload(world, store, follow_up.id)
    assert refused_upload.value.reason is AnswerRefusal.CONTRACT_INACTIVE
    assert stored_files(store) == []


def test_an_activity_that_answered_otherwise_is_not_an_upload(
    world: World, store: FolderDocumentStore, follow_up: FollowUp
) -> None:
    from followup.answers.services import RecordAnswer, record_answer

    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(
                follow_up.id, AnswerKind.DELIVERED, world.owner.id, source_activity_id="f:click"
            ),
            uow,
            NOW,
        )
        uow.commit()
    with pytest.raises(UploadRefused) as reused:
        upload(world, store, follow_up.id, source_activity_id="f:click")
    assert reused.value.reason is UploadRefusal.ACTIVITY_REUSED


def test_documents_are_read_back_by_those_who_may_see_them(
    world: World, store: FolderDocumentStore, follow_up: FollowUp
) -> None:
    done = upload(world, store, follow_up.id)

    document, data = read_back(world, store, done.document.id, world.owner.id)
    assert document == done.document
    assert data == PDF
    with pytest.raises(DocumentNotFound):
        read_back(world, store, done.document.id, stranger(world).id)
    with pytest.raises(DocumentNotFound):
        read_back(world, store, "nope", world.owner.id)
