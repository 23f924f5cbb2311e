"""The datastore layout (docs/architecture.md), written once on top of ``ObjectStore``.

```
FLOW/blobs/ab/abcdef…                     artifact bytes, content-addressed, write-once
FLOW/runs/RUN/run.json                    parameters, hashes, created, tags, system tags
FLOW/runs/RUN/tags-NNNNNNNN.json          the user tags after each change (versioned)
FLOW/runs/RUN/STEP/TASK/attempt-N/        artifacts.json, meta.json, stdout.log, stderr.log
                                          and, for a foreach split, foreach.json; cards/
                                          holds the task's cards (runtime_shim.cards.store)
FLOW/runs/RUN/STEP/TASK/committed.json    written last with a conditional create
```
TASK is the index path ("_" for the top level) plus "@K" for iteration K>0 of a
recursive step; the task id the API shows adds the step name (:func:`task_id`).
``foreach.json`` is the JSON array of the children's foreach positions
(``[0,1,...,n-1]``), the item list an engine can fan out over straight from the store
(a distributed Map's S3 ``ItemReader``).

A blob's key is the sha256 of the pickled value; the stored bytes are zlib-compressed
when that saves at least a tenth (readers tell the two apart by the first byte: a pickle
starts with 0x80, zlib with 0x78). Values are pickled into a list of buffers
(:mod:`runtime_shim.datastore.chunks`) and unpickled from a stream, so a large payload
is never copied on its way to or from the store.
"""

from __future__ import annotations

import json
import pickle
import zlib

from runtime_shim.datastore.chunks import Chunks, ChunkWriter
from runtime_shim.datastore.errors import ObjectNotFound
from runtime_shim.datastore.names import COMMITTED, FOREACH_ITEMS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.datastore.objectstore import ByteStream, ObjectStore

# Protocol 5 hands contiguous array buffers (NumPy, PyArrow) to the writer as they are,
# where protocol 4 copies them into bytes first.
PICKLE_PROTOCOL = 5
# RUN/tags-00000001.json, …: the user-tag set after each change (the name has a dot, so
# list_steps never mistakes it for a step).
TAG_VERSION_PREFIX = "tags-"
COMPRESS_MIN_BYTES = 256
# Compress only when it saves at least 10 %; decide from a sample first (_sample_compresses).
COMPRESS_GAIN = 0.9
COMPRESS_SAMPLE_BYTES = 16 * 1024


class ArtifactRef:
    """Where an artifact's bytes live; copying a ref shares the artifact, never the bytes.

    (A plain class rather than a dataclass: ``dataclasses`` costs milliseconds to import
    and this module is imported by every task.)
    """

    __slots__ = ("sha", "size", "type")

    def __init__(self, sha: str, size: int, type: str) -> None:
        self.sha = sha
        self.size = size
        self.type = type

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArtifactRef) and (self.sha, self.size, self.type) == (
            other.sha,
            other.size,
            other.type,
        )

    def __hash__(self) -> int:
        return hash(self.sha)

    def __repr__(self) -> str:
        return f"ArtifactRef({self.sha[:12]}…, {self.size} B, {self.type})"

    def to_json(self) -> dict[str, Any]:
        return {"sha": self.sha, "size": self.size, "type": self.type}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArtifactRef:
        return cls(data["sha"], int(data.get("size", 0)), data.get("type", ""))


def task_key(index_path: str, iteration: int = 0) -> str:
    """The TASK path segment: ``"" → "_"``, ``("3", 2) → "3@2"``."""
    key = index_path or "_"
    return f"{key}@{iteration}" if iteration else key


def parse_task_key(key: str) -> tuple[str, int]:
    """Inverse of :func:`task_key`: ``"3@2" → ("3", 2)``, ``"_" → ("", 0)``."""
    path, _, iteration = key.partition("@")
    return ("" if path == "_" else path), int(iteration or 0)


def task_id(step: str, key: str) -> str:
    """The task id Metaflow's API shows (``current.task_id``, the client, pathspecs).

    Unique within a run and computable by any engine from what it already knows: the step
    name, then the index path and iteration of the datastore key (``start``,
    ``train.3``, ``inner.1.0``, ``loop@2``, ``body.3@1``).
    """
    path, iteration = parse_task_key(key)
    ident = f"{step}.{path}" if path else step
    return f"{ident}@{iteration}" if iteration else ident


def task_key_of(step: str, ident: str) -> str | None:
    """Inverse of :func:`task_id` for ``step`` (None if ``ident`` is not one of its ids).

    A datastore key itself (``_``, ``3``, ``3@2``) is accepted too, so paths written
    before task ids existed keep working.
    """
    if ident == step or ident.startswith((f"{step}.", f"{step}@")):
        rest = ident[len(step) :]
        path, _, iteration = rest.partition("@")
        if iteration and not iteration.isdigit():
            return None
        return task_key(path.removeprefix("."), int(iteration or 0))
    if ident == "_" or ident[:1].isdigit():
        return ident
    return None


def encode(value: Any) -> tuple[str, bytes, int]:
    """(sha256 of the pickle, stored bytes, pickled size), the stored bytes joined."""
    sha, stored, size = encode_chunks(value)
    return sha, stored.join(), size


def encode_chunks(value: Any) -> tuple[str, Chunks, int]:
    """(sha256 of the pickle, stored bytes as chunks, pickled size), without copies.

    The pickle is written into a :class:`ChunkWriter`, so large payloads stay the
    value's own buffers; only a compressible pickle is joined (to compress it).
    """
    writer = ChunkWriter()
    pickle.Pickler(writer, protocol=PICKLE_PROTOCOL).dump(value)
    pickled = writer.chunks()
    sha = pickled.sha256()
    stored = pickled
    if len(pickled) >= COMPRESS_MIN_BYTES and _sample_compresses(pickled):
        whole = pickled.join()
        packed = zlib.compress(whole, 3)
        if len(packed) <= COMPRESS_GAIN * len(whole):
            stored = Chunks.of(packed)
    return sha, stored, len(pickled)


def _sample_compresses(data: Chunks) -> bool:
    """Whether compressing ``data`` is worth trying, judged on three slices of it.

    Compressing a large incompressible artifact (random or already compressed bytes)
    only to throw the result away costs more than uploading it; three 16 KiB slices
    (start, middle, end) tell the two cases apart for about 1 ms of zlib.
    """
    size = COMPRESS_SAMPLE_BYTES
    if len(data) <= 4 * size:
        return True
    mid = len(data) // 2
    sample = b"".join((data.read(0, size), data.read(mid, size), data.read(len(data) - size, size)))
    return len(zlib.compress(sample, 3)) <= COMPRESS_GAIN * len(sample)


def decode(stored: bytes) -> Any:
    if stored[:1] == b"\x78":
        stored = zlib.decompress(stored)
    return pickle.loads(stored)


def decode_stream(stream: ByteStream) -> Any:
    """Unpickle from a stream: each large payload is read straight into its object.

    (``pickle.load`` allocates a large ``bytes``/``bytearray`` payload and fills it with
    one ``readinto``, which the store serves from the network or the file directly.)
    """
    head = stream.read(1)
    if head == b"\x78":
        return pickle.loads(zlib.decompress(head + stream.read()))
    return pickle.load(_Prepend(head, stream))


class _Prepend:
    """A stream with bytes already read put back in front (the format's first byte)."""

    def __init__(self, head: bytes, stream: ByteStream) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        head, self._head = self._head, b""
        if size == 0:
            self._head = head
            return b""
        rest = self._stream.read(-1 if size < 0 else size - len(head))
        return head + rest

    def readinto(self, buffer: memoryview) -> int:
        if self._head:
            data = self.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)
        return self._stream.readinto(buffer)

    def readline(self) -> bytes:
        if not self._head:
            return self._stream.readline()
        head, self._head = self._head, b""
        return head if head == b"\n" else head + self._stream.readline()


class FlowDatastore:
    """One flow's part of a datastore; every path of the layout is built here."""

    def __init__(self, store: ObjectStore, flow: str) -> None:
        self.store = store
        self.flow = flow

    # -- blobs -----------------------------------------------------------------------
    def blob_key(self, sha: str) -> str:
        return f"{self.flow}/blobs/{sha[:2]}/{sha}"

    def save_value(self, value: Any) -> ArtifactRef:
        """Store ``value`` under its content address (``put_blob``: written once)."""
        sha, stored, size = encode_chunks(value)
        self.store.put_blob(self.blob_key(sha), stored)
        return ArtifactRef(sha, size, type(value).__name__)

    def load_value(self, ref: ArtifactRef) -> Any:
        return self.store.read_stream(self.blob_key(ref.sha), decode_stream)

    # -- runs ------------------------------------------------------------------------
    def run_prefix(self, run: str) -> str:
        return f"{self.flow}/runs/{run}"

    def write_run(self, run: str, record: dict[str, Any], *, if_absent: bool = True) -> bool:
        return self.store.put(
            f"{self.run_prefix(run)}/run.json", _dump(record), if_absent=if_absent
        )

    def read_run(self, run: str) -> dict[str, Any] | None:
        return self._read_json(f"{self.run_prefix(run)}/run.json")

    def write_run_status(self, run: str, status: dict[str, Any]) -> None:
        """The local runner's verdict on a run (``status.json``; engines may omit it)."""
        self.store.put(f"{self.run_prefix(run)}/status.json", _dump(status))

    def read_run_status(self, run: str) -> dict[str, Any] | None:
        return self._read_json(f"{self.run_prefix(run)}/status.json")

    def tag_versions(self, run: str) -> list[int]:
        """The versions of the run's user-tag set written after the run started."""
        prefix = f"{TAG_VERSION_PREFIX}"
        names = self.store.list_children(self.run_prefix(run))
        return sorted(
            int(n[len(prefix) : -5]) for n in names if n.startswith(prefix) and n.endswith(".json")
        )

    def read_tags(self, run: str, version: int) -> list[str]:
        data = self._read_json(self._tag_key(run, version))
        return list((data or {}).get("tags", []))

    def write_tags(self, run: str, version: int, tags: list[str]) -> bool:
        """Create version ``version`` of the user tags; False if a concurrent writer did.

        Versions are created with a conditional write, so two writers never both publish
        the same version and no change is lost (the loser re-reads and tries again).
        """
        return self.store.put(
            self._tag_key(run, version), _dump({"tags": sorted(tags)}), if_absent=True
        )

    def _tag_key(self, run: str, version: int) -> str:
        return f"{self.run_prefix(run)}/{TAG_VERSION_PREFIX}{version:08d}.json"

    def list_runs(self) -> list[str]:
        return self.store.list_children(f"{self.flow}/runs")

    def list_steps(self, run: str) -> list[str]:
        return [n for n in self.store.list_children(self.run_prefix(run)) if "." not in n]

    def list_tasks(self, run: str, step: str) -> list[str]:
        return self.store.list_children(f"{self.run_prefix(run)}/{step}")

    # -- tasks -----------------------------------------------------------------------
    def task_prefix(self, run: str, step: str, task: str) -> str:
        return f"{self.run_prefix(run)}/{step}/{task}"

    def attempt_prefix(self, run: str, step: str, task: str, attempt: int) -> str:
        return f"{self.task_prefix(run, step, task)}/attempt-{attempt}"

    def write_attempt(
        self,
        run: str,
        step: str,
        task: str,
        attempt: int,
        artifacts: dict[str, ArtifactRef] | None,
        meta: dict[str, Any],
        logs: dict[str, str],
        foreach_count: int | None = None,
    ) -> None:
        """Write an attempt's files (never visible as a result until committed).

        ``logs`` maps a file name to its text; ``foreach_count`` (a foreach split that
        succeeded) adds ``foreach.json``, its children's positions ``[0, ..., n-1]``.
        """
        prefix = self.attempt_prefix(run, step, task, attempt)
        for name, text in logs.items():
            self.store.put(f"{prefix}/{name}", text.encode("utf-8", errors="replace"))
        if artifacts is not None:
            refs = {name: ref.to_json() for name, ref in sorted(artifacts.items())}
            self.store.put(f"{prefix}/artifacts.json", _dump(refs))
        if foreach_count is not None:
            self.store.put(f"{prefix}/{FOREACH_ITEMS}", _dump(list(range(foreach_count))))
        self.store.put(f"{prefix}/meta.json", _dump(meta))

    def commit(self, run: str, step: str, task: str, record: dict[str, Any]) -> bool:
        """Publish the task; False if another attempt committed first."""
        return self.store.put(
            f"{self.task_prefix(run, step, task)}/{COMMITTED}", _dump(record), if_absent=True
        )

    def committed(self, run: str, step: str, task: str) -> dict[str, Any] | None:
        return self._read_json(f"{self.task_prefix(run, step, task)}/{COMMITTED}")

    def is_committed(self, run: str, step: str, task: str) -> bool:
        return self.store.exists(f"{self.task_prefix(run, step, task)}/{COMMITTED}")

    def artifacts(
        self, run: str, step: str, task: str, record: dict[str, Any] | None = None
    ) -> dict[str, ArtifactRef]:
        """The artifact refs of a committed task (raises ObjectNotFound if uncommitted)."""
        if record is None:
            record = self.committed(run, step, task)
            if record is None:
                raise ObjectNotFound(f"{self.task_prefix(run, step, task)} is not committed")
        prefix = self.output_prefix(run, step, task, record)
        data = json.loads(self.store.get(f"{prefix}/artifacts.json"))
        return {name: ArtifactRef.from_json(ref) for name, ref in data.items()}

    def output_prefix(self, run: str, step: str, task: str, record: dict[str, Any]) -> str:
        """The attempt whose outputs a commit publishes (the origin's, for a resumed clone)."""
        source: str | None = record.get("source")
        return source or self.attempt_prefix(run, step, task, int(record["attempt"]))

    def attempt_meta(self, run: str, step: str, task: str, attempt: int) -> dict[str, Any] | None:
        return self._read_json(f"{self.attempt_prefix(run, step, task, attempt)}/meta.json")

    def attempts(self, run: str, step: str, task: str) -> list[int]:
        names = self.store.list_children(self.task_prefix(run, step, task))
        return sorted(int(n[8:]) for n in names if n.startswith("attempt-"))

    def log(self, run: str, step: str, task: str, attempt: int, stream: str) -> str:
        try:
            data = self.store.get(f"{self.attempt_prefix(run, step, task, attempt)}/{stream}.log")
        except ObjectNotFound:
            return ""
        return data.decode("utf-8", errors="replace")

    def _read_json(self, key: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.store.get(key))
        except ObjectNotFound:
            return None
        return data


def _dump(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
