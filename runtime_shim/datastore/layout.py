"""The datastore layout (docs/architecture.md), written once on top of ``ObjectStore``.

```
FLOW/blobs/ab/abcdef…                     artifact bytes, content-addressed, write-once
FLOW/runs/RUN/run.json                    parameters, hashes, created, tags, system tags
FLOW/runs/RUN/tags-NNNNNNNN.json          the user tags after each change (versioned)
FLOW/runs/RUN/STEP/TASK.json              the task's record, written last with a
                                          conditional create: the committed attempt, its
                                          transition, metadata, artifact refs and logs
FLOW/runs/RUN/STEP/TASK/attempt-N.json    an attempt that did not commit (metadata, logs)
FLOW/runs/RUN/STEP/TASK/attempt-N/        only what a record does not hold: stdout.log and
                                          stderr.log above LOG_INLINE_BYTES, foreach.json
                                          of a foreach split, cards/ (runtime_shim.cards.store)
```
TASK is the index path ("_" for the top level) plus "@K" for iteration K>0 of a
recursive step; the task id the API shows adds the step name (:func:`task_id`).
``foreach.json`` is the JSON array of the children's foreach positions
(``[0,1,...,n-1]``), the item list an engine can fan out over straight from the store
(a distributed Map's S3 ``ItemReader``).

A trivial task is therefore one small object: no directory, no empty log file, no
marker beside its record. Runs written before this layout kept a task's files in
``TASK/attempt-N/`` (``artifacts.json``, ``meta.json``, the logs) and its commit marker
in ``TASK/committed.json``; every reader here still reads them.

A blob's key is the sha256 of the pickled value; the stored bytes are zlib-compressed
when that saves at least a tenth (readers tell the two apart by the first byte: a pickle
starts with 0x80, zlib with 0x78). Values are pickled into a list of buffers
(:mod:`runtime_shim.datastore.chunks`) and unpickled from a stream, so a large payload
is never copied on its way to or from the store. A value whose stored bytes are at most
INLINE_MAX_BYTES is kept in its ref instead (in the record), never as a blob.
"""

from __future__ import annotations

import json
import pickle
import zlib
from binascii import a2b_base64, b2a_base64

from runtime_shim.datastore.chunks import Chunks, ChunkWriter
from runtime_shim.datastore.errors import ObjectNotFound
from runtime_shim.datastore.names import FOREACH_ITEMS, LEGACY_COMMITTED, RECORD_SUFFIX

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
# A value stored in at most this many bytes lives in its ref (a small int, a short
# string): a blob would cost a file (a 4 KiB block) and a read per value.
INLINE_MAX_BYTES = 64
# A log of at most this many bytes lives in the attempt's record; a longer one is a file.
LOG_INLINE_BYTES = 1024


class ArtifactRef:
    """Where an artifact's bytes live; copying a ref shares the artifact, never the bytes.

    ``inline`` holds the stored bytes of a small value (``INLINE_MAX_BYTES``), which then
    has no blob. (A plain class rather than a dataclass: ``dataclasses`` costs
    milliseconds to import and this module is imported by every task.)
    """

    __slots__ = ("inline", "sha", "size", "type")

    def __init__(self, sha: str, size: int, type: str, inline: bytes | None = None) -> None:
        self.sha = sha
        self.size = size
        self.type = type
        self.inline = inline

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
        data: dict[str, Any] = {"sha": self.sha, "size": self.size, "type": self.type}
        if self.inline is not None:
            data["inline"] = b2a_base64(self.inline, newline=False).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArtifactRef:
        inline = data.get("inline")
        return cls(
            data["sha"],
            int(data.get("size", 0)),
            data.get("type", ""),
            None if inline is None else a2b_base64(inline),
        )


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
        """Store ``value`` under its content address (``put_blob``: written once); a
        value stored in at most INLINE_MAX_BYTES is kept in the ref instead."""
        sha, stored, size = encode_chunks(value)
        if len(stored) <= INLINE_MAX_BYTES:
            return ArtifactRef(sha, size, type(value).__name__, stored.join())
        self.store.put_blob(self.blob_key(sha), stored)
        return ArtifactRef(sha, size, type(value).__name__)

    def load_value(self, ref: ArtifactRef) -> Any:
        if ref.inline is not None:
            return decode(ref.inline)
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
        """The keys of the step's tasks that committed or recorded an attempt."""
        names = set()
        for name in self.store.list_children(f"{self.run_prefix(run)}/{step}"):
            names.add(name[: -len(RECORD_SUFFIX)] if name.endswith(RECORD_SUFFIX) else name)
        return sorted(names)

    # -- tasks -----------------------------------------------------------------------
    def task_prefix(self, run: str, step: str, task: str) -> str:
        return f"{self.run_prefix(run)}/{step}/{task}"

    def record_key(self, run: str, step: str, task: str) -> str:
        return self.task_prefix(run, step, task) + RECORD_SUFFIX

    def attempt_prefix(self, run: str, step: str, task: str, attempt: int) -> str:
        return f"{self.task_prefix(run, step, task)}/attempt-{attempt}"

    def attempt_fields(
        self,
        run: str,
        step: str,
        task: str,
        attempt: int,
        meta: dict[str, Any],
        logs: dict[str, str],
        artifacts: dict[str, ArtifactRef] | None = None,
        foreach_count: int | None = None,
    ) -> dict[str, Any]:
        """An attempt's part of its record; writes what a record does not hold first.

        ``logs`` maps a stream (``stdout``, ``stderr``) to its text: an empty one is
        left out, a short one kept in the record, a long one written to
        ``attempt-N/STREAM.log``. ``foreach_count`` (a foreach split that succeeded)
        writes ``attempt-N/foreach.json``, its children's positions ``[0, ..., n-1]``.
        """
        prefix = self.attempt_prefix(run, step, task, attempt)
        inline: dict[str, str] = {}
        files: list[str] = []
        for stream, text in sorted(logs.items()):
            data = text.encode("utf-8", errors="replace")
            if len(data) > LOG_INLINE_BYTES:
                self.store.put(f"{prefix}/{stream}.log", data)
                files.append(stream)
            elif data:
                inline[stream] = text
        if foreach_count is not None:
            self.store.put(f"{prefix}/{FOREACH_ITEMS}", _dump(list(range(foreach_count))))
        fields: dict[str, Any] = {"meta": meta, "logs": inline}
        if files:
            fields["log_files"] = files
        if artifacts is not None:
            fields["artifacts"] = {name: ref.to_json() for name, ref in sorted(artifacts.items())}
        return fields

    def write_attempt(
        self, run: str, step: str, task: str, attempt: int, fields: dict[str, Any]
    ) -> None:
        """Record an attempt that did not commit (``fields`` from :meth:`attempt_fields`)."""
        self.store.put(f"{self.task_prefix(run, step, task)}/attempt-{attempt}.json", _dump(fields))

    def commit(self, run: str, step: str, task: str, record: dict[str, Any]) -> bool:
        """Publish the task; False if another attempt committed first."""
        return self.store.put(self.record_key(run, step, task), _dump(record), if_absent=True)

    def committed(
        self, run: str, step: str, task: str, *, legacy: bool = True
    ) -> dict[str, Any] | None:
        """The task's record, None if it has not committed; ``legacy=False`` skips the
        look for an earlier layout's marker (a round trip on S3)."""
        record = self._read_json(self.record_key(run, step, task))
        if record is None and legacy:
            record = self._read_json(f"{self.task_prefix(run, step, task)}/{LEGACY_COMMITTED}")
        return record

    def is_committed(self, run: str, step: str, task: str) -> bool:
        return self.store.exists(self.record_key(run, step, task)) or self.store.exists(
            f"{self.task_prefix(run, step, task)}/{LEGACY_COMMITTED}"
        )

    def artifacts(
        self, run: str, step: str, task: str, record: dict[str, Any] | None = None
    ) -> dict[str, ArtifactRef]:
        """The artifact refs of a committed task (raises ObjectNotFound if uncommitted)."""
        if record is None:
            record = self.committed(run, step, task)
            if record is None:
                raise ObjectNotFound(f"{self.task_prefix(run, step, task)} is not committed")
        data = record.get("artifacts")
        if data is None:  # the earlier layout
            prefix = self.output_prefix(run, step, task, record)
            data = json.loads(self.store.get(f"{prefix}/artifacts.json"))
        return {name: ArtifactRef.from_json(ref) for name, ref in data.items()}

    def output_prefix(self, run: str, step: str, task: str, record: dict[str, Any]) -> str:
        """Where the committed attempt's files are (the origin's, for a resumed clone)."""
        source: str | None = record.get("source")
        return source or self.attempt_prefix(run, step, task, int(record["attempt"]))

    def attempt_record(
        self,
        run: str,
        step: str,
        task: str,
        attempt: int,
        record: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """An attempt's record (``meta``, ``logs``, ...) and where its files are
        (``files``); the commit record when it names the attempt (pass it if read)."""
        record = record if record is not None else self.committed(run, step, task)
        if record is not None and int(record.get("attempt", -1)) == attempt:
            files = self.output_prefix(run, step, task, record)
            if "meta" in record:
                return dict(record, files=files)
            meta = self._read_json(f"{files}/meta.json")  # the earlier layout
            return {"meta": meta or {}, "files": files}
        files = self.attempt_prefix(run, step, task, attempt)
        found = self._read_json(f"{self.task_prefix(run, step, task)}/attempt-{attempt}.json")
        if found is not None:
            return dict(found, files=files)
        meta = self._read_json(f"{files}/meta.json")
        return None if meta is None else {"meta": meta, "files": files}

    def attempt_meta(self, run: str, step: str, task: str, attempt: int) -> dict[str, Any] | None:
        found = self.attempt_record(run, step, task, attempt)
        return None if found is None else found.get("meta")

    def attempts(self, run: str, step: str, task: str) -> list[int]:
        """The attempts the task recorded (for a resumed clone: the one it reuses)."""
        found: set[int] = set()
        for name in self.store.list_children(self.task_prefix(run, step, task)):
            number = name[8:].removesuffix(".json")
            if name.startswith("attempt-") and number.isdigit():
                found.add(int(number))
        record = self._read_json(self.record_key(run, step, task))
        if record is not None:
            found.add(int(record["attempt"]))
        return sorted(found)

    def log(
        self,
        run: str,
        step: str,
        task: str,
        attempt: int,
        stream: str,
        record: dict[str, Any] | None = None,
    ) -> str:
        found = self.attempt_record(run, step, task, attempt, record)
        if found is None:
            return ""
        inline = found.get("logs")
        if inline is not None and stream in inline:
            return str(inline[stream])
        if inline is not None and stream not in found.get("log_files", ()):
            return ""  # an empty stream
        try:
            data = self.store.get(f"{found['files']}/{stream}.log")
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
