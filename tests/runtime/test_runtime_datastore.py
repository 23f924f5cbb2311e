"""The local datastore: atomic, write-once, content-addressed, safe under concurrency."""

from __future__ import annotations

import json
import os
import threading

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore, decode, encode, parse_task_key, task_key


def test_conditional_create_has_exactly_one_winner(tmp_path: object) -> None:
    store = open_object_store(f"file://{tmp_path}")
    wins: list[bool] = []
    barrier = threading.Barrier(16)

    def racer(i: int) -> None:
        barrier.wait()
        wins.append(store.put("F/runs/r/s/_/committed.json", str(i).encode(), if_absent=True))

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    assert list(store.list("F")) == ["F/runs/r/s/_/committed.json"]
    assert store.put("F/x", b"1") and store.put("F/x", b"2") and store.get("F/x") == b"2"


def test_blobs_are_content_addressed_and_compressed_when_it_pays(tmp_path: object) -> None:
    ds = FlowDatastore(open_object_store(str(tmp_path)), "F")
    big = ds.save_value("x" * 100_000)
    assert ds.save_value("x" * 100_000) == big
    stored = os.path.getsize(os.path.join(str(tmp_path), ds.blob_key(big.sha)))
    assert stored < 2_000 < big.size
    random_bytes = os.urandom(10_000)
    _sha, data, size = encode(random_bytes)
    assert data[:1] == b"\x80" and decode(data) == random_bytes and size == len(data)
    assert ds.load_value(big) == "x" * 100_000


def test_compression_is_decided_on_a_sample_of_large_values(monkeypatch: object) -> None:
    import zlib

    from runtime_shim.datastore import layout

    calls: list[int] = []
    real = zlib.compress

    def counting(data: bytes, level: int = -1) -> bytes:
        calls.append(len(data))
        return real(data, level)

    monkeypatch.setattr(layout.zlib, "compress", counting)  # type: ignore[attr-defined]
    noise = os.urandom(4 << 20)
    _sha, data, size = encode(noise)
    assert data[:1] == b"\x80" and decode(data) == noise
    # Only the sample was compressed, never the whole 4 MiB.
    assert calls and max(calls) <= 3 * layout.COMPRESS_SAMPLE_BYTES
    calls.clear()
    # Compressible in the sampled slices and in between: compressed whole.
    text = b"flowc " * (1 << 20)
    _sha, data, size = encode(text)
    assert data[:1] == b"\x78" and decode(data) == text and len(data) < size // 10
    assert max(calls) == size


def test_task_keys() -> None:
    assert task_key("") == "_" and task_key("3.1") == "3.1" and task_key("3", 2) == "3@2"
    assert parse_task_key("_@4") == ("", 4) and parse_task_key("0.2") == ("0.2", 0)


def test_foreach_split_publishes_its_items_with_the_committed_attempt(workdir: str) -> None:
    """A foreach split's committed attempt holds ``foreach.json`` (the children's
    positions); its failed attempt and the non-foreach steps hold none."""
    from runtime_shim.datastore.names import FOREACH_ITEMS
    from tests.support.runtime import run_local

    result = run_local("tests/runtime/flows/foreach_items.py", cwd=workdir)
    assert result.ok
    ds = FlowDatastore(open_object_store(result.datastore), result.flow)
    run = result.run_id

    def items(step: str, task: str, attempt: int) -> list[int] | None:
        key = f"{ds.attempt_prefix(run, step, task, attempt)}/{FOREACH_ITEMS}"
        return json.loads(ds.store.get(key)) if ds.store.exists(key) else None

    record = ds.committed(run, "start", "_")
    assert record is not None and record["attempt"] == 1 and record["foreach_count"] == 3
    assert ds.attempts(run, "start", "_") == [0, 1]
    assert items("start", "_", 0) is None  # failed, never committed
    assert items("start", "_", 1) == [0, 1, 2]
    for task in ("0", "1", "2"):
        assert items("outer", task, 0) == [0, 1]
    assert items("leaf", "2.1", 0) is None
    for step in ("join_inner", "join", "end"):
        for task in ds.list_tasks(run, step):
            assert items(step, task, 0) is None


def test_blobs_are_written_once_from_their_chunks(tmp_path: object) -> None:
    """A local blob is written from the pickle's buffers without joining them, and a
    second save of the same value is a stat, not a write."""
    from runtime_shim.datastore.layout import encode, encode_chunks
    from runtime_shim.datastore.local import LocalObjectStore

    store = LocalObjectStore(str(tmp_path))
    ds = FlowDatastore(store, "F")
    payload = os.urandom(300_000)
    sha, chunks, size = encode_chunks([payload, "tail"])
    assert any(view.obj is payload for view in chunks.views)  # referenced, not copied
    assert (sha, chunks.join(), size) == encode([payload, "tail"])
    assert store.put_blob(ds.blob_key(sha), chunks) is True
    assert store.put_blob(ds.blob_key(sha), chunks) is False
    assert store.get(ds.blob_key(sha)) == chunks.join()
    assert ds.load_value(ds.save_value([payload, "tail"])) == [payload, "tail"]
    assert not [
        n
        for n in os.listdir(os.path.dirname(store._path(ds.blob_key(sha))))
        if n.startswith(".tmp-")
    ]
