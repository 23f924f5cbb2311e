"""``metaflow.util``: the helpers of Metaflow's ``util`` module that flows and tests use."""

from __future__ import annotations

import os
import zlib
from base64 import b64decode, b64encode
from io import BytesIO

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, BinaryIO

__all__ = [
    "all_equal",
    "bytes_type",
    "compress_list",
    "decompress_list",
    "get_username",
    "is_stringish",
    "longest_common_prefix",
    "to_bytes",
    "to_fileobj",
    "to_unicode",
    "unicode_type",
]

unicode_type = str
bytes_type = bytes


def is_stringish(x: Any) -> bool:
    """True for ``str``, ``bytes`` and ``bytearray`` values (text or its encoding)."""
    return isinstance(x, (str, bytes, bytearray))


def to_unicode(x: Any) -> Any:
    """Bytes decoded as UTF-8; anything else unchanged."""
    if isinstance(x, (bytes, bytearray)):
        return bytes(x).decode("utf-8", errors="replace")
    return x


def to_bytes(x: Any) -> Any:
    """Text encoded as UTF-8, numbers as their decimal text; bytes unchanged."""
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    if isinstance(x, (int, float)):
        return str(x).encode("utf-8")
    return x


def to_fileobj(x: Any) -> BinaryIO:
    """A binary file object reading the bytes of ``x``."""
    return BytesIO(to_bytes(x))


def all_equal(items: Iterable[Any]) -> bool:
    """True if every item equals the first (and for no items)."""
    iterator = iter(items)
    try:
        first = next(iterator)
    except StopIteration:
        return True
    return all(item == first for item in iterator)


def get_username() -> str | None:
    """The user a run is attributed to (``METAFLOW_USER``, ``SUDO_USER``, ``USERNAME``,
    ``USER``; ``root`` does not count), or None."""
    for var in ("METAFLOW_USER", "SUDO_USER", "USERNAME", "USER"):
        value = os.environ.get(var)
        if value and value != "root":
            return value
    return None


def longest_common_prefix(items: list[str]) -> str:
    """The longest string every item starts with."""
    if not items:
        return ""
    shortest, longest = min(items), max(items)
    for position, char in enumerate(shortest):
        if longest[position] != char:
            return shortest[:position]
    return shortest


def compress_list(
    items: list[str],
    separator: str = ",",
    rangedelim: str = ":",
    zlibmarker: str = "!",
    zlibmin: int = 500,
) -> str:
    """``items`` as one string in Metaflow's list encoding.

    Plain ``a,b``; with a common prefix ``prefix:suffix1,suffix2``; from ``zlibmin``
    characters on, that text twice zlib-compressed, base64-encoded and marked with
    ``zlibmarker``. Items must not contain the separator, the delimiter or the marker.
    """
    from runtime_shim.exceptions import MetaflowInternalError

    for item in items:
        if any(mark in item for mark in (separator, rangedelim, zlibmarker)):
            raise MetaflowInternalError(
                f"Item '{item}' includes a delimiter character so it can't be compressed"
            )
    prefix = longest_common_prefix(items)
    if len(items) < 2 or not prefix:
        text = separator.join(items)
    else:
        text = prefix + rangedelim + separator.join(item[len(prefix) :] for item in items)
    if len(text) < zlibmin:
        return text
    packed = zlib.compress(zlib.compress(text.encode("utf-8")))
    return zlibmarker + b64encode(packed).decode("utf-8")


def decompress_list(
    text: str, separator: str = ",", rangedelim: str = ":", zlibmarker: str = "!"
) -> list[str]:
    """The items :func:`compress_list` encoded in ``text``."""
    if text.startswith(zlibmarker):
        text = zlib.decompress(zlib.decompress(b64decode(text[1:]))).decode("utf-8")
    if rangedelim in text:
        prefix, suffixes = text.split(rangedelim)
        return [prefix + suffix for suffix in suffixes.split(separator)]
    return text.split(separator)
