"""Domain exceptions. The edge (bot/) turns them into friendly Norwegian replies."""

from enum import StrEnum


class FollowUpError(Exception):
    """Base class of every domain error.

    `code` names the reason for the edge's text catalogue (`bot/conversation/texts.py`), with
    `values` to fill
    in; the message itself is for logs. The edge never matches on the message.
    """

    def __init__(self, message: str = "", *, code: str | None = None, **values: object) -> None:
        super().__init__(message or code or self.__class__.__name__)
        self.code = code
        self.values = values


class Refused(FollowUpError):
    """A request refused for a named reason: a StrEnum whose value is the text catalogue's code
    (`AnswerRefused`, `DeviationRefused`, `UploadRefused`)."""

    reason: StrEnum

    def __init__(self, reason: StrEnum, message: str = "", **values: object) -> None:
        super().__init__(message or reason.value, code=reason.value, **values)
        self.reason = reason


class NotFound(FollowUpError):
    """A contract, follow-up or person the request names does not exist."""


class NotAllowed(FollowUpError):
    """The person may not do or see this."""


class InvalidInput(FollowUpError):
    """The request is malformed; the message says what is wrong."""


RETRYABLE_DELIVERY_STATUSES = frozenset({0, 412, 429, 502, 503, 504})


class DeliveryFailed(FollowUpError):
    """A proactive message could not be delivered.

    `final` means retrying will not help (the user blocked the bot, removed it, or the
    conversation is gone); `retry_after` is the wait the channel asked for, in seconds.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        final: bool,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, code="delivery.failed")
        self.status = status
        self.final = final
        self.retry_after = retry_after
        self.retryable = (
            retryable if retryable is not None else status in RETRYABLE_DELIVERY_STATUSES
        )
        """Worth trying again later: throttled (429), a precondition race (412), the channel
        or the network down (502/503/504, 0 = no answer)."""


class Conflict(FollowUpError):
    """Another process changed the same thing at the same time; the work may be retried."""


class ETagConflict(Exception):
    """A write named an e-tag that is not (or no longer) the stored one.

    Raised also when the item does not exist yet, and for an empty expected e-tag.
    Nothing of the batch the conflicting item belonged to was written.
    """

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"e-tag conflict on state item {self.key!r}"
