"""Code packages: a flow's directory as one deterministic, content-addressed tarball.

A task container can then run any flow with a plain image: the shim downloads the
package named by ``--code-package``, checks its sha256 (the name of the object), extracts
it and imports the flow from it (``runtime_shim.codepackage``).

Determinism is what makes the address useful: the same sources give the same bytes on
any machine and at any time, so re-packaging unchanged code uploads nothing new and a
compiled spec that names a package keeps naming the same code. Entries are sorted,
timestamps, owners and modes are fixed, and gzip's own header timestamp is zero.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Written at the root of every package; the shim reads it to find the flow file.
MANIFEST_NAME = ".flowc-package.json"
PACKAGE_FORMAT = 1
#: Names never packaged (matched against every path component), plus compiled files.
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "__pycache__",
    ".flowc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    "node_modules",
    "*.pyc",
    "*.pyo",
    ".DS_Store",
    MANIFEST_NAME,
)
GZIP_LEVEL = 9


class PackagingError(Exception):
    """The package cannot be built (missing flow file, bad root, nothing to package)."""


@dataclass(frozen=True)
class CodePackage:
    """A built package: its bytes, their sha256 and what went in."""

    data: bytes
    sha256: str
    flow_file: str
    files: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.sha256}.tar.gz"


def package_key(flow: str, sha256: str) -> str:
    """Where a flow's package lives in a datastore (next to its runs and blobs)."""
    return f"{flow}/packages/{sha256}.tar.gz"


def matches(relative: str, patterns: Iterable[str]) -> bool:
    """True if a '/'-separated relative path matches one of the glob patterns.

    A pattern without '/' is a name and matches any component (``*.csv``, ``data``);
    a pattern with '/' matches the whole path (``data/*.csv``; ``**`` is ``*``) or a
    leading directory of it (``data/raw``).
    """
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.strip("/").replace("**/", "*").replace("**", "*")
        if "/" not in pattern:
            if any(fnmatch.fnmatchcase(part, pattern) for part in parts):
                return True
            continue
        for end in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:end]), pattern):
                return True
    return False


def collect_files(root: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """Sorted relative paths of the regular files to package under ``root``.

    Everything not excluded is included unless ``include`` patterns are given, in which
    case a file must match one of them. Excluded directories are not even walked.
    """
    include = list(include)
    exclude = [*DEFAULT_EXCLUDES, *exclude]
    found: list[str] = []
    for directory, dirs, files in os.walk(root):
        relative_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if relative_dir == "." else f"{relative_dir}/"
        dirs[:] = sorted(d for d in dirs if not matches(prefix + d, exclude))
        for name in files:
            relative = prefix + name
            if matches(relative, exclude):
                continue
            if include and not matches(relative, include):
                continue
            if os.path.isfile(os.path.join(directory, name)):
                found.append(relative)
    return sorted(found)


def build_package(
    flow_file: str,
    *,
    root: str | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> CodePackage:
    """Package ``root`` (default: the flow file's directory); the flow file is always in."""
    flow_path = os.path.abspath(flow_file)
    if not os.path.isfile(flow_path):
        raise PackagingError(f"flow file not found: {flow_file}")
    root_path = os.path.abspath(root) if root else os.path.dirname(flow_path)
    if os.path.commonpath([root_path, flow_path]) != root_path:
        raise PackagingError(f"the package root {root_path} does not contain {flow_file}")
    flow_relative = os.path.relpath(flow_path, root_path).replace(os.sep, "/")
    files = collect_files(root_path, include, exclude)
    if flow_relative not in files:
        files = sorted([*files, flow_relative])
    entries = []
    for relative in files:
        path = os.path.join(root_path, *relative.split("/"))
        with open(path, "rb") as handle:
            content = handle.read()
        executable = bool(os.stat(path).st_mode & stat.S_IXUSR)
        entries.append((relative, content, executable))
    manifest = {
        "format": PACKAGE_FORMAT,
        "flow_file": flow_relative,
        "files": [
            {"path": rel, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            for rel, content, _ in entries
        ],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode() + b"\n"
    data = _tarball([(MANIFEST_NAME, manifest_bytes, False), *entries])
    return CodePackage(
        data=data, sha256=hashlib.sha256(data).hexdigest(), flow_file=flow_relative, files=files
    )


def _tarball(entries: list[tuple[str, bytes, bool]]) -> bytes:
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(
            filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=GZIP_LEVEL
        ) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, content, executable in entries:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = 0
            info.mode = 0o755 if executable else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def publish_package(package: CodePackage, datastore: str, flow: str) -> str:
    """Upload to ``datastore`` (unless already there) and return the package URL."""
    from runtime_shim.datastore import open_object_store

    store = open_object_store(datastore)
    key = package_key(flow, package.sha256)
    if not store.exists(key):
        store.put(key, package.data, if_absent=True)
    return f"{store.url.rstrip('/')}/{key}"
