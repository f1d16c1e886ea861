"""What can go wrong with a Fiks Arkiv message, one class per kind (never match on the text).

`ArchiveFormatError` is the root. `InvalidArchiveMessage` and its subclasses are refusals of a
message or container: permanent (a retry sends the same bytes), so the outbox dead-letters them.
`SchemaFolderError` is a setting problem; `InvalidReceipt` and `ArchiveReportedFailure` are
about the archive's answer. Texts are English; the CLI and chat say it in Norwegian.
"""

from __future__ import annotations

from collections.abc import Sequence

_SHOWN_ERRORS = 5


def _shown(errors: Sequence[str]) -> str:
    more = len(errors) - _SHOWN_ERRORS
    return "; ".join(errors[:_SHOWN_ERRORS]) + (f" (and {more} more)" if more > 0 else "")


class ArchiveFormatError(Exception):
    """Root of the archive format's errors."""


class SchemaFolderError(ArchiveFormatError):
    """The Fiks Arkiv schema folder is missing, incomplete or reaches outside itself."""


class InvalidArchiveMessage(ArchiveFormatError):
    """A message or its container is refused; sending it again gives the same answer."""


class SchemaViolation(InvalidArchiveMessage):
    """The XML does not validate against the official schema."""

    def __init__(self, what: str, errors: Sequence[str]) -> None:
        super().__init__(
            f"{what} does not validate against the Fiks Arkiv V1 schema: {_shown(errors)}"
        )
        self.errors = tuple(errors)


class MalformedContainer(InvalidArchiveMessage):
    """The bytes are not an ASiC-E container as Fiks Arkiv sends them."""


class MissingFile(InvalidArchiveMessage):
    """The message names a file (*referanseDokumentfil*) the container lacks."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the message names {name!r}, which the container lacks")
        self.name = name


class UnexpectedFile(InvalidArchiveMessage):
    """The container holds a file the message does not name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the container holds {name!r}, which the message does not name")
        self.name = name


class FileCountMismatch(InvalidArchiveMessage):
    """*antallFiler* is not the number of files in the container."""

    def __init__(self, declared: int, found: int) -> None:
        super().__init__(f"antallFiler is {declared}, but the container holds {found} files")
        self.declared = declared
        self.found = found


class ChecksumMismatch(InvalidArchiveMessage):
    """A file's bytes do not have the checksum (*sjekksum*) the message gives."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} does not match the checksum in the message")
        self.name = name


class UnknownCase(InvalidArchiveMessage):
    """The record points to a case (*referanseForelderMappe*) the archive cannot find."""


class InvalidReceipt(ArchiveFormatError):
    """The archive's answer is not a receipt as the V1 schema describes it."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message + (f": {_shown(errors)}" if errors else ""))
        self.errors = tuple(errors)


class ArchiveReportedFailure(ArchiveFormatError):
    """The receipt says the archive could not make the case or the record (*mappeFeilet*,
    *registreringFeilet*)."""

    def __init__(self, part: str, error_id: str, message: str) -> None:
        super().__init__(f"the archive could not create the {part}: {message} (feilId {error_id})")
        self.part = part
        self.error_id = error_id
        self.message = message
