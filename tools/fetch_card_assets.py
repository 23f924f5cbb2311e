"""Install the chart libraries cards inline (vega, vega-lite, vega-embed) from the npm registry.

    python tools/fetch_card_assets.py            # install when missing or stale
    python tools/fetch_card_assets.py --check    # exit 1 unless the installed files are current

Run by the package build (setup.py's build_py, so ``pip install`` and ``pip install -e``
run it) and by hand. ``tools/card_assets/package-lock.json`` pins every package of the
three libraries' dependency tree with its integrity hash; ``npm ci`` installs exactly
those bytes into ``tools/card_assets/node_modules``. From there this copies into
``runtime_shim/cards/assets/vendor/`` (generated, not committed):
- the three minified UMD bundles, in load order;
- ``THIRD-PARTY-NOTICES.txt``: name, version, licence and licence text of every package
  of the tree (the bundles contain d3 and other modules besides the three named ones);
- ``manifest.json``: the lockfile's sha256 and the sha256 of every file above.
Only the standard library and ``npm`` are needed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK_DIR = REPO / "tools" / "card_assets"
VENDOR = REPO / "runtime_shim" / "cards" / "assets" / "vendor"
# (package, bundle inside it, file name in VENDOR), in the order a page loads them:
# vega-lite and vega-embed expect vega (and vega-embed vega-lite) to be loaded first.
BUNDLES = (
    ("vega", "build/vega.min.js", "vega.min.js"),
    ("vega-lite", "build/vega-lite.min.js", "vega-lite.min.js"),
    ("vega-embed", "build/vega-embed.min.js", "vega-embed.min.js"),
)
MANIFEST = "manifest.json"
NOTICES = "THIRD-PARTY-NOTICES.txt"
_LICENCE_NAMES = ("license", "licence", "copying")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lock_digest() -> str:
    return _sha256((LOCK_DIR / "package-lock.json").read_bytes())


def is_current(vendor: Path = VENDOR) -> bool:
    """True when VENDOR was made from the committed lockfile and is unchanged since."""
    try:
        manifest = json.loads((vendor / MANIFEST).read_text())
        if manifest.get("lock_sha256") != lock_digest():
            return False
        return all(
            _sha256((vendor / name).read_bytes()) == digest
            for name, digest in manifest["files"].items()
        )
    except (OSError, ValueError, KeyError):
        return False


def _licence_text(folder: Path) -> str:
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.name.lower().startswith(_LICENCE_NAMES)
    )
    return "\n".join(p.read_text(encoding="utf-8", errors="replace").strip() for p in found)


def _notices(modules: Path, lock: dict[str, object]) -> str:
    packages = lock["packages"]
    assert isinstance(packages, dict)
    parts = [
        "Third-party software in flowc's card chart bundles (vega, vega-lite, vega-embed and\n"
        "their dependencies), from tools/card_assets/package-lock.json.\n"
    ]
    for path in sorted(p for p in packages if p.startswith("node_modules/")):
        entry = packages[path]
        name = path.rsplit("node_modules/", 1)[1]
        folder = modules.parent / path
        text = _licence_text(folder) if folder.is_dir() else ""
        parts.append(
            f"{'=' * 78}\n{name} {entry.get('version', '')} ({entry.get('license', 'unknown')})\n"
            f"{'=' * 78}\n{text or '(the package ships no licence file)'}\n"
        )
    return "\n".join(parts)


def install(vendor: Path = VENDOR) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (needed to fetch the card chart libraries)")
    subprocess.run(
        [npm, "ci", "--prefix", str(LOCK_DIR), "--ignore-scripts", "--no-audit", "--silent"],
        check=True,
    )
    modules = LOCK_DIR / "node_modules"
    lock = json.loads((LOCK_DIR / "package-lock.json").read_text())
    with tempfile.TemporaryDirectory(dir=vendor.parent if vendor.parent.exists() else None) as tmp:
        staged = Path(tmp) / "vendor"
        staged.mkdir()
        for package, bundle, target in BUNDLES:
            shutil.copyfile(modules / package / bundle, staged / target)
        (staged / NOTICES).write_text(_notices(modules, lock), encoding="utf-8")
        files = {p.name: _sha256(p.read_bytes()) for p in sorted(staged.iterdir())}
        versions = {p: lock["packages"][f"node_modules/{p}"]["version"] for p, _b, _t in BUNDLES}
        manifest = {
            "lock_sha256": lock_digest(),
            "versions": versions,
            "scripts": [target for *_, target in BUNDLES],
            "files": files,
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if vendor.exists():
            shutil.rmtree(vendor)
        vendor.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(vendor))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, install nothing")
    parser.add_argument("--force", action="store_true", help="install even when current")
    args = parser.parse_args(argv)
    if args.check:
        current = is_current()
        print(f"card assets in {VENDOR}: {'current' if current else 'missing or stale'}")
        return 0 if current else 1
    if is_current() and not args.force:
        return 0
    install()
    print(f"card assets: installed from {LOCK_DIR / 'package-lock.json'} into {VENDOR}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
