"""The chart libraries a card inlines, bundled with the package (``vendor/``).

``vendor/`` is made by ``tools/fetch_card_assets.py`` when the package is built (setup.py)
from the npm registry, with each library's LICENSE beside it; nothing is fetched when a
card is rendered or viewed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor"


@cache
def chart_libraries() -> tuple[str, ...] | None:
    """The scripts of vega, vega-lite and vega-embed in load order (None when not built)."""
    try:
        manifest = json.loads((VENDOR / "manifest.json").read_text())
        return tuple((VENDOR / n).read_text(encoding="utf-8") for n in manifest["scripts"])
    except (OSError, ValueError, KeyError):
        return None
