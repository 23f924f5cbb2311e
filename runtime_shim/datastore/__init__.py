"""Datastores: one layout (``layout``) over one storage primitive (``ObjectStore``).

``open_object_store(url)`` picks the implementation from the URL: a plain path or
``file://`` for a local directory, ``s3://bucket/prefix`` for S3 (boto3 is imported only
then).
"""

from __future__ import annotations

from runtime_shim.datastore.objectstore import ObjectNotFound, ObjectStore, ObjectStoreError

__all__ = ["ObjectNotFound", "ObjectStore", "ObjectStoreError", "open_object_store"]


def open_object_store(url: str) -> ObjectStore:
    if url.startswith("s3://"):
        from runtime_shim.datastore.s3 import S3ObjectStore

        return S3ObjectStore.from_url(url)
    from runtime_shim.datastore.local import LocalObjectStore

    return LocalObjectStore.from_url(url)
