"""Large-object transfers: parallel multipart uploads and parallel ranged reads.

boto3's transfer manager cannot send ``If-None-Match`` on the multipart completion, and
a commit of a large object must stay conditional, so uploads are done here: parts go up
in parallel and the object appears only at ``CompleteMultipartUpload`` (atomically, and
conditionally when asked). Reads fetch the first part with a plain GET and, when the
object is larger, the remaining ranges in parallel, each pinned to the first response's
ETag with ``If-Match`` so a concurrent replacement can never produce a torn read.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

MAX_PARTS = 10_000
READ_CHUNK = 1024 * 1024
#: Reads from one continuing stream: large, to keep Python's per-read work small.
STREAM_CHUNK = 16 * READ_CHUNK


@dataclass(frozen=True)
class Target:
    """One object: the client to use and where it lives."""

    client: Any
    bucket: str
    key: str


def plan_parts(size: int, part_size: int) -> list[tuple[int, int]]:
    """(offset, length) of each part: ``part_size`` each, the last one up to twice that.

    Folding the remainder into the last part means an object just over a part (a pickle
    of a 16 MiB payload is 16 MiB and a few bytes) is one part, not a part and a sliver.
    Parts grow if the object would need more than 10,000.
    """
    part_size = max(part_size, math.ceil(size / MAX_PARTS))
    count = max(1, size // part_size)
    last = (count - 1) * part_size
    return [(offset, part_size) for offset in range(0, last, part_size)] + [(last, size - last)]


def upload_multipart(
    target: Target,
    *,
    size: int,
    read_part: Callable[[int, int], bytes | io.RawIOBase],
    part_size: int,
    concurrency: int,
    extra: dict[str, Any],
    if_none_match: bool,
) -> dict[str, Any]:
    """Upload ``size`` bytes as a multipart object; nothing is visible until it completes.

    ``read_part(offset, length)`` supplies one part (bytes or a seekable file) and must be
    thread-safe.
    On any failure the upload is aborted so no orphaned parts are billed, and the error
    propagates (a precondition failure on completion included).
    """
    client, bucket, key = target.client, target.bucket, target.key
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]

    def send(numbered: tuple[int, tuple[int, int]]) -> dict[str, Any]:
        number, (offset, length) = numbered
        response = client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=read_part(offset, length),
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    try:
        parts = list(enumerate(plan_parts(size, part_size), start=1))
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(parts)))) as pool:
            completed = list(pool.map(send, parts))
        conditional = {"IfNoneMatch": "*"} if if_none_match else {}
        result: dict[str, Any] = client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": completed},
            **conditional,
        )
        return result
    except BaseException:
        # The original error is the one to report; a failed abort only leaves parts behind.
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def file_part_reader(fd: int) -> Callable[[int, int], bytes]:
    """A thread-safe ``read_part`` over an open file descriptor (``pread`` has no cursor)."""

    def read_part(offset: int, length: int) -> bytes:
        chunks: list[bytes] = []
        while length > 0:
            chunk = os.pread(fd, length, offset)
            if not chunk:
                raise OSError(f"file shrank while uploading (short read at byte {offset})")
            chunks.append(chunk)
            offset += len(chunk)
            length -= len(chunk)
        return b"".join(chunks)

    return read_part


def download(
    target: Target,
    *,
    part_size: int,
    concurrency: int,
    open_sink: Callable[[int], Callable[[int, bytes], None]],
    single_stream_rate: float = float("inf"),
) -> None:
    """Stream an object into a sink, in parallel ranges when it is larger than one part.

    ``open_sink(total_size)`` prepares the destination and returns ``write(offset, data)``,
    which must accept concurrent calls for disjoint ranges. The first part always comes
    from a plain GET; if it arrived at ``single_stream_rate`` bytes/s or faster, the rest
    is read from the same stream instead of in parallel ranges.
    """
    client, bucket, key = target.client, target.bucket, target.key
    response = client.get_object(Bucket=bucket, Key=key)
    total = int(response["ContentLength"])
    etag = response["ETag"]
    write = open_sink(total)
    body = response["Body"]
    if total <= part_size:
        data = body.read()  # one object, one read: as cheap as a plain get_object
        if len(data) != total:
            raise OSError(f"short read of s3://{bucket}/{key}: {len(data)} of {total} bytes")
        write(0, data)
        return
    started = time.perf_counter()
    first = _read_up_to(body, part_size)
    write(0, first)
    rate = len(first) / max(time.perf_counter() - started, 1e-9)
    if rate >= single_stream_rate:
        # The one connection is already as fast as this machine can use (a store on
        # the same host or rack): ranges would only add requests and contention.
        position = len(first)
        while position < total:
            chunk = body.read(min(STREAM_CHUNK, total - position))
            if not chunk:
                raise OSError(f"short read of s3://{bucket}/{key} at byte {position}")
            write(position, chunk)
            position += len(chunk)
        return
    body.close()  # the rest comes in parallel ranges; this connection is dropped

    def fetch(span: tuple[int, int]) -> None:
        offset, length = span
        ranged = client.get_object(
            Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}", IfMatch=etag
        )
        stream = ranged["Body"]
        position = offset
        while True:
            chunk = stream.read(4 * READ_CHUNK)
            if not chunk:
                break
            write(position, chunk)
            position += len(chunk)
        if position != offset + length:
            raise OSError(f"short ranged read of s3://{bucket}/{key} at byte {position}")

    rest = [
        (offset, min(part_size, total - offset)) for offset in range(len(first), total, part_size)
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(rest)))) as pool:
        list(pool.map(fetch, rest))


def _read_up_to(body: Any, length: int) -> bytes:
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = body.read(min(remaining, 4 * READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) != length:
        raise OSError(f"short read: expected {length} bytes, got {len(data)}")
    return data


def file_sink(fd: int) -> Callable[[int], Callable[[int, bytes], None]]:
    """A sink writing into an open file with ``pwrite`` (safe for disjoint concurrent ranges)."""

    def open_sink(total: int) -> Callable[[int, bytes], None]:
        os.ftruncate(fd, total)

        def write(offset: int, data: bytes) -> None:
            view = memoryview(data)
            while view:
                written = os.pwrite(fd, view, offset)
                view = view[written:]
                offset += written

        return write

    return open_sink
