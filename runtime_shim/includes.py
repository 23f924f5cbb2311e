"""Reading an ``IncludeFile`` value that names a copy captured at compile time.

``flowc compile`` stores each ``IncludeFile`` default in the datastore and passes the start
task a descriptor instead of the path (``flowc.includes``); this reads the stored bytes
back and checks them against the descriptor's sha256, so a deployed run sees what was
compiled, never a file of the image.
"""

from __future__ import annotations

import hashlib
import json

DESCRIPTOR_TYPE = "flowc-include"


def include_key(flow: str, sha256: str) -> str:
    """Where a captured file lives in the datastore (beside the flow's code packages)."""
    return f"{flow}/includes/{sha256}"


class IncludeError(Exception):
    """The captured copy is missing or does not match its hash."""


def descriptor_of(value: str) -> dict[str, object] | None:
    """The descriptor ``value`` holds, or None when it is a plain path."""
    if not value.startswith("{"):
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    if isinstance(document, dict) and document.get("type") == DESCRIPTOR_TYPE:
        return document
    return None


def load_captured(document: dict[str, object]) -> bytes:
    """The stored bytes of a descriptor, checked against its sha256."""
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.objectstore import ObjectStoreError

    url = str(document.get("url", ""))
    root, flow, folder, sha256 = [*url.rsplit("/", 3), "", "", ""][:4]
    if folder != "includes" or sha256 != document.get("sha256"):
        raise IncludeError(f"malformed include descriptor {json.dumps(document)}")
    try:
        data = open_object_store(root).get(include_key(flow, sha256))
    except (ObjectStoreError, OSError, KeyError) as exc:
        raise IncludeError(
            f"the captured copy of {document.get('path')!r} at {url} cannot be read: {exc}"
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise IncludeError(f"the captured copy at {url} does not match its sha256")
    return data
