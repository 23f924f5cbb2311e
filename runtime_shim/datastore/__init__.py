"""Datastores: one layout (``layout``) over one storage primitive (``ObjectStore``).

``open_object_store(url)`` picks the implementation from the URL: a plain path or
``file://`` for a local directory, ``s3://bucket/prefix`` for S3 (boto3 is imported only
then).
"""

from __future__ import annotations

from runtime_shim.datastore.errors import ObjectNotFound, ObjectStoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from runtime_shim.datastore.objectstore import ObjectStore

__all__ = ["ObjectNotFound", "ObjectStore", "ObjectStoreError", "open_object_store"]


def __getattr__(name: str) -> object:
    # The protocol needs ``typing``; tasks only need the exceptions, so load it on demand.
    if name == "ObjectStore":
        from runtime_shim.datastore.objectstore import ObjectStore

        return ObjectStore
    raise AttributeError(f"module 'runtime_shim.datastore' has no attribute {name!r}")


def open_object_store(url: str) -> ObjectStore:
    if url.startswith("s3://"):
        from runtime_shim.datastore.s3 import S3ObjectStore

        return S3ObjectStore.from_url(url)
    from runtime_shim.datastore.local import LocalObjectStore

    return LocalObjectStore.from_url(url)
