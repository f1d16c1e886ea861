"""botbuilder `Storage` on the database, so dialog state survives restarts and spans instances.

Items are converted to JSON the way botbuilder's own Cosmos DB and Blob storages do it, with
jsonpickle: `BotState` keeps live objects (a `DialogState` with its `DialogInstance`s, prompt
options holding `Activity` objects) in the dicts it writes, and they must come back as the same
types after a restart. The top level of every item is stored and returned as a dict; the e-tag is
kept out of the document and handed back under ``"e_tag"``.

jsonpickle recreates the classes a document names, so documents must only ever come from this
bot: nothing else writes table ``bot_state``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from botbuilder.core import Storage
from botbuilder.schema import Activity
from jsonpickle.pickler import Pickler  # type: ignore[import-untyped]  # no stubs
from jsonpickle.unpickler import Unpickler  # type: ignore[import-untyped]

from bot.teams.store_calls import IN_THREADS, StoreCalls
from followup.errors import ETagConflict

__all__ = ["ETagConflict", "SqlAlchemyStorage", "conversation_state_key", "prefetched_state"]

E_TAG = "e_tag"

Documents = Mapping[str, tuple[dict[str, Any], str]]


class _Prefetched:
    """Documents read for the turn already, handed out once."""

    def __init__(self, keys: Iterable[str], documents: Documents) -> None:
        self.keys = frozenset(keys)
        self.documents: Documents | None = documents

    def peek(self, key: str) -> tuple[bool, dict[str, Any] | None]:
        """(known, document): whether `key` was read for the turn (and is still unused), and
        its document (None when it has none)."""
        if self.documents is None or key not in self.keys:
            return False, None
        found = self.documents.get(key)
        return True, found[0] if found else None

    def take(self, wanted: Sequence[str]) -> Documents | None:
        documents = self.documents
        if documents is None or not self.keys.issuperset(wanted):
            return None
        self.documents = None  # once: a later read (after a write) goes to the database
        return {key: documents[key] for key in wanted if key in documents}


_PREFETCHED: ContextVar[_Prefetched | None] = ContextVar(
    "kontraktsvakt_prefetched_state", default=None
)


def conversation_state_key(activity: Activity) -> str | None:
    """The key botbuilder's `ConversationState` stores a conversation's state under
    (`ConversationState.get_storage_key`), for an activity; None when it has none."""
    conversation = activity.conversation
    if not activity.channel_id or conversation is None or not conversation.id:
        return None
    return f"{activity.channel_id}/conversations/{conversation.id}"


@contextmanager
def prefetched_state(keys: Iterable[str], documents: Documents) -> Iterator[None]:
    """While the turn runs, `SqlAlchemyStorage.read` of `keys` (all of them, once) answers with
    `documents`, read already (`storage.processed_activities.ProcessedActivityLog.claim` reads
    them with the activity's claim): no second transaction for a turn's dialog state."""
    token = _PREFETCHED.set(_Prefetched(keys, documents))
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def _take_prefetched(wanted: Sequence[str]) -> Documents | None:
    prefetched = _PREFETCHED.get()
    return prefetched.take(wanted) if prefetched is not None else None


class StateDocuments(Protocol):
    """JSON documents with e-tags (`storage.dialog_state.SqlDialogStateStore`). Blocking."""

    def read(self, keys: Sequence[str]) -> dict[str, tuple[dict[str, Any], str]]: ...
    def write(self, changes: Mapping[str, tuple[dict[str, Any], str | None]]) -> dict[str, str]: ...
    def delete(self, keys: Iterable[str]) -> None: ...


class SqlAlchemyStorage(Storage):  # type: ignore[misc]  # botbuilder is untyped
    """botbuilder `Storage` backed by `StateDocuments` (`SqlDialogStateStore`); a conflict
    raises `ETagConflict`.

    Semantics follow botbuilder's `MemoryStorage` and `CosmosDbPartitionedStorage`: an item
    without an e-tag, or with ``"*"``, overwrites; any other e-tag must match the stored one; an
    empty e-tag is refused. Unlike them, a successful write also puts the new e-tag on the item
    that was passed in, so `BotState` can save twice in one turn without conflicting with itself.
    """

    def __init__(self, store: StateDocuments, calls: StoreCalls = IN_THREADS) -> None:
        super().__init__()
        self._store = store
        self._calls = calls

    async def read(self, keys: Iterable[str] | None) -> dict[str, dict[str, Any]]:
        if keys is None:
            raise TypeError("Keys are required when reading")
        wanted = list(keys)
        if not wanted:
            return {}
        found = _take_prefetched(wanted)
        if found is None:
            found = await self._calls.run(self._store.read, wanted)
        items: dict[str, dict[str, Any]] = {}
        for key, (document, e_tag) in found.items():
            item = Unpickler().restore(document)
            if not isinstance(item, dict):
                raise TypeError(f"state item {key!r} is not a dict in storage")
            item[E_TAG] = e_tag
            items[key] = item
        return items

    async def peek(self, key: str) -> dict[str, Any] | None:
        """The JSON document stored under `key` as it is stored (jsonpickle's form, nothing
        recreated), or None; from the turn's prefetched state (`prefetched_state`) without
        using it up, so a `read` of the same key after this costs no second query."""
        prefetched = _PREFETCHED.get()
        if prefetched is not None:
            known, document = prefetched.peek(key)
            if known:
                return document
        found = await self._calls.run(self._store.read, [key])
        return found[key][0] if key in found else None

    async def write(self, changes: Mapping[str, object] | None) -> None:
        if changes is None:
            raise TypeError("Changes are required when writing")
        if not changes:
            return
        prepared: dict[str, tuple[dict[str, Any], str | None]] = {
            key: (_to_document(key, item), _e_tag_of(item)) for key, item in changes.items()
        }
        new_etags = await self._calls.run(self._store.write, prepared)
        for key, item in changes.items():
            _set_e_tag(item, new_etags[key])

    async def delete(self, keys: Iterable[str] | None) -> None:
        if keys is None:
            raise TypeError("Keys are required when deleting")
        wanted = list(keys)
        if wanted:
            await self._calls.run(self._store.delete, wanted)


def _e_tag_of(item: object) -> str | None:
    e_tag = item.get(E_TAG) if isinstance(item, Mapping) else getattr(item, E_TAG, None)
    if e_tag is None or isinstance(e_tag, str):
        return e_tag
    raise TypeError(f"e_tag must be a string or None, not {type(e_tag).__name__}")


def _to_document(key: str, item: object) -> dict[str, Any]:
    if isinstance(item, Mapping):
        fields = dict(item)
    elif hasattr(item, "__dict__"):
        fields = dict(vars(item))
    else:
        raise TypeError(
            f"state item {key!r} must be a dict or an object, not {type(item).__name__}"
        )
    fields.pop(E_TAG, None)
    document = Pickler().flatten(fields)
    if not isinstance(document, dict):  # pragma: no cover - jsonpickle keeps a dict a dict
        raise TypeError(f"state item {key!r} did not flatten to a dict")
    return document


def _set_e_tag(item: object, e_tag: str) -> None:
    if isinstance(item, dict):
        item[E_TAG] = e_tag
    elif hasattr(item, "__dict__"):
        item.e_tag = e_tag  # type: ignore[attr-defined]
