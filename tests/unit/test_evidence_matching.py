"""Which evidence a file is (followup/documents/matching.py): file names, the message, the first
page of a PDF, ties and kinds nobody asked for; and reading that first page with pypdf
(bot/uploads/first_page.py), encrypted and broken files included."""

from __future__ import annotations

import time
from datetime import date

import pytest

from bot.uploads.first_page import FirstPageReader, first_page_text
from followup.documents.matching import (
    EvidenceRequest,
    match_evidence,
    name_words,
    named_kinds,
    score_kinds,
    words,
)
from tests.pdfs import encrypted, pdf_with_text


def request(
    evidence: str, due: date, follow_up_id: str | None = None, title: str | None = None
) -> EvidenceRequest:
    return EvidenceRequest(
        follow_up_id=follow_up_id or f"f-{evidence}",
        contract_id="c",
        reference="KOM-2025-0147",
        checkpoint_title=title or evidence.capitalize(),
        evidence=evidence,
        due_date=due,
    )


# Egenrapportering is due first; the others later, as on the contract in issue 14.
EGEN = request("egenrapportering", date(2026, 11, 20))
HMS = request("mannskapsliste", date(2026, 11, 27))
SKATT = request("skatteattest", date(2026, 12, 15))
OPEN = [EGEN, HMS, SKATT]


def placed(name: str | None, message: str | None = None, page: str | None = None) -> str | None:
    match = match_evidence(OPEN, file_name=name, message=message, first_page=page)
    return match.request.evidence if match.request else None


# --- words -------------------------------------------------------------------------------------


def test_words_are_folded_and_split() -> None:
    assert words("Lønns- og arbeidsvilkår, 2026") == " lonns og arbeidsvilkar 2026 "
    assert name_words("Skatteattest_Byggmester_AS_2026.pdf") == " skatteattest byggmester as 2026 "
    assert name_words("HmsKortListe-uke.49.xlsx") == " hms kort liste uke 49 "
    assert words(None) == "  "


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("Skatteattest_Byggmester_AS_2026.pdf", "skatteattest"),
        ("skatteattesten-mars.PDF", "skatteattest"),
        ("Restanseattest.pdf", "skatteattest"),
        ("mannskapsliste uke 49.xlsx", "mannskapsliste"),
        ("HMS-kort-liste.xlsx", "mannskapsliste"),
        ("HMSkort.xlsx", "mannskapsliste"),
        ("HmsKortListe.xlsx", "mannskapsliste"),
        ("egenrapport lønns og arbeidsvilkår.docx", "egenrapportering"),
        ("Egenerklæring_lonns_og_arbeidsvilkar.pdf", "egenrapportering"),
    ],
)
def test_a_name_that_says_what_it_is_goes_there_whatever_is_due_first(
    name: str, evidence: str
) -> None:
    assert placed(name) == evidence


def test_the_tax_certificate_of_issue_14_is_not_filed_as_the_first_due() -> None:
    match = match_evidence(OPEN, file_name="Skatteattest_Byggmester_AS_2026.pdf")
    assert match.request == SKATT
    assert match.scores == {"skatteattest": 4}


def test_named_kinds_of_a_name() -> None:
    assert named_kinds("Lønnsslipper mars.pdf", ["lønnsslipper", "timelister"]) == ["lønnsslipper"]
    assert named_kinds("scan_0001.pdf", ["lønnsslipper", "timelister"]) == []
    assert named_kinds("Timelister og lønnsslipper.pdf", ["lønnsslipper", "timelister"]) == [
        "lønnsslipper",
        "timelister",
    ]


def test_a_phrase_matches_at_the_start_of_a_word_only() -> None:
    assert score_kinds(["referat"], file_name=None, message="Her er møtereferatet", first_page=None)
    assert not score_kinds(
        ["referat"], file_name=None, message="Det ble ureferatlignende", first_page=None
    )


# --- the message and the first page ------------------------------------------------------------


def test_the_message_names_it_when_the_name_does_not() -> None:
    assert placed("scan_0001.pdf", "Her er skatteattesten fra Byggmester AS") == "skatteattest"


def test_a_pdf_whose_name_says_nothing_is_known_by_its_first_page() -> None:
    page = first_page_text(pdf_with_text("Skatteattest for Byggmester AS, org.nr 999 999 999"))
    assert page is not None
    assert "Skatteattest" in page
    assert placed("scan_0001.pdf", None, page) == "skatteattest"
    assert placed("scan_0001.pdf") is None, "without the page nobody can tell"


def test_the_first_page_never_overturns_the_name() -> None:
    assert placed("Mannskapsliste.xlsx", None, "Skatteattest") == "mannskapsliste"
    assert placed("Mannskapsliste.pdf", "skatteattest kommer", "Skatteattest") == "mannskapsliste"


def test_the_first_page_breaks_a_tie_of_the_name() -> None:
    name = "egenrapport og skatteattest.pdf"
    assert placed(name) is None
    assert placed(name, None, "Attest for skatt og merverdiavgift") == "skatteattest"


# --- asking ------------------------------------------------------------------------------------


def test_a_tie_asks_offering_the_tied_kinds() -> None:
    match = match_evidence(OPEN, file_name="mannskapsliste og skatteattest.pdf")
    assert match.request is None
    assert match.candidates == (HMS, SKATT)


def test_nothing_named_with_several_open_asks_offering_all_due_first() -> None:
    match = match_evidence(list(reversed(OPEN)), file_name="scan_0001.pdf", message="Her er den")
    assert match.request is None
    assert match.candidates == (EGEN, HMS, SKATT)
    assert match.named is None


def test_nothing_named_with_one_open_takes_that_one() -> None:
    assert match_evidence([HMS], file_name="scan_0001.pdf").request == HMS


def test_a_kind_nobody_asks_for_is_not_filed_as_another() -> None:
    match = match_evidence([EGEN], file_name="Skatteattest_Byggmester_AS_2026.pdf")
    assert match.request is None
    assert match.named == "skatteattest"
    assert match.candidates == (EGEN,)


def test_a_kind_due_later_is_taken_when_clearly_named() -> None:
    later = request("skatteattest", date(2027, 5, 31), "f-later")
    match = match_evidence([EGEN, HMS], file_name="Skatteattest.pdf", later=[later])
    assert match.request == later
    unclear = match_evidence([EGEN, HMS], file_name="scan.pdf", later=[later])
    assert unclear.request is None
    assert later not in unclear.candidates


# --- which of several of a kind, and the card's follow-up -------------------------------------


def test_of_two_requests_of_a_kind_the_one_due_first_unless_one_is_preferred() -> None:
    overdue = request("skatteattest", date(2026, 6, 15), "f-june")
    both = [SKATT, overdue]
    assert match_evidence(both, file_name="Skatteattest.pdf").request == overdue
    preferred = match_evidence(
        both, file_name="Skatteattest.pdf", preferred_follow_up_id=SKATT.follow_up_id
    )
    assert preferred.request == SKATT


def test_the_preferred_follow_up_decides_when_nothing_is_named() -> None:
    pay = [
        request("lønnsslipper", date(2026, 11, 30), "f-pay", "Lønnsdokumentasjon"),
        request("timelister", date(2026, 11, 30), "f-pay", "Lønnsdokumentasjon"),
    ]
    one = match_evidence([*OPEN], file_name="scan.pdf", preferred_follow_up_id=HMS.follow_up_id)
    assert one.request == HMS
    several = match_evidence([*OPEN, *pay], file_name="scan.pdf", preferred_follow_up_id="f-pay")
    assert several.request is None
    assert [r.evidence for r in several.candidates] == ["lønnsslipper", "timelister"]
    named = match_evidence(
        [*OPEN, *pay], file_name="Timeliste uke 3.xlsx", preferred_follow_up_id="f-pay"
    )
    assert named.request == pay[1]


# --- the first page, read with pypdf -----------------------------------------------------------


def test_only_the_first_page_is_read_and_cut_to_its_limit() -> None:
    pdf = pdf_with_text("Mannskapsliste uke 49 Fjordbygg", "Skatteattest")
    assert first_page_text(pdf) == "Mannskapsliste uke 49 Fjordbygg"
    assert first_page_text(pdf, max_chars=14) == "Mannskapsliste"


def test_norwegian_letters_come_through() -> None:
    assert first_page_text(pdf_with_text("Lønns- og arbeidsvilkår")) == "Lønns- og arbeidsvilkår"


def test_an_encrypted_pdf_opens_only_without_a_password() -> None:
    pdf = pdf_with_text("Skatteattest")
    assert first_page_text(encrypted(pdf, user_password="")) == "Skatteattest"
    assert first_page_text(encrypted(pdf, user_password="hemmelig")) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.7\n%%EOF\n",
        pdf_with_text("Skatteattest")[:120],
        pdf_with_text("Skatteattest").replace(b"/Contents", b"/Contentz"),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n",
    ],
    ids=["empty", "not-pdf", "no-objects", "truncated", "no-contents", "no-pages"],
)
def test_a_broken_pdf_gives_no_text_and_no_error(data: bytes) -> None:
    assert first_page_text(data) is None


async def test_a_slow_page_is_given_up() -> None:
    reader = FirstPageReader(timeout_seconds=0.05, workers=1)
    started = time.monotonic()
    try:
        reader_pool = reader._pool  # the reader's own threads: block its only one
        reader_pool.submit(time.sleep, 0.5)
        assert await reader.text(pdf_with_text("Skatteattest")) is None
        assert time.monotonic() - started < 0.4
    finally:
        reader.close()


async def test_the_reader_reads_off_the_event_loop() -> None:
    reader = FirstPageReader()
    try:
        assert await reader.text(pdf_with_text("Skatteattest")) == "Skatteattest"
    finally:
        reader.close()
