"""The chart libraries the package bundles are the locked ones, unchanged, with notices.

``tools/fetch_card_assets.py`` (run by the package build) installs them with ``npm ci``
from ``tools/card_assets/package-lock.json``, which pins every package's integrity; here
the installed files are checked against the manifest it wrote and the manifest against
the committed lockfile, so a stale or edited bundle fails.
"""

from __future__ import annotations

import hashlib
import json
import runpy
from pathlib import Path

from runtime_shim.cards.assets import VENDOR, chart_libraries

REPO = Path(__file__).resolve().parents[2]


def test_the_bundled_libraries_are_the_locked_ones_with_their_notices() -> None:
    fetcher = runpy.run_path(str(REPO / "tools" / "fetch_card_assets.py"))
    assert fetcher["VENDOR"] == VENDOR
    assert fetcher["is_current"](), "stale card assets: python tools/fetch_card_assets.py"
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    lock = json.loads((REPO / "tools" / "card_assets" / "package-lock.json").read_text())
    for name, version in manifest["versions"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for file, digest in manifest["files"].items():
        assert hashlib.sha256((VENDOR / file).read_bytes()).hexdigest() == digest
    notices = (VENDOR / "THIRD-PARTY-NOTICES.txt").read_text()
    # Every package of the locked tree is named, with its licence text.
    for path, entry in lock["packages"].items():
        if path:
            assert f"\n{path.rsplit('node_modules/', 1)[1]} {entry['version']} (" in notices
    assert "ships no licence" not in notices
    assert "University of Washington Interactive Data Lab" in notices  # vega's BSD-3
    assert "Mike Bostock" in notices  # d3's ISC
    libraries = chart_libraries()
    assert libraries is not None and len(libraries) == 3
    assert "vegaEmbed" in libraries[2] and libraries[0].startswith("!function")
