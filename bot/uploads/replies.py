"""What the bot says about files it was sent: the question where a file goes (a card listing
open evidence requests, each with «Lagre her»), and the confirmation once files are stored.

The confirmation names, per file, what was stored (type, size, short SHA-256, the evidence it
is), what was received before and where it was filed then, and what was refused and why; then,
per follow-up, what is still missing, or that everything asked for is delivered (only when every
kind the checkpoint asks for has a document).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from bot.conversation import formatting
from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    execute_button,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.follow_up_cards import UPLOAD_VERB
from bot.conversation.texts import text
from bot.teams.file_downloads import FileOffer
from followup.answers.services import FollowUpView
from followup.calendar.workdays import oslo_today
from followup.documents.matching import EvidenceRequest
from followup.documents.services import DocumentStored, extension_of
from followup.models import Contract

MAX_ASKED: Final = 8
"""Evidence requests offered on the card that asks where a file goes."""


def shown_name(offer: FileOffer, locale: str | None) -> str:
    if offer.name:
        return clip(offer.name, 80)
    host = (urlsplit(offer.url).hostname or "?")[:80]
    return text("upload.link_name", locale, host=host)


def file_size(size: int, locale: str | None) -> str:
    """`812 B`, `182 kB`, `1,4 MB` (`1.4 MB` in English)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} kB"
    shown = f"{size / (1024 * 1024):.1f}"
    english = locale is not None and locale.lower().startswith("en")
    return (shown if english else shown.replace(".", ",")) + " MB"


# --- received, before the download ----------------------------------------------------------


def received(
    contract: Contract,
    view: FollowUpView | None,
    offers: Sequence[FileOffer],
    locale: str | None,
) -> str:
    """The answer at once: where the files go (`view`), or that the bot will see which
    evidence they are on the contract."""
    values: dict[str, Any] = {"reference": contract.reference}
    if view is not None:
        values["title"] = clip(view.checkpoint.title, 100)
        key = "upload.received"
    else:
        key = "upload.received_sorting"
    if len(offers) == 1:
        return text(key, locale, name=shown_name(offers[0], locale), **values)
    return text(f"{key}_files", locale, count=len(offers), **values)


# --- the question -----------------------------------------------------------------------------


def _item_line(request: EvidenceRequest, locale: str | None, *, with_reference: bool) -> str:
    values = {
        "evidence": request.evidence,
        "checkpoint": clip(request.checkpoint_title, 80),
        "due": formatting.due(request.due_date, locale),
    }
    if with_reference:
        return text("upload.which_item_contract", locale, reference=request.reference, **values)
    return text("upload.which_item", locale, **values)


def request_card(
    requests: Sequence[EvidenceRequest],
    offers: Sequence[FileOffer],
    locale: str | None,
    *,
    contract: Contract | None = None,
    named: str | None = None,
    notes: Sequence[str] = (),
) -> Card:
    """Which evidence request the files are (or, with no files, the next file will be): each
    request (the contract's, or across contracts when `contract` is None) with its checkpoint,
    evidence and due date, and a button that files them there (`uploadDocument`, the follow-up
    and the evidence code)."""
    reference = contract.reference if contract is not None else None
    if not offers:
        title = text("upload.which_next_title", locale, reference=reference or "")
        intro = text("upload.which_next_intro", locale, reference=reference or "")
    elif len(offers) == 1:
        title = text("upload.which_title", locale, name=shown_name(offers[0], locale))
        intro = text("upload.which_intro", locale)
    else:
        title = text("upload.which_title_files", locale, count=len(offers))
        intro = text("upload.which_intro", locale)
    if offers and requests:
        example = {"reference": requests[0].reference, "example": requests[0].evidence}
        key = "upload.which_typed" if reference is not None else "upload.which_typed_any"
        intro += " " + text(key, locale, **example)
    body: list[Element] = [title_block(title), text_block(intro)]
    lines = [title, intro]
    if named is not None and reference is not None:
        note = text("upload.which_not_asked", locale, evidence=named, reference=reference)
        body.append(text_block(note))
        lines.append(note)
    button = text("upload.store_here" if offers else "upload.choose", locale)
    for request in requests[:MAX_ASKED]:
        line = _item_line(request, locale, with_reference=contract is None)
        action = execute_button(
            button,
            UPLOAD_VERB,
            {"followUpId": request.follow_up_id, "evidence": request.evidence},
        )
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [text_block(line), {"type": "ActionSet", "actions": [action]}],
            }
        )
        lines.append("- " + line.replace("**", ""))
    if len(requests) > MAX_ASKED:
        more = text("upload.which_more", locale, count=len(requests) - MAX_ASKED)
        body.append(subtle_block(more))
        lines.append(more)
    for note in notes:
        body.append(subtle_block(note))
        lines.append(note)
    return adaptive_card(body, "\n".join(lines))


# --- the confirmation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One file of a message: stored (or recognised), or refused with the reason."""

    name: str
    stored: DocumentStored | None = None
    refusal: str | None = None


def _place(view: FollowUpView, locale: str | None) -> dict[str, str]:
    return {
        "checkpoint": clip(view.checkpoint.title, 100),
        "due": formatting.due(view.due_date, locale),
    }


def _facts(stored: DocumentStored, locale: str | None) -> dict[str, str]:
    document = stored.document
    return {
        "name": clip(document.file_name, 80),
        "type": (extension_of(document.file_name) or "?").upper(),
        "size": file_size(document.size_bytes, locale),
        "sha": document.sha256[:12],
    }


def _line(
    outcome: Outcome, views: Mapping[str, FollowUpView], locale: str | None, *, several: bool
) -> str:
    stored = outcome.stored
    if stored is None:
        return text("upload.confirm_refused", locale, name=outcome.name, reason=outcome.refusal)
    document = stored.document
    facts = _facts(stored, locale)
    view = views.get(document.follow_up_id or "")
    if stored.duplicate:
        when = formatting.due(oslo_today(document.uploaded_at), locale)
        facts["name"] = clip(outcome.name, 80)  # as sent now; the earlier name is told below
        if view is None:
            return text("upload.confirm_duplicate", locale, date=when, **facts)
        place = text("upload.confirm_place", locale, **_place(view, locale))
        if document.evidence:
            place += " " + text("upload.confirm_as", locale, evidence=document.evidence)
        if document.file_name != outcome.name:
            place += ", " + text(
                "upload.confirm_sent_as", locale, name=clip(document.file_name, 80)
            )
        return text("upload.confirm_duplicate_at", locale, date=when, place=place, **facts)
    line = text("upload.confirm_stored", locale, **facts)
    if document.evidence:
        line += " – " + text("upload.confirm_as", locale, evidence=document.evidence)
    if several and view is not None:
        line += " " + text("upload.confirm_on", locale, **_place(view, locale))
    return line


def _status(view: FollowUpView, locale: str | None, *, several: bool) -> str | None:
    """What the follow-up still lacks, or that all it asks for is in; None when it asks for no
    named evidence."""
    if not view.checkpoint.evidence:
        return None
    place = _place(view, locale)
    if view.missing_evidence:
        names = ", ".join(view.missing_evidence)
        if several:
            return text("upload.confirm_missing_on", locale, names=names, **place)
        return text("upload.confirm_missing", locale, names=names)
    if several:
        return text("upload.confirm_complete_on", locale, **place)
    return text("upload.confirm_complete", locale)


def confirmation(
    contract: Contract,
    outcomes: Sequence[Outcome],
    views: Mapping[str, FollowUpView],
    locale: str | None,
    *,
    planned: FollowUpView | None = None,
) -> str:
    """One message for one message's files (see the module docstring). `views`: the
    follow-ups the files were filed on (now or before); `planned`: the one follow-up they
    were meant for, if there was one."""
    involved = list(
        dict.fromkeys(
            o.stored.document.follow_up_id
            for o in outcomes
            if o.stored is not None and o.stored.document.follow_up_id in views
        )
    )
    shown = [views[f] for f in involved if f is not None]
    single = shown[0] if len(shown) == 1 else planned if not shown else None
    several = len(shown) > 1
    values = {"reference": contract.reference, "title": clip(contract.title, 100)}
    any_stored = any(o.stored is not None for o in outcomes)
    if single is not None:
        key = "upload.confirm_head" if any_stored else "upload.confirm_none"
        head = text(key, locale, **values, **_place(single, locale))
    else:
        key = "upload.confirm_head_contract" if any_stored else "upload.confirm_none_contract"
        head = text(key, locale, **values)
    lines = [head]
    lines += ["- " + _line(o, views, locale, several=several) for o in outcomes]
    for view in shown:
        status = _status(view, locale, several=several)
        if status is not None:
            lines.append(status)
    return "\n".join(lines)


__all__ = [
    "MAX_ASKED",
    "Outcome",
    "confirmation",
    "file_size",
    "received",
    "request_card",
    "shown_name",
]
