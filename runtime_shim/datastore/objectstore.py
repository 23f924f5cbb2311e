"""The one storage primitive every datastore is built on: a flat key → bytes store.

The datastore layout (blobs, run records, task attempts, commit markers) is written once,
on top of this interface, so a local directory and an S3 bucket behave identically. An
implementation only has to provide these operations with the stated guarantees.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Protocol

from runtime_shim.datastore.errors import ObjectNotFound, ObjectStoreError

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

    def get(self, key: str) -> bytes:
        """The object's bytes; raises :class:`ObjectNotFound`."""

    def get_to_file(self, key: str, path: str) -> None:
        """Write the object to a local file without holding it all in memory."""

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]:
        """All keys under ``prefix`` (recursively), in sorted order."""

    def list_children(self, prefix: str) -> builtins.list[str]:
        """Names of the immediate children ("directories" and objects) under ``prefix/``."""
