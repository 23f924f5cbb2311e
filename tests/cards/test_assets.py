"""The chart libraries the package bundles are the pinned ones, unchanged, with licences.

``tools/fetch_card_assets.py`` (run by the package build) checked each tarball's sha512
against its pin when it fetched; here the installed files are checked against the
manifest it wrote, and the manifest against the pins, so a stale or edited bundle fails.
"""

from __future__ import annotations

import hashlib
import json
import runpy
from pathlib import Path

from runtime_shim.cards.assets import VENDOR, chart_libraries

REPO = Path(__file__).resolve().parents[2]


def test_the_bundled_libraries_are_the_pinned_ones_with_their_licences() -> None:
    fetcher = runpy.run_path(str(REPO / "tools" / "fetch_card_assets.py"))
    assert fetcher["VENDOR"] == VENDOR
    assert fetcher["is_current"](), "stale card assets: python tools/fetch_card_assets.py"
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    names = [p["name"] for p in manifest["packages"]]
    assert names == ["vega", "vega-lite", "vega-embed"]
    for name in names:
        licence = (VENDOR / f"LICENSE-{name}").read_text()
        assert "Copyright" in licence and "Redistribution" in licence  # BSD-3-Clause
    for file, digest in manifest["files"].items():
        assert hashlib.sha256((VENDOR / file).read_bytes()).hexdigest() == digest
    libraries = chart_libraries()
    assert libraries is not None and len(libraries) == 3
    assert "vegaEmbed" in libraries[2] and libraries[0].startswith("!function")
