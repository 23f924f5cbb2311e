"""Live cards: ``current.card.refresh()`` while the task runs.

Each refresh (at most one per ``@card(refresh_interval=S)`` seconds, 5 by default, unless
``force=True``; calls in between only keep the latest data) writes the card's *data file*
beside its card::

    ROOT/FLOW/runs/RUN/STEP/IDX/attempt-N/cards/TYPE[-ID]-HASH.html        the card
    ROOT/FLOW/runs/RUN/STEP/IDX/attempt-N/cards/TYPE[-ID]-HASH.data.json   its data

``{"render_seq": N, "reload_token": T, "mode": "refresh"|"final", "components": {ID:
HTML}, "user": DATA, "created_on": EPOCH, "data": ...}``: the rendered HTML of every
component that can be updated, by component id, the flow's ``refresh(data)``, and, as
Metaflow's ``Card.get_data()`` has it, ``data``: what the card type's ``refresh(task,
latest)`` returns for ``latest = {mode, component_update_ts, components, render_seq,
user}`` (``latest`` itself for a type without ``refresh``). The first refresh, and
any refresh after components were added or removed, also stores a runtime render of the
card (card types with ``RUNTIME_UPDATABLE``: ``default``, ``blank``) under the card's
own name. ``reload_token`` follows the card type's ``RELOAD_POLICY`` as in Metaflow
(``never``; ``always``: ``render-seq-N``; ``onchange``: its ``reload_content_token``; the
built-in cards name their set of components); the runtime card is rendered again whenever
the token changes, so the stored card always carries the data's token. At task end the
final card replaces it and the data file gets ``reload_token: "final"``.

A runtime card's script (``poll_script``) fetches the data file every ``interval_ms``,
from the URL in ``<meta name='flowc-card-data'>`` (the data file's name, relative to the
card's own URL) or from the card URL's ``?data=URL`` query parameter when a viewer serves
the data elsewhere (same origin only: the card's content policy allows no other). A
newer ``render_seq`` replaces each ``[data-component-id=ID]`` element's content; a
different ``reload_token`` reloads the page (the layout changed, or the final card is
there). docs/architecture.md#live-cards is the contract for viewers.
"""

from __future__ import annotations

import json
import sys
import time
from hashlib import sha256
from typing import Protocol

from runtime_shim.cards.store import CARD_SUFFIX, CARDS_DIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from runtime_shim.cards.collector import CardSlot
    from runtime_shim.cards.render import TaskCards

DATA_SUFFIX = ".data.json"
DEFAULT_REFRESH_INTERVAL = 5.0
FINAL_TOKEN = "final"


def data_filename(card_name: str) -> str:
    """``default-HASH.html`` -> ``default-HASH.data.json``."""
    return card_name[: -len(CARD_SUFFIX)] + DATA_SUFFIX


def layout_token(component_ids: list[str]) -> str:
    """The reload token of the built-in cards: it names their set of components."""
    return "layout-" + sha256("\n".join(component_ids).encode()).hexdigest()[:12]


class CardOps(Protocol):
    """What a live update asks of the card type (``runtime_shim.cards.render.RunningCards``)."""

    def runtime_html(self, slot: CardSlot, live: dict[str, Any]) -> str | None: ...

    def card_data(self, slot: CardSlot, latest: dict[str, Any]) -> Any: ...

    def reload_token(self, slot: CardSlot, latest: dict[str, Any]) -> str: ...


class LiveCards:
    """Writes the live versions of one task's cards (``current.card`` calls ``refresh``)."""

    def __init__(
        self, where: TaskCards, ops: CardOps, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.where = where
        self._ops = ops
        self._clock = clock

    def refresh(self, slot: CardSlot, force: bool) -> None:
        now = self._clock()
        interval = _interval(slot)
        if not force and slot.last_refresh is not None and now - slot.last_refresh < interval:
            return
        slot.last_refresh = now
        slot.render_seq += 1
        latest = self._latest(slot, "refresh")
        token = self._ops.reload_token(slot, latest)
        # The stored runtime card always carries the token of the latest data: a page
        # reloads when they differ, and finds the card that matches.
        if token != slot.reload_token:
            slot.reload_token = token
            content = self._ops.runtime_html(slot, page_settings(slot, token))
            if content is not None:
                self._put(slot.card_filename, content.encode("utf-8", errors="replace"))
        self._write_data(slot, latest, token)

    def finish(self, slot: CardSlot) -> None:
        """After the final render: tell open runtime pages to load the final card."""
        if slot.render_seq == 0:
            return
        slot.render_seq += 1
        self._write_data(slot, self._latest(slot, "final"), FINAL_TOKEN)

    def _latest(self, slot: CardSlot, mode: str) -> dict[str, Any]:
        """Metaflow's data for a card type's ``refresh``/``reload_content_token``."""
        return {
            "mode": mode,
            "component_update_ts": time.time(),
            "components": slot.runtime_data()["components"],
            "render_seq": slot.render_seq,
            "user": slot.user_data,
            "layout": slot.components.keys(),
        }

    def _write_data(self, slot: CardSlot, latest: dict[str, Any], token: str) -> None:
        record = {
            "render_seq": slot.render_seq,
            "reload_token": token,
            "mode": latest["mode"],
            "components": latest["components"],
            "user": slot.user_data,
            "created_on": latest["component_update_ts"],
            "data": self._ops.card_data(slot, latest),
        }
        data = json.dumps(record, sort_keys=True, default=str).encode()
        self._put(data_filename(slot.card_filename), data)

    def _put(self, name: str, data: bytes) -> None:
        w = self.where
        key = f"{w.ds.attempt_prefix(w.run, w.step, w.task_key, w.attempt)}/{CARDS_DIR}/{name}"
        try:
            w.ds.store.put(key, data)
        except Exception as exc:  # a live update never fails the task
            print(f"[@card WARNING] live card update not stored: {exc}", file=sys.stderr)


def _interval(slot: CardSlot) -> float:
    try:
        return float(slot.attributes.get("refresh_interval", DEFAULT_REFRESH_INTERVAL))
    except (TypeError, ValueError):
        return DEFAULT_REFRESH_INTERVAL


def page_settings(slot: CardSlot, token: str) -> dict[str, Any]:
    """What a runtime card's page needs to poll (``runtime_shim.cards.page.page``)."""
    interval_ms = max(1000, int(_interval(slot) * 1000))
    return {
        "data_url": data_filename(slot.card_filename),
        "reload_token": token,
        "interval_ms": interval_ms,
    }


def poll_script(settings: dict[str, Any]) -> str:
    """The runtime card's script: poll the data file, update components in place."""
    interval = int(settings["interval_ms"])
    return (
        "(function(){"
        "var meta=function(n){var m=document.querySelector('meta[name=\"'+n+'\"]');"
        "return m?m.getAttribute('content'):null};"
        "var token=meta('flowc-card-token'),seq=0,done=false;"
        "var url=new URL(new URLSearchParams(location.search).get('data')||"
        "meta('flowc-card-data'),location.href);"
        "function apply(d){if(!d||typeof d!=='object'||!(d.render_seq>seq))return;"
        "seq=d.render_seq;if(d.reload_token!==token){done=true;location.reload();return}"
        "var c=d.components||{};Object.keys(c).forEach(function(id){"
        "document.querySelectorAll('[data-component-id]').forEach(function(el){"
        "if(el.getAttribute('data-component-id')===id&&typeof c[id]==='string'){"
        "el.innerHTML=c[id];if(window.flowcDrawCharts)window.flowcDrawCharts(el)}})})}"
        "function poll(){if(done)return;fetch(url,{cache:'no-store'})"
        ".then(function(r){return r.ok?r.json():null}).then(apply,function(){})"
        f".then(function(){{setTimeout(poll,{interval})}})}}"
        "poll()})();"
    )
