"""What a default card adds to a task (goal: at most 50 ms), and where that time goes.

    .venv/bin/python benchmarks/cards.py [--rounds 15] [--profile benchmarks/cards.profile.txt]

Flows identical but for ``@card`` on ``start`` (a default card; variants add a Markdown
and a Table component, or a VegaChart, whose card inlines ~840 KB of chart libraries),
run with ``flowc run --local`` in alternating rounds.
The figure is the start task's own duration, from its ``meta.json`` (``started`` when the
shim began the attempt, ``finished`` after the cards were stored), so process start-up
and the runner's scheduling are left out. The start step sets twelve artifacts of the
usual kinds (numbers, strings, a 1,000-element list, a 200-entry dict, 50 KB of bytes, a
nested structure). Then one card of a finished run is rendered again in-process under
cProfile, and the profile's top entries (cumulative time) are written to ``--profile``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))

_FLOW = """
from metaflow import FlowSpec, card, current, step
{imports}

class {name}(FlowSpec):
    {decorator}
    @step
    def start(self):
        self.count = 42
        self.ratio = 0.25
        self.title = "benchmark <b>card</b>"
        self.numbers = list(range(1000))
        self.table = {{f"key{{i}}": i * i for i in range(200)}}
        self.blob = bytes(range(256)) * 200
        self.nested = {{"a": [{{"b": list(range(20))}} for _ in range(20)]}}
        self.flag = True
        self.empty = None
        self.words = ["alpha", "beta", "gamma"] * 30
        self.pair = (1, "two")
        self.big_text = "x" * 20000
        {components}
        self.next(self.end)

    @step
    def end(self):
        pass

if __name__ == "__main__":
    {name}()
"""

VARIANTS = {
    "no card": ("", "", ""),
    "default card": ("", "@card", ""),
    "default card + Markdown, Table": (
        "from metaflow.cards import Markdown, Table",
        "@card",
        'current.card.append(Markdown("# Numbers\\n\\nThe **first** ten."))\n'
        "        current.card.append(Table([[i, i * i] for i in range(10)], headers=['n', 'n2']))",
    ),
    "default card + VegaChart (inlined libs)": (
        "from metaflow.cards import VegaChart",
        "@card",
        "current.card.append(VegaChart({'mark': 'bar', 'data': {'values': [{'a': 1}]}}))",
    ),
}


def _write_flows(folder: Path) -> dict[str, Path]:
    paths = {}
    for i, (label, (imports, decorator, components)) in enumerate(VARIANTS.items()):
        name = f"CardBench{i}Flow"
        path = folder / f"card_bench_{i}.py"
        path.write_text(
            _FLOW.format(name=name, imports=imports, decorator=decorator, components=components)
        )
        paths[label] = path
    return paths


def _start_task_seconds(datastore: Path, flow: str, run_id: str) -> float:
    meta = json.loads(
        (datastore / flow / "runs" / run_id / "start" / "_" / "attempt-0" / "meta.json").read_text()
    )
    return float(meta["finished"]) - float(meta["started"])


def _run(path: Path, datastore: Path) -> str:
    proc = subprocess.run(
        [FLOWC, "run", str(path), "--datastore", str(datastore), "-q", "--local"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip().splitlines()[-1]


def measure(rounds: int, folder: Path) -> dict[str, list[float]]:
    paths = _write_flows(folder)
    datastore = folder / "ds"
    times: dict[str, list[float]] = {label: [] for label in paths}
    labels = list(paths)
    for r in range(rounds):
        order = labels if r % 2 == 0 else labels[::-1]
        for label in order:
            run_id = _run(paths[label], datastore)
            flow = f"CardBench{labels.index(label)}Flow"
            times[label].append(_start_task_seconds(datastore, flow, run_id))
    return times


def profile_render(folder: Path, out: Path) -> float:
    """Render the default card of the last benchmark run again, in-process, profiled."""
    from runtime_shim.cards.collector import CardComponentCollector
    from runtime_shim.cards.dag import run_graph
    from runtime_shim.cards.render import FinishedTask, TaskFacts, render_one
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(open_object_store(str(folder / "ds")), "CardBench1Flow")
    run_id = sorted(ds.list_runs())[-1]
    record = ds.committed(run_id, "start", "_")
    assert record is not None
    refs = ds.artifacts(run_id, "start", "_", record)
    pathspec = f"CardBench1Flow/{run_id}/start/start"
    profiler = cProfile.Profile()
    profiler.enable()
    collector = CardComponentCollector([{"type": "default"}])
    steps = run_graph(ds, run_id, None)
    task = FinishedTask(pathspec, refs, ds.load_value, facts=TaskFacts(graph_steps=steps))
    html = render_one(collector.slots[0], task, None)
    profiler.disable()
    assert html is not None
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    out.write_text(
        f"# cProfile of one default card render ({len(html)} bytes of HTML), "
        "benchmarks/cards.py\n" + text.getvalue().replace(f"{REPO}/", "")
    )
    return total


def measure_refresh(folder: Path, count: int = 200) -> tuple[float, float]:
    """Milliseconds per ``current.card.refresh(force=True)`` of a default card with a
    ProgressBar, a Markdown and a Table: (a data write only, a layout change as well)."""
    import time

    from runtime_shim.cards.collector import CardComponentCollector
    from runtime_shim.cards.components import Markdown, ProgressBar, Table
    from runtime_shim.cards.live import LiveCards
    from runtime_shim.cards.render import FinishedTask, RunningCards, TaskCards, TaskFacts
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(open_object_store(str(folder / "refresh")), "RefreshFlow")
    pathspec = "RefreshFlow/1/start/start"
    task = FinishedTask(pathspec, {}, ds.load_value, facts=TaskFacts(), finished=False)
    collector = CardComponentCollector([{"type": "default"}])
    live = LiveCards(TaskCards(ds, "1", "start", "_", 0), RunningCards(task, None))
    collector.go_live(live, pathspec, 0)
    bar = ProgressBar(max=count)
    collector.extend([bar, Markdown("**progress**"), Table([[1, 2]], headers=["a", "b"])])
    collector.refresh(force=True)  # the first one renders the page
    began = time.perf_counter()
    for i in range(count):
        bar.update(i)
        collector.refresh(force=True)
    data_only = (time.perf_counter() - began) / count * 1000
    began = time.perf_counter()
    for i in range(count // 10):
        collector.append(Markdown(f"line {i}"))
        collector.refresh(force=True)
    with_page = (time.perf_counter() - began) / (count // 10) * 1000
    return data_only, with_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--profile", type=Path, default=REPO / "benchmarks" / "cards.profile.txt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = measure(args.rounds, Path(tmp))
        base = statistics.median(times["no card"])
        print(f"start task duration, median of {args.rounds} runs:")
        for label, values in times.items():
            med = statistics.median(values)
            extra = "" if label == "no card" else f"  (+{(med - base) * 1000:.1f} ms)"
            print(f"  {label:40s} {med * 1000:7.1f} ms{extra}")
        total = profile_render(Path(tmp), args.profile)
        print(f"in-process render of one default card: {total * 1000:.1f} ms (profiled)")
        print(f"profile written to {args.profile}")
        data_only, with_page = measure_refresh(Path(tmp))
        print(
            f"current.card.refresh(): {data_only:.2f} ms (data only), "
            f"{with_page:.2f} ms (new component: the page too)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
