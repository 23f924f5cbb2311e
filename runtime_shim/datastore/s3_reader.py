"""A read-only stream over one S3 object that fills large reads in place.

``pickle.load`` allocates each large payload (a ``bytes``, a ``bytearray`` behind a
NumPy array) and fills it with a single ``readinto``; :class:`S3Reader` serves that call
straight from the sockets into the payload's memory, so loading an artifact costs no copy
beyond the one the object itself is. A large ``readinto`` takes its first part from the
open response; if that part arrived at ``single_stream_rate`` or faster (a store on the
same host), the rest comes from the same response, otherwise the rest is fetched as
parallel ranged GETs into slices of the same buffer. Every ranged GET is pinned to the
object's ETag with ``If-Match``: a replaced object fails the read with a precondition
error (the store then starts over) instead of mixing two versions.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from runtime_shim.datastore.s3_transfer import Target


class _Response:
    """One GET's body from ``offset`` on; ``readinto`` fills a buffer without a copy.

    botocore's body (and urllib3's ``readinto``) read into a new ``bytes`` and copy it;
    the ``http.client`` response underneath reads from the socket into the buffer. Once
    that is used, urllib3's own byte count is stale, so every read goes through it and
    the connection is returned to the pool only when the body was read to the end.
    """

    def __init__(self, response: dict[str, Any], offset: int, end: int) -> None:
        self.body = response["Body"]
        self.position = offset
        self.end = end
        raw = getattr(self.body, "_raw_stream", None)
        self._urllib3 = raw
        self._http = getattr(raw, "_fp", None)
        if not (callable(getattr(self._http, "readinto", None)) and hasattr(raw, "release_conn")):
            self._http = None

    def read(self, size: int) -> bytes:
        size = min(size, self.end - self.position)
        data: bytes = self._http.read(size) if self._http is not None else self.body.read(size)
        if len(data) != size:
            raise OSError(f"short read at byte {self.position}: {len(data)} of {size} bytes")
        self.position += size
        self._release_if_done()
        return data

    def readinto(self, view: memoryview) -> None:
        """Fill all of ``view`` (raises on a short body)."""
        readinto = self._http.readinto if self._http is not None else self.body.readinto
        filled = 0
        while filled < len(view):
            count = readinto(view[filled:])
            if not count:
                raise OSError(f"short read at byte {self.position + filled}")
            filled += count
        self.position += filled
        self._release_if_done()

    def _release_if_done(self) -> None:
        if self.position >= self.end and self._http is not None and self._urllib3 is not None:
            self._urllib3.release_conn()
            self._http = None

    def close(self) -> None:
        """Drop the connection unless the body was read to the end (then it is reused)."""
        if self.position < self.end:
            self.body.close()


class S3Reader:
    """A binary stream of ``target`` (``read``, ``readinto``, ``readline``)."""

    def __init__(
        self,
        target: Target,
        *,
        part_size: int,
        concurrency: int,
        single_stream_rate: float,
        stream_fast: bool | None = None,
    ) -> None:
        self.target = target
        #: Whether one response is fast enough for large reads: known from an earlier
        #: read of the same store, or measured on this object's first part.
        self.stream_fast = stream_fast
        self.part_size = part_size
        self.concurrency = concurrency
        self.single_stream_rate = single_stream_rate
        first = target.client.get_object(Bucket=target.bucket, Key=target.key)
        self.size = int(first["ContentLength"])
        self.etag: str = first["ETag"]
        self.position = 0
        self._stream: _Response | None = _Response(first, 0, self.size)

    def __enter__(self) -> S3Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def read(self, size: int = -1) -> bytes:
        remaining = self.size - self.position
        size = remaining if size is None or size < 0 else min(size, remaining)
        if size <= 0:
            return b""
        if size >= 2 * self.part_size and self.stream_fast:
            # One new bytes object filled by the socket, as get_object().read() does.
            data = self._open_stream().read(size)
            self.position += size
            return data
        if size >= 2 * self.part_size:
            buffer = bytearray(size)
            self.readinto(memoryview(buffer))
            return bytes(buffer)
        data = self._open_stream().read(size)
        self.position += size
        return data

    def readline(self) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n"):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        length = min(len(view), self.size - self.position)
        view = view[:length]
        if length < 2 * self.part_size:
            if length:
                self._open_stream().readinto(view)
        else:
            self._read_large(view)
        self.position += length
        return length

    def _open_stream(self) -> _Response:
        """The response positioned at ``self.position`` (a ranged GET after a jump)."""
        stream = self._stream
        if stream is not None and stream.position == self.position:
            return stream
        if stream is not None:
            stream.close()
        self._stream = stream = _Response(
            self._ranged(self.position, self.size), self.position, self.size
        )
        return stream

    def _ranged(self, offset: int, end: int) -> dict[str, Any]:
        target = self.target
        response: dict[str, Any] = target.client.get_object(
            Bucket=target.bucket,
            Key=target.key,
            Range=f"bytes={offset}-{end - 1}",
            IfMatch=self.etag,
        )
        return response

    def _read_large(self, view: memoryview) -> None:
        stream = self._open_stream()
        first = view[: self.part_size]
        started = time.perf_counter()
        stream.readinto(first)
        rate = len(first) / max(time.perf_counter() - started, 1e-9)
        self.stream_fast = rate >= self.single_stream_rate
        if self.stream_fast:
            # One connection already delivers what this machine can take (a store on
            # the same host or rack): ranges would only add requests and contention.
            stream.readinto(view[self.part_size :])
            return
        stream.close()  # the rest comes in parallel ranges; this connection is dropped
        self._stream = None
        base = self.position
        spans = [
            (offset, min(self.part_size, len(view) - offset))
            for offset in range(self.part_size, len(view), self.part_size)
        ]

        def fetch(span: tuple[int, int]) -> None:
            offset, length = span
            start = base + offset
            ranged = _Response(self._ranged(start, start + length), start, start + length)
            ranged.readinto(view[offset : offset + length])

        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(spans)))) as pool:
            list(pool.map(fetch, spans))
