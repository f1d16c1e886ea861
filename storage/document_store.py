"""Documents' bytes in a folder: `FolderDocumentStore(root)`, the `DocumentStore` port.

Keys are made by the domain (`ab/cd/<32 hex>.pdf`), never from what a user typed; this store
still checks every key: a key is lower-case letters, digits, `.`, `_` and `-` in segments
separated by `/`, no segment starts with a dot (so no `..`), and the resolved path must stay
inside the root (a symlink pointing out is refused too). A file is written to a temporary file
in its folder, flushed to disk, then renamed over its name: readers see all of it or nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Final

MAX_KEY_LENGTH: Final = 200
_SEGMENT: Final = re.compile(r"[a-z0-9_-][a-z0-9._-]{0,99}")


class UnsafeKey(ValueError):
    """A storage key that is not one this store accepts (it could point outside the root)."""


class FolderDocumentStore:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    @property
    def root(self) -> Path:
        return self._root

    def path_for(self, key: str) -> Path:
        """Where `key` lives; raises `UnsafeKey` for a key that is not safe."""
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise UnsafeKey(repr(key)[:80])
        segments = key.split("/")
        if not all(_SEGMENT.fullmatch(segment) for segment in segments):
            raise UnsafeKey(repr(key)[:80])
        path = self._root.joinpath(*segments)
        resolved = path.resolve()
        if not resolved.is_relative_to(self._root) or resolved == self._root:
            raise UnsafeKey(repr(key)[:80])
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.resolve().is_relative_to(self._root):
            raise UnsafeKey(repr(key)[:80])
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()


__all__ = ["FolderDocumentStore", "UnsafeKey"]
