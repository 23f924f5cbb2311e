"""The HTML document around a card: stylesheet, content policy, bundled scripts.

A card is one self-contained file. Its ``Content-Security-Policy`` (a ``<meta>`` tag)
allows nothing from the network: images only as ``data:`` URLs, styles and scripts only
inline, and ``fetch`` only to the card's own origin (the live-update poll, see
``runtime_shim.cards.live``). So a card viewed offline shows everything, and a card that
somehow carried a hostile ``<img src=http://...>`` or ``<script src=...>`` could not load
it. Chart libraries are inlined from the package's bundled assets
(``runtime_shim.cards.assets``), and only into cards that draw a chart.
"""

from __future__ import annotations

import html

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# 'unsafe-eval': vega compiles its expression language with Function().
CONTENT_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline' 'unsafe-eval'; connect-src 'self'"
)

STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}"
    ".card-warning,.error{border-left:4px solid #c33;padding:0 1em;margin:1em 0}"
    ".meta th{background:#f4f4f4}.dag text{font:12px sans-serif}"
    ".value-box strong{font-size:1.6em}.missing-asset{color:#a60}"
)

# The marker of a chart component (``components.VegaChart``): a page that contains it
# gets the chart libraries and the script that draws every chart.
CHART_MARKER = "class='vega-chart'"

# Draws each ``<div class='vega-chart' data-spec=...>`` below ``root`` with vega-embed;
# the live-update script calls it again for components it replaced.
_CHART_SCRIPT = (
    "window.flowcDrawCharts=function(root){if(!window.vegaEmbed)return;"
    "root.querySelectorAll('.vega-chart').forEach(function(el){"
    "var spec=JSON.parse(el.getAttribute('data-spec'));"
    "vegaEmbed(el,spec,{actions:el.hasAttribute('data-controls'),renderer:'svg'})"
    ".catch(function(e){el.textContent=String(e)})})};"
    "flowcDrawCharts(document);"
)


def page(title: str, body: str, live: dict[str, Any] | None = None) -> str:
    """A complete HTML document around ``body`` (already escaped markup).

    ``live`` (``runtime_shim.cards.live.page_settings``) makes the page poll its data
    file and update its components in place; a card rendered at task end has none.
    """
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CONTENT_POLICY}\">"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
    )
    scripts = ""
    if CHART_MARKER in body:
        scripts += _chart_scripts()
    if live is not None:
        from runtime_shim.cards.live import poll_script

        head += (
            f"<meta name='flowc-card-data' content='{html.escape(live['data_url'])}'>"
            f"<meta name='flowc-card-token' content='{html.escape(live['reload_token'])}'>"
        )
        scripts += f"<script>{poll_script(live)}</script>"
    return f"{head}</head><body>{body}{scripts}</body></html>"


def _chart_scripts() -> str:
    from runtime_shim.cards.assets import chart_libraries

    libraries = chart_libraries()
    if libraries is None:
        # The package was built without its assets: say so on the page, keep the specs.
        return (
            "<p class='missing-asset'>Charts are not drawn: this flowc installation has no "
            "bundled chart libraries (build them with python tools/fetch_card_assets.py)."
            "</p>"
        )
    inlined = "".join(f"<script>{_script_text(source)}</script>" for source in libraries)
    return f"{inlined}<script>{_CHART_SCRIPT}</script>"


def _script_text(source: str) -> str:
    # A script element ends at the first "</script"; a bundle never needs that sequence.
    return source.replace("</script", "<\\/script")
