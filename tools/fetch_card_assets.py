"""Fetch the chart libraries cards inline (vega, vega-lite, vega-embed) from the npm registry.

    python tools/fetch_card_assets.py            # fetch when missing or not the pinned ones
    python tools/fetch_card_assets.py --check    # exit 1 unless the pinned files are present

Run by the package build (setup.py's build_py, so ``pip install`` and ``pip install -e``
run it) and by hand. Each package is downloaded with ``npm pack`` at the version pinned
below; its tarball must have the pinned integrity (the registry's sha512, as a lockfile
would pin it), so the same bytes land every time. From each tarball the minified UMD
bundle and the package's LICENSE are copied into ``runtime_shim/cards/assets/vendor/``
(not committed: a generated directory), with ``manifest.json`` naming the versions and
the sha256 of every file. Only the standard library and ``npm`` are needed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "runtime_shim" / "cards" / "assets" / "vendor"

# (package, version, tarball integrity, bundle inside the tarball, file name in VENDOR).
# Order matters: a page loads them in this order (vega-lite and vega-embed need vega).
PINNED = (
    (
        "vega",
        "6.4.0",
        "sha512-rHXCq2LpEWCLMjXBEj7hocY9G0/i5TGYRayGGSj06VTF4+l2IG2Z7oeZKCjWbUh/7hTE/mVhbaOPB72wCElh6g==",
        "package/build/vega.min.js",
        "vega.min.js",
    ),
    (
        "vega-lite",
        "6.5.0",
        "sha512-fMXF6s0MrIg0UTWnLIfeFtgSLzVhyzSKobzGrh5rhS+mL6FOYFG3m7ouJ4U23gj65EK+gl9FIIT5w7wLNaAzkA==",
        "package/build/vega-lite.min.js",
        "vega-lite.min.js",
    ),
    (
        "vega-embed",
        "7.3.0",
        "sha512-wQ8s5GaSzqoKgmRfbRolgBrjE2CP7ZKHXqH7NijxMqPjpdWxSs4Dn8tvp9g0giQvh2cK+3p56sxjWWM0wNngGw==",
        "package/build/vega-embed.min.js",
        "vega-embed.min.js",
    ),
)
MANIFEST = "manifest.json"


def expected_manifest_packages() -> list[dict[str, str]]:
    return [{"name": n, "version": v, "integrity": i} for n, v, i, _, _ in PINNED]


def is_current(vendor: Path = VENDOR) -> bool:
    """True when VENDOR holds the pinned packages' files, unchanged since fetched."""
    try:
        manifest = json.loads((vendor / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("packages") != expected_manifest_packages():
        return False
    for name, digest in manifest.get("files", {}).items():
        try:
            if hashlib.sha256((vendor / name).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(vendor: Path = VENDOR) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (needed to fetch the card chart libraries)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        specs = [f"{name}@{version}" for name, version, *_ in PINNED]
        subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", str(work), *specs],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=work,
        )
        staged = work / "vendor"
        staged.mkdir()
        files: dict[str, str] = {}
        for name, version, integrity, bundle, target in PINNED:
            tarball = work / f"{name}-{version}.tgz"
            found = _integrity(tarball)
            if found != integrity:
                raise RuntimeError(f"{name}@{version}: integrity {found} is not the pinned one")
            with tarfile.open(tarball) as archive:
                for member, out in ((bundle, target), ("package/LICENSE", f"LICENSE-{name}")):
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise RuntimeError(f"{name}@{version} has no {member}")
                    data = extracted.read()
                    (staged / out).write_bytes(data)
                    files[out] = hashlib.sha256(data).hexdigest()
        manifest = {
            "packages": expected_manifest_packages(),
            "scripts": [target for *_, target in PINNED],
            "files": dict(sorted(files.items())),
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if vendor.exists():
            shutil.rmtree(vendor)
        vendor.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(vendor))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, fetch nothing")
    parser.add_argument("--force", action="store_true", help="fetch even when current")
    args = parser.parse_args(argv)
    if args.check:
        current = is_current()
        print(f"card assets in {VENDOR}: {'current' if current else 'missing or stale'}")
        return 0 if current else 1
    if is_current() and not args.force:
        return 0
    fetch()
    print(f"card assets: fetched {', '.join(f'{n}@{v}' for n, v, *_ in PINNED)} into {VENDOR}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
