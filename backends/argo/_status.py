"""How large a run's Workflow object grows: one node status per task, per foreach child.

Argo keeps the status of every node of a run (each pod, each DAG, each fan-out's task
group) in the Workflow object's ``status.nodes``. When the object's JSON passes the
controller's ``MAX_WORKFLOW_SIZE`` (1 MiB by default; below etcd's 1.5 MiB request limit)
the controller gzips the node statuses into ``status.compressedNodes``; when it is still
too large, the run fails ("workflow is longer than maximum allowed size") unless node
status offloading is on: ``persistence.nodeStatusOffLoad: true`` (with a Postgres or
MySQL database) in the workflow-controller-configmap (Argo's ``workflow/packer`` and
``docs/offloading-large-workflows.md``).

A node's status here has the fields the controller records for a succeeded pod, DAG or
task group (as in the statuses of Argo's own controller test data, e.g.
``workflow/controller/testdata/dag-exhausted-retries-xfail.yaml``): id, name, display
name, type, template, scope, phase, boundary, start and finish times, progress, resource
durations, host, inputs, exit code, children, and the links ``workflow/controller/dag.go``
makes: a task group lists every child of its fan-out, a DAG node its outbound nodes, a
fan-out child's DAG node its index input (the run's node map rebuilt from an executed run,
``tests/support/argo_nodes.py``, is the check). Each node is measured at the widest index
it can have; the compressed size is measured by gzipping a sample of the run's own nodes
(ids and times differ per node, as in a real run) and applying that ratio, then base64,
as the controller stores it. Both are estimates of a succeeded run without artifacts
(logs archived to an artifact repository add an ``outputs.artifacts`` entry per pod).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from backends.argo._names import body_template
from backends.fanout import FanOut
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR

MAX_WORKFLOW_SIZE = 1024 * 1024  # the controller's MAX_WORKFLOW_SIZE default
ETCD_REQUEST_LIMIT = 1536 * 1024
OFFLOAD_SETTING = "persistence.nodeStatusOffLoad: true"
_GENERATED_SUFFIX = 6  # generateName's "-" and five random characters
_SAMPLE = 400  # nodes per kind gzipped to measure the compression ratio


@dataclass(frozen=True)
class StatusSize:
    """The node statuses of one succeeded run: how many, their JSON bytes, and what the
    controller's gzip + base64 makes of them (estimated from a sample)."""

    nodes: int
    raw_bytes: int
    compressed_bytes: int


def _fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _time(n: int) -> str:
    return f"2026-12-02T{10 + n // 3600 % 12:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"


def node_status(
    workflow: str,
    name: str,
    kind: str,
    template: str,
    n: int,
    idx: str = "",
    widest: bool = False,
    children: tuple[str, ...] = (".next",),
    outbound: int = 0,
) -> dict[str, Any]:
    """The status Argo records for a succeeded node ``name`` of ``kind`` (Pod, DAG,
    TaskGroup); ``n`` varies the time, host and resource fields as a run does; ``idx`` is
    a pod's (or a fan-out child's DAG node's) index path input. ``widest``: every id with
    the most digits a hash can have. ``children``: the children's names, as suffixes of
    ``name``; ``outbound``: how many outbound nodes a DAG node lists."""

    def node_id(of: str) -> str:
        return f"{workflow}-{0xFFFFFFFF if widest else _fnv32a(of)}"

    display = name.rsplit(".", 1)[-1]
    status: dict[str, Any] = {
        "id": node_id(name),
        "name": name,
        "displayName": display,
        "type": kind,
        "templateName": template,
        "templateScope": f"local/{workflow}",
        "phase": "Succeeded",
        "boundaryID": node_id(name.rsplit(".", 1)[0]),
        "startedAt": _time(n),
        "finishedAt": _time(n + 7),
        "progress": "1/1",
        "resourcesDuration": {"cpu": 1 + n % 9, "memory": 7 + n % 90},
        "children": [node_id(name + child) for child in children],
    }
    if outbound:
        status["outboundNodes"] = [node_id(f"{name}.out{i}") for i in range(outbound)]
    if kind == "DAG" and idx:
        status["inputs"] = {"parameters": [{"name": "idx", "value": idx}]}
    if kind == "Pod":
        status["hostNodeName"] = f"ip-10-0-{n % 250}-{n % 199}.ec2.internal"
        status["inputs"] = {"parameters": [{"name": "idx", "value": idx}]}
        status["outputs"] = {"exitCode": "0"}
        status["taskResultSynced"] = True
    return status


@dataclass(frozen=True)
class _Kind:
    """Nodes of one kind and path in the run: ``count`` of them, at indices below
    ``widths`` per enclosing fan-out."""

    kind: str
    path: tuple[str, ...]  # enclosing fan-out task names
    leaf: str | None  # the task's name (None: the fan-out's own child DAG node)
    template: str
    count: int
    widths: tuple[int, ...]
    children: int = 1  # per node: a task group's is its fan-out's width
    outbound: int = 0  # per node: a DAG node's outbound nodes

    def name(self, workflow: str, indices: tuple[int, ...]) -> str:
        parts = [workflow]
        for fan, i in zip(self.path, indices, strict=True):
            parts.append(f"{fan}({i}:{i})")
        if self.leaf is not None:
            parts.append(self.leaf)
        return ".".join(parts)


def _kinds(ir: FlowIR, widths: Mapping[str, int]) -> Iterator[_Kind]:
    yield _Kind("DAG", (), None, ir.name.lower(), 1, (), outbound=1)
    for step in ir.steps:
        stack = tuple(step.foreach_stack)
        spans = tuple(widths.get(s, 1) for s in stack)
        count = 1
        for w in spans:
            count *= w
        yield _Kind("Pod", stack, step.name, step.name, count, spans)
        if step.transition == "foreach":
            width = widths.get(step.name, 1)
            fan = body_template(step.name)
            yield _Kind("TaskGroup", stack, fan, fan, count, spans, children=width)
            inner = (*spans, width)
            yield _Kind("DAG", (*stack, fan), None, fan, count * width, inner, outbound=1)


# A node number whose host and resource fields have their most digits.
_WIDEST_N = 150


def _children(kind: _Kind, limit: int) -> tuple[str, ...]:
    """A node's children as name suffixes: a task group's are its fan-out's children."""
    if kind.kind != "TaskGroup":
        return (".next",) * kind.children
    return tuple(f"({i}:{i})" for i in range(min(kind.children, limit)))


def _widest(kind: _Kind, workflow: str) -> dict[str, Any]:
    indices = tuple(w - 1 for w in kind.widths)
    name, idx = kind.name(workflow, indices), ".".join(map(str, indices))
    children = _children(kind, kind.children)
    return node_status(
        workflow, name, kind.kind, kind.template, _WIDEST_N, idx, True, children, kind.outbound
    )


def _sample(kind: _Kind, workflow: str, limit: int = _SAMPLE) -> Iterator[dict[str, Any]]:
    """The first ``limit`` nodes of the kind, each with its own index, id and times (a
    task group with its first ``limit`` children: the sample measures compression)."""
    children = _children(kind, limit)
    for n in range(min(kind.count, limit)):
        indices, rest = [], n
        for w in reversed(kind.widths):
            indices.append(rest % w)
            rest //= w
        ordered = tuple(reversed(indices))
        name, idx = kind.name(workflow, ordered), ".".join(map(str, ordered))
        yield node_status(
            workflow, name, kind.kind, kind.template, n, idx, False, children, kind.outbound
        )


def status_size(ir: FlowIR, workflow_name: str, widths: Mapping[str, int]) -> StatusSize:
    """The node statuses of a run of ``ir`` whose foreaches have ``widths`` (a foreach
    not in it counts one child); ``workflow_name`` is the template's name."""
    workflow = workflow_name + "-" + "x" * (_GENERATED_SUFFIX - 1)
    nodes = raw = 0
    sample: dict[str, Any] = {}
    for kind in _kinds(ir, widths):
        widest = _widest(kind, workflow)
        # "id": {...}, in the nodes map
        entry = len(json.dumps(widest, separators=(",", ":"))) + len(widest["id"]) + 4
        nodes += kind.count
        raw += kind.count * entry
        for node in _sample(kind, workflow):
            sample[node["id"]] = node
    text = json.dumps(sample, separators=(",", ":")).encode()
    ratio = len(gzip.compress(text)) / len(text)
    compressed = (int(raw * ratio) + 2) // 3 * 4  # base64 of the gzipped bytes
    return StatusSize(nodes, raw, compressed)


def check_status(
    ir: FlowIR, fans: list[FanOut], workflow_name: str, spec_bytes: int, offload: bool
) -> list[Diagnostic]:
    """FC309 when a run's Workflow object passes the controller's limit even with its
    node statuses compressed (and offloading is not declared on); FC310 when it fits
    only compressed. ``spec_bytes``: the JSON size of the rest of the object (the run
    keeps a copy of the template's spec)."""
    if not fans:
        return []
    size = status_size(ir, workflow_name, {f.step.name: f.width for f in fans})
    if spec_bytes + size.raw_bytes <= MAX_WORKFLOW_SIZE:
        return []
    widest = max(fans, key=lambda f: f.total or f.width)
    figures = (
        f"{widest.described()}: a run's Workflow object holds {size.nodes:,} node statuses, "
        f"about {size.raw_bytes:,} bytes ({size.compressed_bytes:,} gzipped and base64 "
        f"encoded) beside {spec_bytes:,} bytes of spec"
    )
    limit = (
        f"the workflow controller's MAX_WORKFLOW_SIZE ({MAX_WORKFLOW_SIZE:,} bytes, "
        f"below etcd's {ETCD_REQUEST_LIMIT:,}-byte request limit)"
    )
    if offload:
        return []
    if spec_bytes + size.compressed_bytes <= MAX_WORKFLOW_SIZE:
        return [
            diag(
                codes.FC310,
                f"{figures}; it fits {limit} only once the controller compresses the node statuses",
                widest.span,
                f"for wider runs, set {OFFLOAD_SETTING} in the workflow-controller-configmap",
            )
        ]
    return [
        diag(
            codes.FC309_ARGO_STATUS,
            f"{figures}; even compressed that passes {limit}, so the run fails without node "
            "status offloading",
            widest.span,
            f"set {OFFLOAD_SETTING} (with a Postgres or MySQL database) in the "
            "workflow-controller-configmap and compile with --option node_status_offload=true, "
            "or make the foreach narrower",
        )
    ]
