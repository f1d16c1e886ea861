"""The folder document store: bytes in and out under generated keys, folders made as needed,
keys that could leave the root refused, and whole-or-nothing writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from followup.documents.services import new_storage_key
from storage.document_store import FolderDocumentStore, UnsafeKey


@pytest.fixture
def store(tmp_path: Path) -> FolderDocumentStore:
    return FolderDocumentStore(tmp_path / "dokumenter")


def test_bytes_go_in_and_come_out_under_a_generated_key(store: FolderDocumentStore) -> None:
    key = new_storage_key("pdf")
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", key)
    assert key[:2] == key[6:8]
    assert key[3:5] == key[8:10]
    assert not store.exists(key)

    store.put(key, b"%PDF-1.7 innhold")

    assert store.exists(key)
    assert store.get(key) == b"%PDF-1.7 innhold"
    assert (store.root / key).read_bytes() == b"%PDF-1.7 innhold"
    assert new_storage_key("pdf") != key
    assert new_storage_key("").count(".") == 0


def test_a_second_put_replaces_the_whole_file_and_leaves_no_temporary_files(
    store: FolderDocumentStore,
) -> None:
    key = "ab/cd/0123456789abcdef0123456789abcdef.txt"
    store.put(key, b"a" * 10_000)
    store.put(key, b"kort")

    assert store.get(key) == b"kort"
    assert sorted(p.name for p in (store.root / "ab" / "cd").iterdir()) == [
        key.rsplit("/", maxsplit=1)[-1]
    ]


def test_a_failed_write_leaves_nothing_behind(store: FolderDocumentStore) -> None:
    key = "ab/cd/ffffffffffffffffffffffffffffffff.pdf"

    with pytest.raises(TypeError):
        store.put(key, "not bytes")  # type: ignore[arg-type]

    assert not store.exists(key)
    assert list((store.root / "ab" / "cd").iterdir()) == []


def test_a_missing_key_is_a_key_error(store: FolderDocumentStore) -> None:
    with pytest.raises(KeyError):
        store.get("ab/cd/00000000000000000000000000000000.pdf")
    store.put("ab/cd/x.pdf", b"1")
    with pytest.raises(KeyError):
        store.get("ab/cd")  # a folder is not a document
    assert not store.exists("ab/cd")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../utenfor.pdf",
        "ab/../../utenfor.pdf",
        "ab/./cd.pdf",
        "/etc/passwd",
        "ab//cd.pdf",
        "ab/cd/",
        "..",
        ".skjult",
        "ab\\..\\cd.pdf",
        "AB/CD.pdf",
        "ab/cd .pdf",
        "ab/%2e%2e/cd.pdf",
        "ab/cd\x00.pdf",
        "ab/Skatteattest 2026.pdf",
        "a" * 201,
    ],
)
def test_unsafe_keys_are_refused(store: FolderDocumentStore, key: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeKey):
        store.put(key, b"x")
    with pytest.raises(UnsafeKey):
        store.get(key)
    with pytest.raises(UnsafeKey):
        store.exists(key)
    assert not (tmp_path / "utenfor.pdf").exists()


def test_a_symlink_out_of_the_root_is_refused(store: FolderDocumentStore, tmp_path: Path) -> None:
    outside = tmp_path / "utenfor"
    outside.mkdir()
    store.root.mkdir(parents=True)
    (store.root / "ut").symlink_to(outside, target_is_directory=True)

    with pytest.raises(UnsafeKey):
        store.put("ut/fil.pdf", b"x")

    assert list(outside.iterdir()) == []
