"""``flow._graph`` and ``flow._current_step`` as Metaflow's flows and checkers read them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.runs import artifacts, local_store, run_local

FLOW = "tests/runtime/flows/graph_view.py"


@pytest.fixture
def graph_view(monkeypatch: pytest.MonkeyPatch) -> object:
    from runtime_shim.loader import load_flow_class

    monkeypatch.setattr(sys, "argv", ["graph_view.py"])
    cls = load_flow_class(FLOW, "GraphViewFlow")
    return cls(use_cli=False)


def test_node_types_follow_metaflow(graph_view: object) -> None:
    graph = graph_view._graph  # type: ignore[attr-defined]
    types = {node.name: node.type for node in graph}
    assert types == {
        "start": "split",
        "left": "foreach",
        "right": "split-switch",
        "each": "linear",
        "fast": "linear",
        "slow": "linear",
        "gather": "join",
        "rejoin": "linear",
        "meet": "join",
        "end": "end",
    }
    assert graph["meet"].in_funcs == {"gather", "rejoin"}
    assert graph["rejoin"].in_funcs == {"fast", "slow"}
    assert graph["right"].condition == "choice"
    assert graph["left"].matching_join == "gather"
    assert graph["each"].is_inside_foreach and not graph["fast"].is_inside_foreach
    assert "start" in graph and "nowhere" not in graph
    assert next(n.name for n in graph) == "start"


def test_current_step_is_none_outside_a_task(graph_view: object) -> None:
    assert graph_view._current_step is None  # type: ignore[attr-defined]


def test_tasks_read_their_graph_and_step(tmp_path: Path) -> None:
    code, run = run_local(FLOW, str(tmp_path))
    assert code == 0
    data = artifacts(local_store(str(tmp_path)), "GraphViewFlow", run)
    gather_seen, cases = next(v["seen"] for k, v in data.items() if k.startswith("meet/"))
    assert gather_seen == [("start", "split"), ("left", "items"), ("gather", ["each"])]
    assert cases == {"fast": "fast", "slow": "slow"}
