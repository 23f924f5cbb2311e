"""What every target's card test checks: the cards the tasks of a CardTargetsFlow run
(tests/cards/flows/card_targets.py) stored in the datastore, read through the layout
that ``get_cards`` reads (``runtime_shim.cards.store``), local or S3 alike."""

from __future__ import annotations

import json
from typing import Any

# Relative to the repository root, as the targets' harnesses take flow paths.
CARD_FLOW = "tests/cards/flows/card_targets.py"
HOSTILE = "<img src=x onerror=alert(1)>"


def check_cards(store: Any, run_id: str) -> None:
    """Assert the run's cards: the default card of start (DAG with start marked, escaped
    strings, its component, its final live data), the blank card of the join."""
    from runtime_shim.cards.live import data_filename
    from runtime_shim.cards.store import committed_cards, read_card
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(store, "CardTargetsFlow")
    start = committed_cards(ds, run_id, "start", "_")
    assert start is not None, "the start task is not committed"
    (default,) = [c for c in start if c.type == "default"]
    page = read_card(ds, default)
    assert "<g class='step current' data-step='start'>" in page, page[:2000]
    assert "data-step='join'" in page
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<strong>made on the target</strong>" in page
    assert "default-src 'none'" in page
    # The task derived the run's graph itself (no local runner wrote it) and kept it.
    graph = json.loads(store.get(f"{ds.run_prefix(run_id)}/graph.json"))
    assert [s["name"] for s in graph["steps"]] == ["start", "work", "join", "end"]
    data_key = default.key.rsplit("/", 1)[0] + "/" + data_filename(default.filename)
    data = json.loads(store.get(data_key))
    assert data["mode"] == "final" and "note" in data["components"]
    join = committed_cards(ds, run_id, "join", "_")
    assert join is not None
    (blank,) = [c for c in join if c.type == "blank"]
    assert blank.id == "summary" and "total <strong>6</strong>" in read_card(ds, blank)
