"""The ObjectStore contract, run against every implementation: local, moto, SeaweedFS.

The datastore layout is written once over this interface, so any behaviour that differs
between a directory and a bucket is a bug that these tests exist to catch.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from runtime_shim.datastore.objectstore import ObjectNotFound, ObjectStoreError


def test_put_get_round_trip_and_overwrite(store: Any) -> None:
    assert store.put("a/b/c.json", b"one") is True
    assert store.get("a/b/c.json") == b"one"
    assert store.put("a/b/c.json", b"two") is True
    assert store.get("a/b/c.json") == b"two"


def test_empty_object(store: Any) -> None:
    store.put("empty", b"")
    assert store.exists("empty")
    assert store.get("empty") == b""


def test_missing_key_is_object_not_found(store: Any) -> None:
    with pytest.raises(ObjectNotFound):
        store.get("nope/missing.json")
    with pytest.raises(KeyError):
        store.get("nope/missing.json")
    assert store.exists("nope/missing.json") is False


def test_get_to_file_missing_key(store: Any, tmp_path: Path) -> None:
    with pytest.raises(ObjectNotFound):
        store.get_to_file("missing", str(tmp_path / "out"))


def test_if_absent_creates_once_and_never_overwrites(store: Any) -> None:
    assert store.put("runs/1/s/_/committed.json", b"first", if_absent=True) is True
    assert store.put("runs/1/s/_/committed.json", b"second", if_absent=True) is False
    assert store.get("runs/1/s/_/committed.json") == b"first"


def test_put_file_if_absent(store: Any, tmp_path: Path) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(b"x" * 1000)
    assert store.put_file("f.bin", str(source), if_absent=True) is True
    source.write_bytes(b"y" * 1000)
    assert store.put_file("f.bin", str(source), if_absent=True) is False
    assert store.get("f.bin") == b"x" * 1000


@pytest.mark.parametrize("single_stream_mb_per_s", [0.0, 1e9], ids=["one-stream", "ranges"])
def test_multipart_sized_objects_round_trip(
    make_store: Any, tmp_path: Path, single_stream_mb_per_s: float
) -> None:
    """12 MiB crosses the tests' 5 MiB part size: multipart upload, then the rest of the
    object read from the first stream or in parallel ranges."""
    store = make_store(single_stream_mb_per_s=single_stream_mb_per_s)
    data = os.urandom(12 * 1024 * 1024 + 17)
    assert store.put("big/bytes", data) is True
    assert hashlib.sha256(store.get("big/bytes")).digest() == hashlib.sha256(data).digest()
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert store.put_file("big/file", str(source), if_absent=True) is True
    assert store.put_file("big/file", str(source), if_absent=True) is False
    target = tmp_path / "copy.bin"
    store.get_to_file("big/file", str(target))
    assert target.read_bytes() == data


def test_list_is_recursive_sorted_and_relative(store: Any) -> None:
    for key in ["f/runs/2/x", "f/runs/10/y", "f/runs/1/a/b", "f/runsX/z", "f/blobs/ab/abc"]:
        store.put(key, b"1")
    assert list(store.list("f/runs")) == ["f/runs/1/a/b", "f/runs/10/y", "f/runs/2/x"]
    assert list(store.list("f/runs/")) == ["f/runs/1/a/b", "f/runs/10/y", "f/runs/2/x"]
    assert list(store.list("f/runs/1/a/b")) == ["f/runs/1/a/b"]
    assert list(store.list("f/nothing")) == []
    assert list(store.list("")) == sorted(
        ["f/runs/2/x", "f/runs/10/y", "f/runs/1/a/b", "f/runsX/z", "f/blobs/ab/abc"]
    )


def test_list_children(store: Any) -> None:
    for key in ["f/runs/r1/run.json", "f/runs/r1/start/_/committed.json", "f/runs/r2/run.json"]:
        store.put(key, b"{}")
    assert store.list_children("f/runs") == ["r1", "r2"]
    assert store.list_children("f/runs/r1") == ["run.json", "start"]
    assert store.list_children("f/runs/r1/") == ["run.json", "start"]
    assert store.list_children("f/missing") == []
    assert store.list_children("") == ["f"]


@pytest.mark.parametrize("key", ["/abs", "a/../b", "../up"])
def test_invalid_keys_are_rejected(store: Any, key: str) -> None:
    with pytest.raises(ObjectStoreError):
        store.put(key, b"x")


def test_racing_creates_have_exactly_one_winner(store: Any) -> None:
    winners: list[int] = []
    barrier = threading.Barrier(8)

    def commit(number: int) -> None:
        barrier.wait()
        if store.put("race/committed.json", f"attempt-{number}".encode(), if_absent=True):
            winners.append(number)

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert store.get("race/committed.json") == f"attempt-{winners[0]}".encode()
