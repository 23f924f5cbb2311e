"""``--code-package URL``: run a flow from a package instead of code baked into the image.

The URL names a tarball built by ``flowc package`` (``…/<sha256>.tar.gz`` on S3 or a
local path). The package is downloaded once per machine into a cache directory
(``$FLOWC_CODE_PACKAGE_DIR``, default ``<tmp>/flowc-code-<uid>``), its bytes are checked
against the sha256 in its name, and it is extracted member by member with no absolute
paths, no '..', no links and no devices, into a directory that appears atomically, so
concurrent tasks on one machine share it and a crash never leaves half a package behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile

MANIFEST_NAME = ".flowc-package.json"
_NAME = re.compile(r"^([0-9a-f]{64})\.tar\.gz$")


class CodePackageError(Exception):
    """The package is missing, corrupt or unsafe; the message says which and where."""


def default_cache_dir() -> str:
    """``$FLOWC_CODE_PACKAGE_DIR``, else a per-user directory under the temp dir.

    Per user because an extracted package is trusted and imported: a shared directory
    would let another user of the machine plant code under a package's name.
    """
    configured = os.environ.get("FLOWC_CODE_PACKAGE_DIR")
    if configured:
        return configured
    user = os.getuid() if hasattr(os, "getuid") else "user"
    return os.path.join(tempfile.gettempdir(), f"flowc-code-{user}")


def fetch_code_package(url: str, dest_root: str) -> str:
    """Download, verify and extract the package; return the directory to import from."""
    match = _NAME.match(url.rstrip("/").rsplit("/", 1)[-1])
    if match is None:
        raise CodePackageError(
            f"code package URL {url!r} does not end in <sha256>.tar.gz (made by flowc package)"
        )
    sha = match.group(1)
    target = os.path.join(dest_root, sha)
    if os.path.isfile(os.path.join(target, MANIFEST_NAME)):
        return target  # extracted and verified earlier; directories appear atomically
    os.makedirs(dest_root, mode=0o700, exist_ok=True)
    fd, archive = tempfile.mkstemp(dir=dest_root, prefix=".download-")
    os.close(fd)
    staging = tempfile.mkdtemp(dir=dest_root, prefix=".extract-")
    try:
        _download(url, archive)
        actual = _sha256_file(archive)
        if actual != sha:
            raise CodePackageError(
                f"code package {url} is corrupt: its sha256 is {actual}, expected {sha}"
            )
        _extract(archive, staging, url)
        try:
            os.rename(staging, target)
        except OSError:
            if not os.path.isfile(os.path.join(target, MANIFEST_NAME)):
                raise  # not a concurrent extraction of the same package: a real failure
    finally:
        os.unlink(archive)
        shutil.rmtree(staging, ignore_errors=True)
    return target


def prepare(url: str, flow_file: str, dest_root: str | None = None) -> str:
    """Fetch the package, put it first on ``sys.path``; return the flow file inside it.

    ``flow_file`` is the path the spec was compiled with; it is looked up relative to the
    package root, then by the manifest's flow file, then by its base name.
    """
    directory = fetch_code_package(url, dest_root or default_cache_dir())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    candidates = []
    if not os.path.isabs(flow_file):
        candidates.append(flow_file)
    with open(os.path.join(directory, MANIFEST_NAME), encoding="utf-8") as handle:
        manifest = json.load(handle)
    recorded = str(manifest.get("flow_file", ""))
    if recorded and os.path.basename(recorded) == os.path.basename(flow_file):
        candidates.append(recorded)
    candidates.append(os.path.basename(flow_file))
    for candidate in candidates:
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    raise CodePackageError(
        f"code package {url} does not contain the flow file {flow_file!r} "
        f"(it was built for {recorded!r})"
    )


def _download(url: str, destination: str) -> None:
    if url.startswith("s3://"):
        from runtime_shim.datastore.errors import ObjectNotFound
        from runtime_shim.datastore.s3 import S3ObjectStore, parse_s3_url

        bucket, key = parse_s3_url(url)
        try:
            S3ObjectStore(bucket).get_to_file(key, destination)
        except ObjectNotFound:
            raise CodePackageError(f"code package {url} does not exist") from None
        return
    path = url[len("file://") :] if url.startswith("file://") else url
    try:
        shutil.copyfile(path, destination)
    except FileNotFoundError:
        raise CodePackageError(f"code package {url} does not exist") from None


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _extract(archive: str, destination: str, url: str) -> None:
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                _extract_member(tar, member, destination, url)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CodePackageError(f"code package {url} cannot be extracted: {exc}") from exc
    if not os.path.isfile(os.path.join(destination, MANIFEST_NAME)):
        raise CodePackageError(f"code package {url} has no {MANIFEST_NAME}; not made by flowc")


def _extract_member(tar: tarfile.TarFile, member: tarfile.TarInfo, root: str, url: str) -> None:
    name = member.name
    parts = name.split("/")
    if name.startswith("/") or ".." in parts or "\\" in name or ":" in parts[0]:
        raise CodePackageError(f"code package {url} has an unsafe path {name!r}")
    if member.isdir():
        os.makedirs(os.path.join(root, *parts), exist_ok=True)
        return
    if not member.isfile():
        raise CodePackageError(f"code package {url}: {name!r} is not a regular file")
    path = os.path.join(root, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    source = tar.extractfile(member)
    if source is None:
        raise CodePackageError(f"code package {url}: cannot read {name!r}")
    with source, open(path, "wb") as handle:
        shutil.copyfileobj(source, handle)
    os.chmod(path, 0o755 if member.mode & 0o100 else 0o644)
