"""An object's bytes as a list of buffers that are never joined: a pickle without copies.

``pickle.Pickler`` writing to a file hands every large ``bytes``/``bytearray`` payload
(and, with protocol 5, every contiguous NumPy/PyArrow buffer) to ``write`` as the
object itself rather than copying it into the pickle. :class:`ChunkWriter` keeps those
references, so a 1 GB artifact is pickled, hashed and uploaded without the 1 GB copy
``pickle.dumps`` would make (and without doubling the task's memory). Stores read from
the chunks by offset: a local store writes them one after another, S3 copies one part at
a time into the request it sends.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Chunks:
    """Read-only bytes made of consecutive buffers; ``len()`` is the total size."""

    __slots__ = ("_ends", "_views")

    def __init__(self, buffers: list[memoryview]) -> None:
        self._views = [view for view in buffers if view.nbytes]
        self._ends: list[int] = []
        total = 0
        for view in self._views:
            total += view.nbytes
            self._ends.append(total)

    @classmethod
    def of(cls, data: bytes | bytearray | memoryview) -> Chunks:
        return cls([_flat(data)])

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @property
    def views(self) -> list[memoryview]:
        """The buffers in order (each a flat view of bytes, never empty)."""
        return list(self._views)

    def sha256(self) -> str:
        digest = sha256()
        for view in self._views:
            digest.update(view)
        return digest.hexdigest()

    def spans(self, offset: int, length: int) -> list[memoryview]:
        """Views of the bytes ``[offset, offset + length)`` without copying them."""
        end = min(offset + length, len(self))
        out: list[memoryview] = []
        index = bisect_right(self._ends, offset)
        while offset < end:
            view = self._views[index]
            start = self._ends[index] - view.nbytes
            take = min(end, self._ends[index]) - offset
            out.append(view[offset - start : offset - start + take])
            offset += take
            index += 1
        return out

    def read(self, offset: int, length: int) -> bytes:
        """The bytes ``[offset, offset + length)`` as one object (one copy of that range)."""
        spans = self.spans(offset, length)
        return spans[0].tobytes() if len(spans) == 1 else b"".join(spans)

    def join(self) -> bytes:
        return self.read(0, len(self))

    def reader(self, offset: int, length: int) -> SpanReader:
        """A seekable file over ``[offset, offset + length)`` (a request body, no copy)."""
        return SpanReader(self.spans(offset, length))


class SpanReader(io.RawIOBase):
    """A read-only, seekable file over views: each ``read`` copies only what it returns.

    An upload part sent from this is read in the HTTP client's small blocks (and once
    more for its checksums), so a part is never copied whole.
    """

    def __init__(self, views: list[memoryview]) -> None:
        super().__init__()
        self._data = Chunks(views)
        self._position = 0

    def __len__(self) -> int:
        return len(self._data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._data)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        remaining = len(self._data) - self._position
        size = remaining if size is None or size < 0 else min(size, remaining)
        if size <= 0:
            return b""
        data = self._data.read(self._position, size)
        self._position += size
        return data

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        filled = 0
        for view in self._data.spans(self._position, len(target)):
            target[filled : filled + view.nbytes] = view
            filled += view.nbytes
        self._position += filled
        return filled


class ChunkWriter:
    """A write-only file for ``pickle.Pickler``: keeps the buffers it is given, in order.

    Small writes (the pickler's frames, at most 64 KiB) are kept as they come; large ones
    are the caller's own objects, referenced, not copied. The value must therefore not
    change until the chunks have been stored, which holds for an artifact being saved.
    """

    def __init__(self) -> None:
        self._buffers: list[memoryview] = []

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = _flat(data)
        self._buffers.append(view)
        return view.nbytes

    def chunks(self) -> Chunks:
        return Chunks(self._buffers)


def _flat(data: object) -> memoryview:
    """A one-dimensional unsigned-byte view of any contiguous buffer (``PickleBuffer`` too)."""
    raw = getattr(data, "raw", None)  # PickleBuffer: C- or Fortran-contiguous alike
    view = raw() if raw is not None else memoryview(data)  # type: ignore[arg-type]
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    return view
