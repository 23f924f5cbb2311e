"""``ObjectStore`` on S3 or an S3-compatible server (``s3://bucket/prefix``).

The datastore layout is written once over :class:`~runtime_shim.datastore.ObjectStore`,
so this module only has to give S3 the same guarantees a local directory has:

* **atomic objects** — a ``PUT`` (or a multipart upload's completion) is all or nothing;
* **create-if-absent** — ``put(..., if_absent=True)`` sends ``If-None-Match: *``, so of
  two racing commits exactly one wins and the other is told so (never overwritten). A
  request retried after a lost response is recognised by a writer token in the object's
  metadata. Stores without conditional writes use the claim election in
  :mod:`runtime_shim.datastore.s3_claims` (``FLOWC_S3_CONDITIONAL_WRITES``);
* **large objects** — multipart, parallel uploads and parallel ranged reads
  (:mod:`runtime_shim.datastore.s3_transfer`), streamed to disk by ``get_to_file``;
* **clear errors** — missing bucket, rejected credentials and denied permissions are
  distinct :class:`ObjectStoreError` subclasses naming the URL and what to check.

Credentials and region come from boto3's standard chain; the endpoint from
``FLOWC_S3_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``. boto3 is
imported only when the first request is made, so importing this module is cheap.
"""

from __future__ import annotations

import builtins
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from runtime_shim.datastore.chunks import Chunks
from runtime_shim.datastore.errors import ObjectStoreError
from runtime_shim.datastore.objectstore import ByteStream
from runtime_shim.datastore.s3_claims import CLAIMS_DIR, Election, claim_and_put
from runtime_shim.datastore.s3_client import make_client, new_client, parse_s3_url
from runtime_shim.datastore.s3_errors import (
    CONFLICT_CODES,
    NOT_FOUND_CODES,
    PRECONDITION_CODES,
    UNSUPPORTED_CODES,
    bucket_not_found,
    error_code,
    translate,
)
from runtime_shim.datastore.s3_reader import S3Reader
from runtime_shim.datastore.s3_settings import MIB, S3Settings
from runtime_shim.datastore.s3_transfer import (
    Target,
    download,
    file_part_reader,
    file_sink,
    upload_multipart,
)

__all__ = ["S3ObjectStore", "make_client", "new_client", "parse_s3_url"]

WRITER_METADATA = "flowc-writer"
CONFLICT_RETRIES = 5
TORN_READ_RETRIES = 3
T = TypeVar("T")


class S3ObjectStore:
    """Keys live under ``s3://bucket/prefix/``; see the module docstring for guarantees."""

    remote = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        settings: S3Settings | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.settings = settings if settings is not None else S3Settings.from_env()
        self._client = client
        self._conditional = self.settings.conditional_writes != "off"
        self._bucket_checked = False
        # Whether one response delivered the last large read fast enough (None: no large
        # read yet); lets the next large get() read into one new bytes object.
        self._stream_fast: bool | None = None

    @classmethod
    def from_url(cls, url: str, settings: S3Settings | None = None) -> S3ObjectStore:
        bucket, prefix = parse_s3_url(url)
        return cls(bucket, prefix, settings=settings)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    @property
    def uses_conditional_writes(self) -> bool:
        """False once the store runs the claim election instead of ``If-None-Match``."""
        return self._conditional

    # -- keys and errors --------------------------------------------------------------

    def _object_key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ObjectStoreError(f"invalid key {key!r} for store {self.url}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, action: str, key: str, function: Callable[[], Any]) -> Any:
        try:
            return function()
        except ObjectStoreError:
            raise
        except Exception as exc:
            raise translate(
                exc, url=f"{self.url}/{key}", endpoint=self.settings.endpoint_url, action=action
            ) from exc

    def _target(self, key: str) -> Target:
        return Target(self.client, self.bucket, self._object_key(key))

    # -- writes -----------------------------------------------------------------------

    def put(self, key: str, data: bytes, *, if_absent: bool = False) -> bool:
        target = self._target(key)
        chunks = Chunks.of(data)

        def write(conditional: bool, extra: dict[str, Any]) -> None:
            if self._multipart(len(chunks)):
                upload_multipart(
                    target,
                    size=len(chunks),
                    read_part=chunks.reader,
                    part_size=self.settings.part_size,
                    concurrency=self.settings.max_concurrency,
                    extra=extra,
                    if_none_match=conditional,
                )
                return
            condition = {"IfNoneMatch": "*"} if conditional else {}
            target.client.put_object(
                Bucket=target.bucket, Key=target.key, Body=data, **condition, **extra
            )

        return self._store(key, write, if_absent=if_absent, large=self._multipart(len(chunks)))

    def put_file(self, key: str, path: str, *, if_absent: bool = False) -> bool:
        size = os.path.getsize(path)
        if not self._multipart(size):
            with open(path, "rb") as handle:
                return self.put(key, handle.read(), if_absent=if_absent)
        target = self._target(key)
        fd = os.open(path, os.O_RDONLY)
        try:

            def write(conditional: bool, extra: dict[str, Any]) -> None:
                upload_multipart(
                    target,
                    size=size,
                    read_part=file_part_reader(fd),
                    part_size=self.settings.part_size,
                    concurrency=self.settings.max_concurrency,
                    extra=extra,
                    if_none_match=conditional,
                )

            return self._store(key, write, if_absent=if_absent, large=True)
        finally:
            os.close(fd)

    def put_blob(self, key: str, data: Chunks) -> bool:
        """Write a content-addressed object once: ``If-None-Match`` where the store has it.

        A writer that finds the blob stored is refused without replacing it. Racing
        multipart completions may both succeed on a store that does not serialise them
        (SeaweedFS); the key is the content's hash, so every copy holds the same bytes
        and a reader that sees the object replaced starts over. Returns whether this
        writer stored it. Without conditional writes a plain put is enough.
        """
        size = len(data)
        # A multipart upload is refused only at its completion, after every part went up:
        # one HEAD first repays that. A single PUT is refused at once, so it goes straight.
        if self._multipart(size) and self.exists(key):
            return False
        target = self._target(key)

        def write(conditional: bool) -> None:
            if self._multipart(size):
                upload_multipart(
                    target,
                    size=size,
                    read_part=data.reader,
                    part_size=self.settings.part_size,
                    concurrency=self.settings.max_concurrency,
                    extra={},
                    if_none_match=conditional,
                )
                return
            condition = {"IfNoneMatch": "*"} if conditional else {}
            target.client.put_object(
                Bucket=target.bucket, Key=target.key, Body=data.reader(0, size), **condition
            )

        written: bool = self._call("write", key, lambda: self._write_once(write))
        return written

    def _write_once(self, write: Callable[[bool], None]) -> bool:
        from botocore.exceptions import ClientError

        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                write(self._conditional)
                return True
            except ClientError as exc:
                code = error_code(exc)
                if code in PRECONDITION_CODES:
                    return False  # stored already, the same bytes
                if code in CONFLICT_CODES and attempt < CONFLICT_RETRIES:
                    time.sleep(0.1 * 2**attempt)  # a racing write is in flight; it may fail
                    continue
                if code in UNSUPPORTED_CODES and self.settings.conditional_writes == "auto":
                    self._conditional = False
                    continue
                raise
        return False  # unreachable: the last attempt either returns or raises

    def _multipart(self, size: int) -> bool:
        """Multipart only pays with at least two parts: one part is three requests for one."""
        return size >= self.settings.multipart_threshold and size >= 2 * self.settings.part_size

    def _store(
        self,
        key: str,
        write: Callable[[bool, dict[str, Any]], None],
        *,
        if_absent: bool,
        large: bool,
    ) -> bool:
        """Run ``write(conditional, extra_args)`` with the create-if-absent protocol."""
        if not if_absent:
            self._call("write", key, lambda: write(False, {}))
            return True
        if large and self.exists(key):
            return False  # do not upload gigabytes only to be refused at completion
        token = uuid.uuid4().hex
        extra = {"Metadata": {WRITER_METADATA: token}}
        if self._conditional:
            created = self._call("write", key, lambda: self._conditional_put(key, write, extra))
            if created is not None:
                return bool(created)
        election = Election(
            client=self.client,
            bucket=self.bucket,
            claims_prefix=self._claims_prefix(key),
            settle=self.settings.claim_settle_seconds,
            stale=self.settings.claim_stale_seconds,
        )
        result: bool = self._call(
            "write",
            key,
            lambda: claim_and_put(
                election, exists=lambda: self.exists(key), write=lambda: write(False, extra)
            ),
        )
        return result

    def _conditional_put(
        self, key: str, write: Callable[[bool, dict[str, Any]], None], extra: dict[str, Any]
    ) -> bool | None:
        """True/False when the store decided; None when it cannot do conditional writes."""
        from botocore.exceptions import ClientError

        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                write(True, extra)
                return True
            except ClientError as exc:
                code = error_code(exc)
                if code in PRECONDITION_CODES:
                    # Ours if a retry of a request whose response was lost hit our own object.
                    token: str = extra["Metadata"][WRITER_METADATA]
                    return self._writer_token(key) == token
                if code in CONFLICT_CODES and attempt < CONFLICT_RETRIES:
                    time.sleep(0.1 * 2**attempt)  # a racing conditional write is in flight
                    continue
                if code in UNSUPPORTED_CODES and self.settings.conditional_writes == "auto":
                    self._conditional = False
                    return None
                raise
        return None  # unreachable: the last attempt either returns or raises

    def _writer_token(self, key: str) -> str | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception as exc:
            if error_code(exc) in NOT_FOUND_CODES:
                return None
            raise
        metadata: dict[str, str] = head.get("Metadata", {})
        return metadata.get(WRITER_METADATA)

    def _claims_prefix(self, key: str) -> str:
        base = f"{self.prefix}/{CLAIMS_DIR}" if self.prefix else CLAIMS_DIR
        return f"{base}/{key}/"

    # -- reads ------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        return self.read_stream(key, _read_all)

    def read_stream(self, key: str, parse: Callable[[ByteStream], T]) -> T:
        target = self._target(key)
        settings = self.settings

        def read() -> T:
            for attempt in range(TORN_READ_RETRIES + 1):
                reader = S3Reader(
                    target,
                    part_size=settings.part_size,
                    concurrency=settings.max_concurrency,
                    single_stream_rate=settings.single_stream_mb_per_s * MIB,
                    stream_fast=self._stream_fast,
                )
                try:
                    with reader:
                        result = parse(reader)
                    self._stream_fast = reader.stream_fast
                    return result
                except Exception as exc:
                    # 412 on a ranged read: the object was replaced mid-read; start over.
                    if error_code(exc) in PRECONDITION_CODES and attempt < TORN_READ_RETRIES:
                        continue
                    raise
            raise AssertionError("unreachable: the last attempt returns or raises")

        result: T = self._call("read", key, read)
        return result

    def get_to_file(self, key: str, path: str) -> None:
        target = self._target(key)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            self._call("read", key, lambda: self._download(target, file_sink(fd)))
            os.close(fd)
            fd = -1
            os.replace(tmp, path)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            os.unlink(tmp)
            raise

    def _download(self, target: Target, open_sink: Any) -> None:
        for attempt in range(TORN_READ_RETRIES + 1):
            try:
                download(
                    target,
                    part_size=self.settings.part_size,
                    concurrency=self.settings.max_concurrency,
                    open_sink=open_sink,
                    single_stream_rate=self.settings.single_stream_mb_per_s * MIB,
                )
                return
            except Exception as exc:
                # 412 on a ranged read: the object was replaced mid-read; start over.
                if error_code(exc) in PRECONDITION_CODES and attempt < TORN_READ_RETRIES:
                    continue
                raise

    def exists(self, key: str) -> bool:
        full = self._object_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=full)
        except Exception as exc:
            if error_code(exc) in NOT_FOUND_CODES:
                self._check_bucket_once(key)
                return False
            raise translate(
                exc, url=f"{self.url}/{key}", endpoint=self.settings.endpoint_url, action="check"
            ) from exc
        return True

    def _check_bucket_once(self, key: str) -> None:
        """A HEAD's bare 404 cannot tell a missing key from a missing bucket; ask once."""
        if self._bucket_checked:
            return
        url, endpoint = f"{self.url}/{key}", self.settings.endpoint_url
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            if error_code(exc) in NOT_FOUND_CODES or error_code(exc) == "NoSuchBucket":
                raise bucket_not_found(url=url, endpoint=endpoint, action="check") from exc
            raise translate(exc, url=url, endpoint=endpoint, action="check") from exc
        self._bucket_checked = True

    def list(self, prefix: str) -> Iterator[str]:
        directory = prefix.strip("/")
        base = self._directory(directory)
        keys = self._call("list", directory, lambda: sorted(self._list_keys(base)))
        if not keys and directory and self.exists(directory):
            keys = [directory]
        yield from keys

    def _list_keys(self, base: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in paginator.paginate(Bucket=self.bucket, Prefix=base):
            for entry in page.get("Contents", []):
                key = entry["Key"][strip:]
                if key and not key.endswith("/") and not key.startswith(CLAIMS_DIR + "/"):
                    yield key

    def list_children(self, prefix: str) -> builtins.list[str]:
        directory = prefix.strip("/")
        base = self._directory(directory)

        def children() -> list[str]:
            names: set[str] = set()
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    names.add(common["Prefix"][len(base) :].rstrip("/"))
                for entry in page.get("Contents", []):
                    names.add(entry["Key"][len(base) :])
            names.discard("")
            if not directory:
                names.discard(CLAIMS_DIR)
            return sorted(names)

        result: builtins.list[str] = self._call("list", directory, children)
        return result

    def _directory(self, directory: str) -> str:
        """The S3 prefix of a key directory ("" is the store root), ending with '/'."""
        if not directory:
            return f"{self.prefix}/" if self.prefix else ""
        return self._object_key(directory) + "/"

    def delete(self, key: str) -> None:
        """Remove one object (not part of the protocol; used by tests and tools)."""
        self._call(
            "delete",
            key,
            lambda: self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key)),
        )


def _read_all(stream: ByteStream) -> bytes:
    return stream.read()
