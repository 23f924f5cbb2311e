"""The controller's node map rebuilt from a harness run (tests/support/argo_nodes.py), and
the harness running a fan-out's children several at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from backends.argo import BACKEND
from backends.argo._status import status_size
from backends.base import TargetOptions
from flowc.compiler import analyze_source
from tests.argo.test_argo_status import FLOW
from tests.support.argo_harness import Harness
from tests.support.argo_nodes import measure, node_map


def _fan_out(code: str, count: int) -> dict[str, Any]:
    """A workflow fanning ``count`` children out over a container running ``code``."""
    child = {
        "name": "child",
        "inputs": {"parameters": [{"name": "i"}]},
        "container": {"image": "python", "command": ["python", "-c", code]},
    }
    fan = {
        "name": "fan",
        "template": "child",
        "withSequence": {"count": str(count)},
        "arguments": {"parameters": [{"name": "i", "value": "{{item}}"}]},
    }
    main = {"name": "main", "dag": {"tasks": [fan]}}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "t-"},
        "spec": {"entrypoint": "main", "templates": [main, child]},
    }


def test_children_run_two_at_a_time(tmp_path: Path) -> None:
    code = "import time; time.sleep(0.3)"
    result = Harness(_fan_out(code, 4), cwd=str(tmp_path), pods=2).submit()
    assert result.phase == "Succeeded"
    assert sorted(n.path for n in result.containers()) == [
        f"wf-test.fan({i}:{i})" for i in range(4)
    ]
    assert all(n.inputs == {"i": n.path[-2]} for n in result.containers())


def test_no_child_starts_after_a_failure(tmp_path: Path) -> None:
    code = "import sys, time; time.sleep(0.2); sys.exit(int('{{inputs.parameters.i}}') == 1)"
    result = Harness(_fan_out(code, 8), cwd=str(tmp_path), pods=2).submit()
    assert result.phase == "Failed"
    assert "wf-test.fan(1:1): exit code 1" in result.message
    started = {n.path for n in result.containers()}
    # 0 and 1 run together; at most 2 starts beside 1 before its failure is seen.
    assert {"wf-test.fan(0:0)", "wf-test.fan(1:1)"} <= started
    assert len(started) <= 4


def test_node_map_of_a_real_run(tmp_path: Path) -> None:
    width = 3
    source = FLOW.format(items=f"range({width})")
    (tmp_path / "wide.py").write_text(source)
    ir = analyze_source("wide.py", source).ir
    assert ir is not None
    options = TargetOptions(datastore_root=str(tmp_path / "ds"), extra={"kind": "Workflow"})
    manifest = yaml.safe_load(BACKEND.emit(ir, options).files[0].content)
    harness = Harness(manifest, cwd=str(tmp_path), workflow_name="wideflow-abcde", pods=2)
    result = harness.submit()
    assert result.phase == "Succeeded", result.message
    nodes = node_map(manifest, result)
    assert len(nodes) == status_size(ir, "wideflow", {"start": width}).nodes == 2 * width + 5
    by_name = {n["name"].removeprefix("wideflow-abcde"): n for n in nodes.values()}
    root, start, group = by_name[""], by_name[".start"], by_name[".start-foreach"]
    join, end = by_name[".join"], by_name[".end"]
    assert (root["type"], root["id"], root["outboundNodes"]) == (
        "DAG",
        "wideflow-abcde",
        [end["id"]],
    )
    assert root["children"] == [start["id"]] and start["children"] == [group["id"]]
    assert group["type"] == "TaskGroup"
    kids = [by_name[f".start-foreach({i}:{i})"] for i in range(width)]
    assert group["children"] == [k["id"] for k in kids]  # item order, whatever finished first
    for i, kid in enumerate(kids):
        work = by_name[f".start-foreach({i}:{i}).work"]
        assert kid["children"] == kid["outboundNodes"] == [work["id"]]
        assert work["boundaryID"] == kid["id"] and work["children"] == [join["id"]]
        assert work["inputs"] == kid["inputs"] == {"parameters": [{"name": "idx", "value": str(i)}]}
    assert join["children"] == [end["id"]] and "children" not in end
    assert start["outputs"]["parameters"][0]["value"] == str(width)
    size = measure(nodes)
    assert size.nodes == len(nodes) and 0 < size.compressed_bytes < size.raw_bytes
