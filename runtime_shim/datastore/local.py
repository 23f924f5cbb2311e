"""``ObjectStore`` on a local directory (the default datastore, ``.flowc/``).

Atomicity comes from the filesystem: every object is written to a temporary file in the
target directory and then published with ``os.replace`` (overwrite) or ``os.link``
(create-if-absent, which fails if the name exists). Readers therefore see a whole object
or none, and two tasks racing to create the same key cannot both win.
"""

from __future__ import annotations

import builtins
import itertools
import os

from runtime_shim.datastore.errors import ObjectNotFound, ObjectStoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import TypeVar

    from runtime_shim.datastore.chunks import Chunks
    from runtime_shim.datastore.objectstore import ByteStream

    T = TypeVar("T")

_COUNTER = itertools.count()


class LocalObjectStore:
    """Keys map to files under ``root``; '/' in a key becomes a directory separator."""

    remote = False

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.url = self.root

    @classmethod
    def from_url(cls, url: str) -> LocalObjectStore:
        if url.startswith("file://"):
            url = url[len("file://") :]
        return cls(url)

    def _path(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ObjectStoreError(f"invalid key {key!r} for store {self.url}")
        return os.path.join(self.root, key)

    def _publish(self, tmp: str, path: str, if_absent: bool) -> bool:
        if not if_absent:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        return True

    def _tempfile(self, path: str) -> tuple[int, str]:
        # Unique per process and call; "tempfile" is not used because it is slow to import.
        directory, name = os.path.split(path)
        tmp = os.path.join(directory, f".tmp-{os.getpid()}-{next(_COUNTER)}-{name}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            return os.open(tmp, flags, 0o644), tmp
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
            return os.open(tmp, flags, 0o644), tmp

    def put(self, key: str, data: bytes, *, if_absent: bool = False) -> bool:
        path = self._path(key)
        if if_absent and os.path.exists(path):
            return False
        fd, tmp = self._tempfile(path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except BaseException:
            os.unlink(tmp)
            raise
        return self._publish(tmp, path, if_absent)

    def put_blob(self, key: str, data: Chunks) -> bool:
        """Written once: a stat skips a blob that is stored already (the same bytes)."""
        path = self._path(key)
        if os.path.exists(path):
            return False
        fd, tmp = self._tempfile(path)
        try:
            with os.fdopen(fd, "wb") as handle:
                for view in data.views:
                    handle.write(view)
        except BaseException:
            os.unlink(tmp)
            raise
        return self._publish(tmp, path, True)

    def put_file(self, key: str, path: str, *, if_absent: bool = False) -> bool:
        target = self._path(key)
        if if_absent and os.path.exists(target):
            return False
        fd, tmp = self._tempfile(target)
        os.close(fd)
        import shutil

        try:
            shutil.copyfile(path, tmp)
        except BaseException:
            os.unlink(tmp)
            raise
        return self._publish(tmp, target, if_absent)

    def get(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(f"{self.url}/{key}") from None

    def read_stream(self, key: str, parse: Callable[[ByteStream], T]) -> T:
        # Objects are replaced by rename, so an open file never changes under the reader.
        try:
            handle = open(self._path(key), "rb")  # noqa: SIM115 - closed below
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(f"{self.url}/{key}") from None
        with handle:
            return parse(handle)

    def get_to_file(self, key: str, path: str) -> None:
        import shutil

        try:
            shutil.copyfile(self._path(key), path)
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(f"{self.url}/{key}") from None

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def list(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        if os.path.isfile(base):
            yield prefix
            return
        found: builtins.list[str] = []
        for directory, _dirs, files in os.walk(base):
            rel = os.path.relpath(directory, self.root)
            for name in files:
                if not name.startswith(".tmp-"):
                    found.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
        yield from sorted(found)

    def list_children(self, prefix: str) -> builtins.list[str]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        try:
            return sorted(n for n in os.listdir(base) if not n.startswith(".tmp-"))
        except (FileNotFoundError, NotADirectoryError):
            return []
