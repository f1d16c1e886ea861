"""A person's private calendar address: issue, resolve, renew and revoke its secret token.

The token is the only credential of the feed (calendar clients cannot log in), so:

* it is 32 random bytes (`secrets.token_urlsafe(32)`: 43 URL-safe characters);
* only its SHA-256 is stored, so a copy of the database does not open anyone's calendar;
* looking a token up compares hashes in the database index, never the token itself, so the
  time a lookup takes says nothing about how much of a guessed token was right;
* a new token ends the old one (one token per person), and revoking ends it outright;
* the token is never written to the audit log or logs.

Services take a unit of work and leave committing to the caller.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Final

from followup.errors import NotFound
from followup.models import AuditEvent
from followup.ports import UnitOfWork

TOKEN_BYTES: Final = 32
TOKEN_LENGTH: Final = 43  # base64url of 32 bytes, unpadded
FEED_ROUTE: Final = "/kalender/{token}.ics"
"""The feed's route pattern (aiohttp syntax); `feed_path` fills it in."""

_TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token: str) -> bool:
    """Whether `token` has the shape of an issued token (43 URL-safe base64 characters)."""
    return len(token) == TOKEN_LENGTH and _TOKEN_SHAPE.fullmatch(token) is not None


def feed_path(token: str) -> str:
    """The path of the feed for `token`: ``/kalender/<token>.ics``."""
    if not is_well_formed(token):
        raise ValueError("not a calendar token")
    return FEED_ROUTE.format(token=token)


def has_calendar_token(uow: UnitOfWork, person_id: str) -> bool:
    """Whether the person has a feed address (it cannot be shown again: only its hash is kept)."""
    return uow.calendar_feeds.exists(person_id)


def issue_calendar_token(uow: UnitOfWork, person_id: str, now: datetime) -> str:
    """A new token for the person's feed; any earlier token stops working. The caller commits.

    Raises `NotFound` if there is no such person.
    """
    if uow.people.get(person_id) is None:
        raise NotFound(person_id, code="person.unknown")
    had_token = uow.calendar_feeds.remove(person_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    uow.calendar_feeds.replace(person_id, _hash(token), now)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=person_id,
            action="calendar_feed.renewed" if had_token else "calendar_feed.created",
            entity="person",
            entity_id=person_id,
        )
    )
    return token


def person_for_token(uow: UnitOfWork, token: str) -> str | None:
    """The id of the person whose feed `token` opens, or None.

    Malformed tokens are turned away before hashing or touching the database.
    """
    if not is_well_formed(token):
        return None
    return uow.calendar_feeds.person_for_token_hash(_hash(token))


def revoke_calendar_token(uow: UnitOfWork, person_id: str, now: datetime) -> bool:
    """End the person's feed; False if there was none. The caller commits."""
    removed = uow.calendar_feeds.remove(person_id)
    if removed:
        uow.audit.append(
            AuditEvent(
                at=now,
                actor=person_id,
                action="calendar_feed.revoked",
                entity="person",
                entity_id=person_id,
            )
        )
    return removed
