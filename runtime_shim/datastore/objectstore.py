"""The one storage primitive every datastore is built on: a flat key → bytes store.

The datastore layout (blobs, run records, task attempts, commit markers) is written once,
on top of this interface, so a local directory and an S3 bucket behave identically. An
implementation only has to provide these operations with the stated guarantees.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from runtime_shim.datastore.chunks import Chunks
from runtime_shim.datastore.errors import ObjectNotFound, ObjectStoreError

T = TypeVar("T")


class ByteStream(Protocol):
    """What :meth:`ObjectStore.read_stream` hands to its parser (``pickle.load`` needs these)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readinto(self, buffer: memoryview, /) -> int: ...

    def readline(self) -> bytes: ...


__all__ = ["ObjectNotFound", "ObjectStore", "ObjectStoreError"]


class ObjectStore(Protocol):
    """Keys are '/'-separated relative paths without a leading '/'."""

    url: str
    # Every call is a network round trip (S3): the layout skips lookups that cost more
    # than the work they might save.
    remote: bool

    def put(self, key: str, data: bytes, *, if_absent: bool = False) -> bool:
        """Store ``data`` under ``key`` atomically: readers see all of it or nothing.

        With ``if_absent`` the write happens only if no object exists yet (a conditional
        create); the return value says whether this call created it. Without it the
        object is replaced and the result is True.
        """

    def put_file(self, key: str, path: str, *, if_absent: bool = False) -> bool:
        """Like :meth:`put` from a local file, for large objects (may stream or split)."""

    def put_blob(self, key: str, data: Chunks) -> bool:
        """Store a content-addressed object: every writer of ``key`` writes the same bytes.

        Atomic like :meth:`put`. The store may skip the write when the object already
        exists and refuses to replace it where it can (so a reader's object never changes
        under it); the result says whether this call wrote it. ``data``'s buffers are
        written as they are, never joined into one copy.
        """

    def get(self, key: str) -> bytes:
        """The object's bytes; raises :class:`ObjectNotFound`."""

    def read_stream(self, key: str, parse: Callable[[ByteStream], T]) -> T:
        """``parse`` a binary stream of the object; raises :class:`ObjectNotFound`.

        The stream serves ``readinto`` of a large buffer straight from the file or the
        network (no intermediate copy). If the object is replaced while it is read, the
        store starts ``parse`` again on the new object rather than mixing the two.
        """

    def get_to_file(self, key: str, path: str) -> None:
        """Write the object to a local file without holding it all in memory."""

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]:
        """All keys under ``prefix`` (recursively), in sorted order."""

    def list_children(self, prefix: str) -> builtins.list[str]:
        """Names of the immediate children ("directories" and objects) under ``prefix/``."""
