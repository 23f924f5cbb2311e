"""The Workflow object's ``status.nodes`` of a run the harness executed, as the controller
would have recorded it: one status per pod, per DAG (the workflow's own and each fan-out
child's) and per fan-out's task group, linked the way Argo's ``workflow/controller/dag.go``
links them.

The harness plays the controller but keeps only its own records (tests/support/
argo_harness.py); this rebuilds the map from those records and the manifest's DAGs, so the
size flowc estimates at compile time (``backends/argo/_status.py``) can be checked against
the nodes of a real run instead of nodes generated from the estimate's own model:

* a DAG node's ``children`` are its root tasks' nodes, and its ``outboundNodes`` the
  outbound nodes of its leaf tasks (``updateOutboundNodesForTargetTasks``);
* a task with ``depends`` is a child of every outbound node of each task it depends on
  (``connectDependencies``); the outbound nodes of a pod are itself, of a task group the
  outbound nodes of each of its children, of a DAG its ``outboundNodes``;
* a fan-out (``withSequence``/``withParam``/``withItems``) is a TaskGroup node whose
  children are all its expanded tasks' nodes;
* every other field (ids, times, host, resources, inputs, exit code) is the estimate's
  ``node_status`` for the node's real name, template and input parameters.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import dataclass, field
from typing import Any

from backends.argo._status import node_status
from tests.support.argo_harness import SUCCEEDED, Harness, NodeRecord, RunResult
from tests.support.argo_templating import parse_depends

# A fan-out child's name: the task's, then "(index:item)" (an item without parentheses).
_EXPANDED = re.compile(r"^(.*)\((\d+):[^()]*\)$")


@dataclass(frozen=True)
class NodeMapSize:
    """The JSON bytes of ``status.nodes`` and what the controller's gzip + base64 makes of
    them (``status.compressedNodes``)."""

    nodes: int
    raw_bytes: int
    compressed_bytes: int


def _node_id(workflow: str, name: str) -> str:
    """Argo's ``NodeID``: the workflow's own node is named and identified by the workflow."""
    return workflow if name == workflow else node_status(workflow, name, "Pod", "", 0)["id"]


@dataclass
class _Builder:
    manifest: dict[str, Any]
    result: RunResult

    def __post_init__(self) -> None:
        spec = self.manifest["spec"]
        self.workflow = self.result.name
        self.templates = {t["name"]: t for t in spec["templates"]}
        self.records = {n.path: n for n in self.result.nodes}
        indexed: dict[str, list[tuple[int, str]]] = {}
        for path in self.records:
            match = _EXPANDED.match(path)
            if match:
                indexed.setdefault(match[1], []).append((int(match[2]), path))
        # In item order, as the controller expands them (the harness may finish them in any).
        self.expanded = {task: [p for _, p in sorted(kids)] for task, kids in indexed.items()}
        self.nodes: dict[str, dict[str, Any]] = {}
        self.outbound: dict[str, list[str]] = {}
        self.entry = spec["entrypoint"]

    def build(self) -> dict[str, dict[str, Any]]:
        self._dag(self.workflow, self.entry, self.workflow)
        return self.nodes

    def _add(
        self, name: str, kind: str, template: str, boundary: str, inputs: dict[str, str]
    ) -> dict[str, Any]:
        status = node_status(self.workflow, name, kind, template, len(self.nodes))
        status["id"] = _node_id(self.workflow, name)
        status["boundaryID"] = boundary
        status["children"] = []
        status.pop("inputs", None)
        if inputs:
            status["inputs"] = {"parameters": [{"name": k, "value": v} for k, v in inputs.items()]}
        self.nodes[status["id"]] = status
        return status

    def _dag(self, name: str, template: str, boundary: str) -> str:
        """The DAG node ``name`` and everything under it; returns its id."""
        record = self.records.get(name)
        node = self._add(name, "DAG", template, boundary, record.inputs if record else {})
        if name == self.workflow:
            node.pop("boundaryID")
        tasks = self.templates[template]["dag"]["tasks"]
        ids: dict[str, str] = {}
        depended_on: set[str] = set()
        for task in tasks:
            refs = parse_depends(task["depends"], {})[1] if task.get("depends") else set()
            depended_on |= refs
            task_id = self._task(f"{name}.{task['name']}", task, node["id"])
            if task_id is None:
                continue
            ids[task["name"]] = task_id
            parents = [node["id"]] if not refs else [o for r in refs for o in self._out(ids, r)]
            for parent in parents:
                self.nodes[parent]["children"].append(task_id)
        leaves = [t["name"] for t in tasks if t["name"] not in depended_on]
        node["outboundNodes"] = [o for leaf in leaves for o in self._out(ids, leaf)]
        self.outbound[node["id"]] = node["outboundNodes"]
        return str(node["id"])

    def _out(self, ids: dict[str, str], task: str) -> list[str]:
        return self.outbound.get(ids[task], []) if task in ids else []

    def _task(self, name: str, task: dict[str, Any], boundary: str) -> str | None:
        if any(key in task for key in ("withSequence", "withParam", "withItems")):
            children = self.expanded.get(name, [])
            if not children:
                return None if name not in self.records else self._leaf(name, task, boundary)
            group = self._add(name, "TaskGroup", task["template"], boundary, {})
            ids = [self._run(child, task, boundary) for child in children]
            group["children"] = ids
            self.outbound[group["id"]] = [o for i in ids for o in self.outbound[i]]
            return str(group["id"])
        if name not in self.records:
            return None  # never reached: a failure stopped the run before it
        return self._run(name, task, boundary)

    def _run(self, name: str, task: dict[str, Any], boundary: str) -> str:
        if "dag" in self.templates[task["template"]]:
            return self._dag(name, task["template"], boundary)
        return self._leaf(name, task, boundary)

    def _leaf(self, name: str, task: dict[str, Any], boundary: str) -> str:
        record = self.records[name]
        kind = "Pod" if record.args else "Skipped"
        node = self._add(name, kind, task["template"], boundary, record.inputs)
        node["phase"] = record.phase
        declared = self.templates[task["template"]].get("outputs", {}).get("parameters", [])
        if record.outputs and kind == "Pod":
            node["outputs"] = {
                "parameters": [
                    {
                        "name": p["name"],
                        "value": record.outputs[p["name"]],
                        "valueFrom": p["valueFrom"],
                    }
                    for p in declared
                    if p["name"] in record.outputs
                ],
                "exitCode": "0",
            }
        self.outbound[node["id"]] = [node["id"]]
        return str(node["id"])


def node_map(manifest: dict[str, Any], result: RunResult) -> dict[str, dict[str, Any]]:
    """``status.nodes`` of the harness's run ``result`` of ``manifest``, keyed by node id;
    a node without children has none listed (Go's ``omitempty``)."""
    nodes = _Builder(manifest, result).build()
    for node in nodes.values():
        if not node["children"]:
            del node["children"]
        if "outboundNodes" in node and not node["outboundNodes"]:
            del node["outboundNodes"]
    return nodes


@dataclass
class WalkWithoutPods(Harness):
    """The harness's DAG walk with no pod run: each container "succeeds" with the output
    values given (a foreach's ``count``), so the nodes (names, templates, inputs, fan-outs)
    are the harness's own, as a run would make them; for node maps only, never a figure of
    execution. At a width the pods can run, both give the same map (benchmarks/
    argo_scale.py checks it)."""

    values: dict[str, str] = field(default_factory=dict)

    def _exec(
        self, template: dict[str, Any], record: NodeRecord
    ) -> tuple[str, dict[str, str], str]:
        record.args = ["(not run)"]
        declared = template.get("outputs", {}).get("parameters", [])
        return SUCCEEDED, {p["name"]: self.values[p["name"]] for p in declared}, ""


GO_DEFAULT_COMPRESSION = 6  # gzip.NewWriter's level, as the controller compresses


def measure(nodes: dict[str, dict[str, Any]]) -> NodeMapSize:
    """The map's compact JSON (Go's encoding/json writes no spaces), and its gzip + base64."""
    ordered = {key: nodes[key] for key in sorted(nodes)}  # Go writes a map's keys sorted
    text = json.dumps(ordered, separators=(",", ":")).encode()
    packed = gzip.compress(text, compresslevel=GO_DEFAULT_COMPRESSION, mtime=0)
    return NodeMapSize(len(nodes), len(text), len(base64.b64encode(packed)))
