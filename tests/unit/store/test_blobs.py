from __future__ import annotations

import errno

import pytest

from dienhinh.core.errors import StorageError
from dienhinh.store.blobs import BlobStore, sha256_hex


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = BlobStore(tmp_path)
    sha = store.put(b"hello")
    assert sha == sha256_hex(b"hello")
    assert store.put(b"hello") == sha
    assert store.read(sha) == b"hello"
    assert store.path(sha).parent.parent.name == sha[:2]
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_disk_full_is_a_storage_error_and_leaves_no_partial_file(tmp_path, monkeypatch):
    store = BlobStore(tmp_path)
    import os

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match="disk full"):
        store.put(b"x" * 100)
    monkeypatch.undo()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "a" * 63 + "g",
        "a" * 64 + "\n",
        "/" + "a" * 63,
    ],
)
def test_path_refuses_non_hash_names(tmp_path, name):
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path(name)


def test_path_of_a_hash_is_in_its_two_level_folder(tmp_path):
    sha = "0123456789abcdef" * 4
    assert BlobStore(tmp_path).path(sha) == tmp_path / "01" / "23" / sha
