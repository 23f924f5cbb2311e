"""Executing Argo Workflows at scale in flowc's Argo harness: a wide foreach and a
1,000-step chain, compiled by ``flowc compile --target argo`` and run pod by pod.

    .venv/bin/python benchmarks/argo_scale.py [--case foreach-1000 --case linear-1000 ...]
        [--pods 2] [--compare] [--profile 12] [--keep DIR] [--out FILE]

Cases: ``foreach-N`` (start → N trivial tasks → join → end, ``benchmarks/scale_flows.py``)
and ``linear-N`` (a chain of N steps). For each:

* ``flowc compile`` as a fresh process, the foreach with ``--option
  node_status_offload=true`` as a deployment running it sets (and once without, to show
  the FC309/FC310 figure the compiler reports), ``--option kind=Workflow`` so the harness
  can submit it, and a local datastore root (the harness's pods share this machine's
  filesystem, as pods sharing a volume would; FC306 says so);
* the Workflow run by ``tests/support/argo_harness.py``: every container a fresh
  ``python -m runtime_shim`` process, up to ``--pods`` children of a fan-out at once;
  wall time, the harness's own CPU, the pods' CPU (user + system of the children), per
  task, and the load average before and after;
* checks: every node succeeded, one pod per task, every task committed in the datastore,
  the join's total is the sum over every item; ``--compare``: the artifacts of every task
  (read through the client, ``runtime_shim.datastore``) equal a ``flowc run`` of the same
  flow;
* the Workflow object's ``status.nodes`` without offloading: rebuilt from the run's own
  nodes as the controller links them (``tests/support/argo_nodes.py``; the harness keeps
  its own records, not the controller's map), its compact JSON and gzip + base64 (the
  controller's ``compressedNodes``), against flowc's compile-time estimate
  (``backends/argo/_status.py``) and ``MAX_WORKFLOW_SIZE``;
* ``--profile N``: the harness's own work (its walk of the manifest with no pod run, one
  thread) by own time (cProfile), and one
  ``work`` pod of the run re-run in a fresh run under cProfile, in process
  (``FLOWC_SUPERVISE=0``, so the task's own work is in the profile; top N by cumulative
  time), beside the CPU of ``python -c pass`` and of importing the shim;
* ``--budget S``: stop starting pods S seconds into a run (the harness fails fast, the
  running pods finish), for a case too large for the time at hand: the row then says how
  far the run got. The node map is then built from a pass that walks the same manifest
  without running pods (``--shape-only``'s pass; at a width both can run, the two maps
  are checked to be the same size).

Prints Markdown. The packages are byte-compiled first: ``PYTHONDONTWRITEBYTECODE`` would
otherwise make every pod recompile what it imports (an image's installed packages come
compiled).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.scale_flows import linear_chain, wide_foreach  # noqa: E402

FLOWC = str(Path(sys.executable).with_name("flowc"))
SUFFIX = "b3nch"  # the five characters the controller appends to generateName
CASE = re.compile(r"^(foreach|linear)-(\d+)$")


def _budgeted() -> type[Any]:
    from tests.support.argo_harness import FAILED, Harness, NodeRecord

    @dataclass
    class Budgeted(Harness):
        """The harness, with no pod starting after ``deadline`` (``time.perf_counter``)."""

        deadline: float = float("inf")

        def _exec(
            self, template: dict[str, Any], record: NodeRecord
        ) -> tuple[str, dict[str, str], str]:
            if time.perf_counter() > self.deadline:
                return FAILED, {}, f"{record.path}: the benchmark's time budget ran out"
            result: tuple[str, dict[str, str], str] = super()._exec(template, record)
            return result

    return Budgeted


@dataclass
class Row:
    case: str
    compile_wall: float = 0.0
    default_diagnostics: str = ""
    pods: int = 0
    wall: float = 0.0
    harness_cpu: float = 0.0
    pods_cpu: float = 0.0
    load_before: str = ""
    load_after: str = ""
    phase: str = ""
    checks: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    pod_profile: str = ""
    shape_cpu: float = 0.0  # the harness's walk of the same manifest without pods (profiled)
    stopped: str = ""  # how far a run stopped by --budget got
    shape_only: bool = False  # the node map comes from the pass that runs no pod


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _flow(case: str) -> tuple[str, int, str]:
    """(kind, size, source) of a case name."""
    match = CASE.match(case)
    if not match:
        raise SystemExit(f"unknown case {case!r}: foreach-N or linear-N")
    kind, size = match[1], int(match[2])
    source = wide_foreach(size) if kind == "foreach" else linear_chain(size)
    return kind, size, source


def _compile(flow: Path, out: Path, work: Path, datastore: Path, options: list[str]) -> Any:
    argv = [FLOWC, "compile", str(flow.relative_to(work)), "--target", "argo", "-o", str(out)]
    argv += ["--datastore", str(datastore), "--option", "kind=Workflow"]
    for option in options:
        argv += ["--option", option]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True, check=False)
    return done, time.perf_counter() - start


def _fan_out_lines(stderr: str) -> str:
    return " ".join(line.strip() for line in stderr.splitlines() if re.search(r"FC3(09|10)", line))


def _artifacts(datastore: Path, flow: str, run: str) -> dict[str, dict[str, Any]]:
    from tests.support.runs import artifacts, local_store

    return artifacts(local_store(str(datastore)), flow, run)


def _check(row: Row, kind: str, size: int, flow: str, datastore: Path, run: str) -> Any:
    """Every task committed and the join saw every item; returns the artifacts."""
    found = _artifacts(datastore, flow, run)
    steps: dict[str, int] = {}
    for key in found:
        steps[key.split("/")[0]] = steps.get(key.split("/")[0], 0) + 1
    if kind == "foreach":
        expected = {"start": 1, "work": size, "join": 1, "end": 1}
        total = found.get(
            "join/_", next((v for k, v in found.items() if k.startswith("join/")), {})
        )
        want = sum(i * i for i in range(size))
        if total.get("total") == want:
            row.checks.append(f"join's total = sum of squares of all {size:,} items ({want:,})")
        else:
            row.failures.append(f"join's total {total.get('total')!r}, expected {want}")
    else:
        expected = {"start": 1, **{f"s{i}": 1 for i in range(1, size - 1)}, "end": 1}
        last = next((v for k, v in found.items() if k.startswith("end/")), {})
        if last.get("x") == size - 2:
            row.checks.append(f"end sees x = {size - 2} (set by the last of the chain)")
        else:
            row.failures.append(f"end's x is {last.get('x')!r}")
    if steps == expected:
        row.checks.append(f"{sum(steps.values()):,} tasks committed in the datastore")
    else:
        row.failures.append(f"committed tasks per step {steps} != {expected}")
    return found


def _compare(row: Row, flow_path: Path, work: Path, flow: str, found: Any) -> None:
    """``flowc run`` of the same flow: the same artifacts for every task."""
    local = work / "local-ds"
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [FLOWC, "run", str(flow_path.relative_to(work)), "--datastore", str(local), "-q"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        row.failures.append(f"flowc run failed: {done.stderr.strip()[-300:]}")
        return
    run = done.stdout.strip().splitlines()[-1]
    if _artifacts(local, flow, run) == found:
        row.checks.append(
            f"artifacts of all {len(found):,} tasks equal `flowc run`'s "
            f"(which took {wall:.1f} s, {cpu:.1f} s CPU)"
        )
    else:
        row.failures.append("artifacts differ from `flowc run`'s")


def _status(row: Row, manifest: dict[str, Any], result: Any, flow_path: Path, kind: str) -> None:
    """``result``: a harness run, or the size of a node map already measured."""
    from backends.argo._status import MAX_WORKFLOW_SIZE, status_size
    from flowc.compiler import analyze_file
    from tests.support.argo_nodes import NodeMapSize, measure, node_map

    size = result if isinstance(result, NodeMapSize) else measure(node_map(manifest, result))
    spec = len(json.dumps(manifest["spec"], separators=(",", ":")).encode())
    ir = analyze_file(str(flow_path)).ir
    assert ir is not None
    widths = {"start": int(CASE.match(row.case)[2])} if kind == "foreach" else {}  # type: ignore[index]
    estimate = status_size(ir, manifest["metadata"]["generateName"].rstrip("-"), widths)
    row.status = {
        "nodes": size.nodes,
        "raw": size.raw_bytes,
        "compressed": size.compressed_bytes,
        "spec": spec,
        "estimate_nodes": estimate.nodes,
        "estimate_raw": estimate.raw_bytes,
        "estimate_compressed": estimate.compressed_bytes,
        "limit": MAX_WORKFLOW_SIZE,
    }


def _cpu_of(argv: list[str], cwd: Path, runs: int = 5) -> float:
    """Median CPU (user + system) of a fresh process."""
    samples = []
    for _ in range(runs):
        before = _children_cpu()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        samples.append(_children_cpu() - before)
    return sorted(samples)[len(samples) // 2]


def _pod_profile(result: Any, work: Path, top: int) -> str:
    """The run's first ``work`` pod (or second step) again, in a fresh run, under cProfile."""
    pods = result.containers()
    first, second = pods[0].args, pods[1].args
    run = f"{result.name}-profile"

    def argv(args: list[str]) -> list[str]:
        out = list(args)
        out[out.index("--run-id") + 1] = run
        if "--foreach-count-out" in out:
            out[out.index("--foreach-count-out") + 1] = str(work / "profile-count")
        return out

    env = {**os.environ, "FLOWC_SUPERVISE": "0"}
    subprocess.run(argv(first), cwd=work, env=env, check=True, capture_output=True)
    target = argv(second)
    stats_file = work / "pod.prof"
    profiled = [target[0], "-m", "cProfile", "-o", str(stats_file), *target[1:]]
    subprocess.run(profiled, cwd=work, env=env, check=True, capture_output=True)
    text = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=text)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    python = target[0]
    flow_file = target[target.index("step") + 1]
    steps = {
        "a fresh `python -c pass`": "pass",
        "importing the shim's entry and task modules": "import runtime_shim.__main__, "
        "runtime_shim.task",
        "those and the flow file (its `from metaflow import ...`)": "import runtime_shim."
        f"__main__, runtime_shim.task, runpy; runpy.run_path({flow_file!r})",
    }
    costs = [
        f"{what}: {_cpu_of([python, '-c', code], work) * 1000:.0f} ms"
        for what, code in steps.items()
    ]
    for supervise in ("0", "1"):
        again = argv(second)
        again[again.index("--run-id") + 1] = f"{run}-{supervise}"
        first_again = argv(first)
        first_again[first_again.index("--run-id") + 1] = f"{run}-{supervise}"
        subprocess.run(first_again, cwd=work, check=True, capture_output=True)
        env = {**os.environ, "FLOWC_SUPERVISE": supervise}
        before = _children_cpu()
        subprocess.run(again, cwd=work, env=env, check=True, capture_output=True)
        label = "supervised (forked attempt)" if supervise == "1" else "in process"
        costs.append(f"the whole pod, {label}: {(_children_cpu() - before) * 1000:.0f} ms")
    head = "CPU (user + system; median of 5 where repeated): " + "; ".join(costs) + "\n\n"
    return head + _trim(text.getvalue())


def _trim(text: str) -> str:
    lines = text.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[max(start - 1, 0) :])


def _shape_map(manifest: dict[str, Any], folder: Path, name: str, size: int) -> Any:
    """The run's nodes from the harness's DAG walk with no pod run (start's count given)."""
    from tests.support.argo_nodes import WalkWithoutPods

    values = {"count": str(size)}
    return WalkWithoutPods(manifest, cwd=str(folder), workflow_name=name, values=values)


def run_case(
    case: str, work: Path, pods: int, compare: bool, top: int, budget: float | None
) -> Row:
    import yaml

    from tests.support.argo_nodes import measure, node_map

    budgeted = _budgeted()
    kind, size, source = _flow(case)
    row = Row(case)
    folder = work / case
    folder.mkdir(parents=True, exist_ok=True)
    flow_path = folder / f"{case.replace('-', '_')}.py"
    flow_path.write_text(source)
    datastore = folder / "argo-ds"
    offload = ["node_status_offload=true"] if kind == "foreach" else []
    done, row.compile_wall = _compile(flow_path, folder / "out", folder, datastore, offload)
    if done.returncode != 0:
        row.failures.append(f"compile failed: {done.stderr.strip()[-300:]}")
        return row
    default, _ = _compile(flow_path, folder / "out-default", folder, datastore, [])
    row.default_diagnostics = _fan_out_lines(default.stderr) or "none"
    text = next((folder / "out").glob("*.yaml")).read_text()
    manifest = next(yaml.safe_load_all(text))
    name = manifest["metadata"]["generateName"] + SUFFIX
    harness = budgeted(manifest, cwd=str(folder), workflow_name=name, pods=pods, timeout=600)
    row.load_before = _load()
    cpu, children = time.process_time(), _children_cpu()
    start = time.perf_counter()
    if budget is not None:
        harness.deadline = start + budget
    result = harness.submit()
    row.wall = time.perf_counter() - start
    row.harness_cpu = time.process_time() - cpu
    row.pods_cpu = _children_cpu() - children
    row.load_after = _load()
    row.phase = result.phase
    containers = [n for n in result.containers() if n.phase == "Succeeded"]
    row.pods = len(containers)
    expected_pods = size + 3 if kind == "foreach" else size
    flow = source.split("class ", 1)[1].split("(", 1)[0]
    # The harness's own work at this width, without the pods (one thread, so cProfile
    # sees all of it; the run's pods run in worker threads it would not see).
    shape = _shape_map(manifest, folder, name, size)
    profiler = cProfile.Profile()
    shape_cpu = time.process_time()
    profiler.enable()
    walked = shape.submit()
    profiler.disable()
    row.shape_cpu = time.process_time() - shape_cpu
    shaped = measure(node_map(manifest, walked))
    if top:
        text_out = io.StringIO()
        stats = pstats.Stats(profiler, stream=text_out)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        row.profile = _trim(text_out.getvalue())
    if "time budget ran out" in result.message:
        committed = _artifacts(datastore, flow, name)
        row.stopped = (
            f"stopped by the {budget:.0f} s budget after {row.pods:,} of {expected_pods:,} pods "
            f"({row.pods / expected_pods:.0%}); {len(committed):,} tasks committed; at "
            f"{row.wall / max(row.pods, 1):.2f} s per pod the whole run would take about "
            f"{row.wall / max(row.pods, 1) * expected_pods / 60:.0f} min here"
        )
        row.shape_only = True
        _status(row, manifest, shaped, flow_path, kind)
        return row
    if result.phase != "Succeeded" or any(n.phase != "Succeeded" for n in result.nodes):
        row.failures.append(f"run {result.phase}: {result.message}")
    elif row.pods != expected_pods:
        row.failures.append(f"{row.pods} pods ran, expected {expected_pods}")
    else:
        row.checks.append(f"all {row.pods:,} pods and {len(result.nodes):,} nodes succeeded")
    found = _check(row, kind, size, flow, datastore, name)
    if compare:
        _compare(row, flow_path, folder, flow, found)
    _status(row, manifest, result, flow_path, kind)
    if (row.status["nodes"], row.status["raw"]) == (shaped.nodes, shaped.raw_bytes):
        row.checks.append("the pass without pods gives a node map of the same size")
    else:
        row.failures.append(f"the pass without pods gives {shaped}, the run {row.status}")
    if top:
        row.pod_profile = _pod_profile(result, folder, top)
    return row


def render(rows: list[Row], args: argparse.Namespace) -> str:
    out = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores "
        f"shared with other jobs; up to {args.pods} pods at once.",
        "",
        "| case | compile | pods | wall | per task (wall) | pods' CPU | per task (CPU) | "
        "harness CPU | load before → after | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        n = max(r.pods, 1)
        verdict = "; ".join(r.checks) if not r.failures else "**" + "; ".join(r.failures) + "**"
        verdict = r.stopped or verdict
        out.append(
            f"| {r.case} | {r.compile_wall:.2f} s | {r.pods:,} | {r.wall:.1f} s | "
            f"{r.wall / n * 1000:.0f} ms | {r.pods_cpu:.1f} s | {r.pods_cpu / n * 1000:.0f} ms | "
            f"{r.harness_cpu:.1f} s | {r.load_before} → {r.load_after} | {verdict} |"
        )
    out += [
        "",
        "Node statuses of each run without offloading (`status.nodes` rebuilt from the run's "
        "nodes; compressed = gzip + base64, the controller's `compressedNodes`):",
        "",
        "| case | nodes | JSON | compressed | flowc's estimate (JSON / compressed) | "
        "spec | spec + JSON / + compressed vs MAX_WORKFLOW_SIZE | compiler, default options |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        s = r.status
        if not s:
            continue
        raw_total, packed_total = s["spec"] + s["raw"], s["spec"] + s["compressed"]
        verdict = (
            "fits uncompressed"
            if raw_total <= s["limit"]
            else "fits compressed"
            if packed_total <= s["limit"]
            else "**too large even compressed**"
        )
        estimate = (
            f"{s['estimate_raw']:,} ({s['estimate_raw'] / s['raw']:.3f}x) / "
            f"{s['estimate_compressed']:,} ({s['estimate_compressed'] / s['compressed']:.3f}x)"
        )
        case = f"{r.case} (from the pass without pods)" if r.shape_only else r.case
        out.append(
            f"| {case} | {s['nodes']:,} (estimate {s['estimate_nodes']:,}) | {s['raw']:,} | "
            f"{s['compressed']:,} | {estimate} | {s['spec']:,} | {raw_total:,} / "
            f"{packed_total:,} vs {s['limit']:,}: {verdict} | {r.default_diagnostics} |"
        )
    for r in rows:
        if r.profile:
            out += [
                "",
                f"The harness's own work for {r.case}: its walk of the manifest without pods "
                f"took {r.shape_cpu:.2f} s of CPU under cProfile; own time:",
                "",
                "```",
                r.profile,
                "```",
            ]
        if r.pod_profile:
            out += ["", f"One pod of {r.case}, cumulative:", "", "```", r.pod_profile, "```"]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="foreach-N or linear-N (repeatable)")
    parser.add_argument("--pods", type=int, default=2, help="children of a fan-out at once")
    parser.add_argument("--compare", action="store_true", help="against `flowc run`")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--budget", type=float, metavar="S", help="stop starting pods after S s")
    parser.add_argument("--keep", type=Path, help="write flows, manifests, datastores here")
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args()
    cases = args.case or ["foreach-1000", "linear-1000"]
    for package in ("flowc", "backends", "runtime_shim"):
        with contextlib.redirect_stdout(io.StringIO()):
            compileall.compile_dir(str(REPO / package), quiet=1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="argo-scale-"))
    rows = []
    for case in cases:
        rows.append(run_case(case, work, args.pods, args.compare, args.profile, args.budget))
        print(f"{case}: done, load {_load()}", file=sys.stderr)
    text = render(rows, args)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
