"""Benchmark: how a local run scales with the width of a foreach of trivial tasks.

    .venv/bin/python benchmarks/local_scale.py                       # 100, 1,000, 10,000
    .venv/bin/python benchmarks/local_scale.py --widths 100 1000 --repeat 5
    .venv/bin/python benchmarks/local_scale.py --metaflow-python /tmp/mfvenv/bin/python \
        --metaflow-widths 100 1000 [--metaflow-only]
    git archive REV | tar -x -C /tmp/base      # then, alongside that revision:
    .venv/bin/python benchmarks/local_scale.py --baseline /tmp/base --baseline-label REV

Runs ``flowc run --local tests/runtime/flows/wide.py --width N`` (start → N square tasks →
join → end) ``--repeat`` times per width into a fresh datastore each time and reports
the best and the median wall time, the CPU time of all processes, the runner's own CPU
time and peak RSS, and what the run left in the datastore: bytes on disk (blocks, as
``du`` counts them, directories included), files, empty files, per task.

With ``--metaflow-python``, Metaflow runs the same flow at ``--metaflow-widths`` with the
same ``--max-workers`` (``_metaflow_local.py``), and its figures are stored in
``local_scale.metaflow.json``; without it, the stored figures are shown beside flowc's
(read when the report is written, so a ``--metaflow-only`` run may go on meanwhile).
``--save-figures`` keeps flowc's measured figures and ``--render-figures`` writes the
report from them again without running anything.

The profile (``local_scale.profile.txt``) says where a task's time goes: the same
trivial task run in-process, forked from a fork server preloaded as the runner's is, and
a bare fork of that server; and the runner's own profile of a 1,000-wide run
(pyinstrument, if installed); and Metaflow's: the CPU its task processes pay before a
step's code, and cProfile of its runtime process.

Writes ``benchmarks/local_scale.md`` and the profile (and prints them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import _metaflow_local

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WIDE = os.path.join(ROOT, "tests/runtime/flows/wide.py")
# The runner, reporting its own CPU time and peak RSS (its children are not in them).
RUNNER = """
import atexit, json, resource, runpy, sys
path = sys.argv.pop(1)
def report():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(path, "w") as handle:
        json.dump({"cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss}, handle)
atexit.register(report)
sys.argv[0] = "flowc"
runpy.run_module("flowc.cli", run_name="__main__")
"""


def disk_usage(root: str) -> dict[str, int]:
    """Blocks on disk (directories included), apparent bytes, files and empty files."""
    blocks = apparent = files = empty = 0
    for directory, _dirs, names in os.walk(root):
        blocks += os.lstat(directory).st_blocks * 512
        for name in names:
            stat = os.lstat(os.path.join(directory, name))
            blocks += stat.st_blocks * 512
            apparent += stat.st_size
            files += 1
            empty += stat.st_size == 0
    return {"disk": blocks, "bytes": apparent, "files": files, "empty": empty}


def run_flowc(
    width: int, scratch: str, workers: int, root: str = ROOT
) -> tuple[dict[str, float], dict[str, int]]:
    """One run of flowc from the checkout at ``root`` (another one: a baseline)."""
    datastore = os.path.join(scratch, f"ds-{width}")
    shutil.rmtree(datastore, ignore_errors=True)
    stats = os.path.join(scratch, "runner.json")
    flow = os.path.join(root, os.path.relpath(WIDE, ROOT))
    argv = [sys.executable, "-c", RUNNER, stats, "run", "--local", flow, "-q"]
    argv += ["--datastore", datastore, "--max-workers", str(workers), "--width", str(width)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    # cwd first on sys.path: the checkout at root is what runs, not the installed one
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"width {width} failed:\n{done.stdout}\n{done.stderr}")
    with open(stats, encoding="utf-8") as handle:
        runner = json.load(handle)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    usage = disk_usage(datastore)
    shutil.rmtree(datastore, ignore_errors=True)
    return {
        "wall": wall,
        "cpu": cpu,
        "runner_cpu": runner["cpu"],
        "rss_kb": runner["rss_kb"],
    }, usage


# Runs in a fresh interpreter: ``python -c PROBE DATASTORE RUN SPOOL N``. One trivial
# ``square`` task of a run whose start has committed, three ways; prints JSON.
PROBE = """
import cProfile, io, json, os, pstats, resource, sys
from runtime_shim.forkserver import preload
from runtime_shim.supervisor import supervise_externally
datastore, run, spool, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
flow = sys.argv[5]
preload(flow, "WideFlow")
supervise_externally(spool)
os.environ["FLOWC_TASK_ECHO"] = "0"
from runtime_shim.__main__ import main
def argv(i, attempt):
    return ["step", flow, "--flow", "WideFlow", "--step", "square", "--inputs",
            "enter:start", "--run-id", run, "--index-path", str(i), "--attempt",
            str(attempt), "--datastore", datastore]
def usage(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime, u.ru_minflt
main(argv(0, 0))  # warm: what the server's first child would leave imported is imported
def forked(body, first):
    cpu, faults = usage(resource.RUSAGE_CHILDREN)
    for i in range(first, first + count):
        pid = os.fork()
        if pid == 0:
            os._exit(body(i))
        os.waitpid(pid, 0)
    cpu2, faults2 = usage(resource.RUSAGE_CHILDREN)
    return (cpu2 - cpu) * 1000 / count, (faults2 - faults) / count
bare = forked(lambda i: 0, 1)
task = forked(lambda i: main(argv(i, 1)), 1)
cpu, faults = usage(resource.RUSAGE_SELF)
for i in range(count + 1, 2 * count + 1):
    main(argv(i, 1))
cpu2, faults2 = usage(resource.RUSAGE_SELF)
profile = cProfile.Profile()
profile.enable()
for i in range(2 * count + 1, 3 * count + 1):
    main(argv(i, 1))
profile.disable()
text = io.StringIO()
pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(18)
print(json.dumps({
    "bare_fork_ms": bare[0], "bare_fork_faults": bare[1],
    "forked_task_ms": task[0], "forked_task_faults": task[1],
    "in_process_ms": (cpu2 - cpu) * 1000 / count, "in_process_faults": (faults2 - faults) / count,
    "profile": text.getvalue(),
}))
"""


def task_profile(scratch: str, count: int) -> dict[str, object]:
    """Where one trivial task's CPU goes (see PROBE): ``count`` tasks each way, each a
    task of a committed run whose ``square`` tasks are removed first."""
    datastore = os.path.join(scratch, "ds-probe")
    shutil.rmtree(datastore, ignore_errors=True)
    argv = [sys.executable, "-m", "flowc.cli", "run", "--local", WIDE, "-q"]
    done = subprocess.run(
        [*argv, "--datastore", datastore, "--width", str(3 * count + 1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    run = done.stdout.strip().splitlines()[-1]
    # the square tasks run again as attempts that do not exist yet: drop the committed ones
    shutil.rmtree(os.path.join(datastore, "WideFlow", "runs", run, "square"))
    probe = [sys.executable, "-c", PROBE, datastore, run, os.path.join(scratch, "spool.")]
    out = subprocess.run(
        [*probe, str(count), WIDE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


def runner_profile(scratch: str, width: int) -> str:
    """pyinstrument's text profile of the runner process during a ``width``-wide run."""
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return "(pyinstrument is not installed: pip install pyinstrument)\n"
    datastore = os.path.join(scratch, "ds-profile")
    shutil.rmtree(datastore, ignore_errors=True)
    out = os.path.join(scratch, "runner.txt")
    argv = [sys.executable, "-m", "pyinstrument", "-o", out, "-m", "flowc.cli", "run"]
    argv += ["--local", WIDE, "-q", "--datastore", datastore, "--width", str(width)]
    subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    with open(out, encoding="utf-8") as handle:
        return handle.read()


def _kb(value: float) -> str:
    return f"{value / 1024:.1f} KB"


def scale_rows(args: argparse.Namespace, scratch: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for width in args.widths:
        runs = []
        usage: dict[str, int] = {}
        base: list[dict[str, float]] = []
        base_usage: dict[str, int] = {}
        load = round(os.getloadavg()[0], 1)
        for _ in range(args.repeat):
            if args.baseline and width in args.baseline_widths:
                # interleaved, so load from elsewhere lands on both alike
                figures, base_usage = run_flowc(width, scratch, args.max_workers, args.baseline)
                base.append(figures)
                print(width, "baseline", figures, base_usage, flush=True)
            figures, usage = run_flowc(width, scratch, args.max_workers)
            runs.append(figures)
            print(width, figures, usage, flush=True)
        tasks = width + 3
        walls = sorted(r["wall"] for r in runs)
        row: dict[str, object] = {
            "width": width,
            "tasks": tasks,
            "best": walls[0],
            "median": statistics.median(walls),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "runner_cpu": statistics.median(r["runner_cpu"] for r in runs),
            "rss_mb": max(r["rss_kb"] for r in runs) / 1024,
            "load": load,
            **usage,
        }
        if base:
            walls = sorted(r["wall"] for r in base)
            row.update(base_best=walls[0], base_median=statistics.median(walls))
            row.update(base_cpu=statistics.median(r["cpu"] for r in base))
            row.update(base_disk=base_usage["disk"], base_files=base_usage["files"])
            row.update(base_empty=base_usage["empty"])
        rows.append(row)
    return rows


NOTES = """
Notes:

* Each run is `flowc run --local tests/runtime/flows/wide.py --width N --max-workers 4`
  (start, N trivial `square` tasks, join, end) into a fresh datastore, with the default
  fork-server executor. *CPU, all processes* is the user and system time of the runner,
  the fork server and every task process; *runner CPU* and *runner peak RSS* are the
  runner process's own. The runner keeps a few small records per task, not what the
  tasks produce, so its memory stays nearly flat from 100 to 10,000 tasks.
* *Datastore on disk* counts blocks as `du` does (4 KiB per non-empty file on ext4, and
  every directory), over all tasks of the run: a trivial task is one record
  (`STEP/TASK.json`, about 0.8 KB: one block), and the run's only blob is the start's
  item list. No file is empty.
* The wall time of 10,000 tasks in at most 30 s is **not met** here. Where the time goes
  (the last table): a trivial task costs a couple of milliseconds of CPU in-process, but
  several times that once forked from the preloaded server, almost all of it in the
  ~1,000 page faults the child takes; a bare fork and exit is about a millisecond. Which
  pages (read from `/proc/PID/pagemap` at the end of one child's task against the
  server's at the fork, 2026-12-02, load 13): 890 pages written, every one of them a
  page present in the server at the fork (copied on write, none fresh): ~500 in
  pymalloc's arenas, ~150 in the malloc heap, ~160 in libpython's writable data (of its
  308: `_PyRuntime`'s static objects, static type objects and 3.11's deep-frozen stdlib
  code objects) and ~20 elsewhere. They are Python 3.11's reference-count updates and
  allocations into partly used pools, spread over the server's ~12 MB of anonymous
  memory: a task touches a quarter of it. At ~4-5 µs per copied page on this shared VM
  that is 4-5 ms a task, on top of the task's own work, the fork and exit, and the
  server's and runner's ~2 ms; 10,000 tasks need ~100 s of CPU: 50 s on two otherwise
  idle cores, and more when other jobs hold the cores (the load above). What would close
  the gap is fewer copied pages per process (Python 3.12 makes the interpreter's static
  objects immortal, so their reference counts are no longer written) or fewer processes;
  several tasks per process would let one task's module state, environment and
  `current` leak into the next, and Metaflow, like flowc, starts a process per task.
* Wall time on this shared 2-core machine follows the load of everyone's jobs: the
  10,000-wide run took 57 s at load 10-13 (2026-12-02 11:55 UTC, before the changes
  below), 711 s at load 35-44 (14:36 UTC, with the lean server loop) and 321 s at load
  20-29 (the table above), with CPU per task of 11.1, 13.8 and 12.4 ms (CPU time itself
  grows when the cores and caches are shared). Compare CPU per task and page
  faults, and the baseline run alternately with each figure.
* What was measured to cut the copied pages, driving the fork server directly with 200
  to 300 trivial `square` tasks, 4 at a time (2026-12-02, load 25-30; fault counts are
  steady under load, CPU times are not):
  - kept: the server's loop decodes and encodes no JSON (the child decodes its own
    request) and drains its wake-up pipe in one read: after each fork every page the
    server writes is copied once more, and its loop wrote ~200 pages per task, now ~82
    (a loop that only forks and waits writes ~33). In 1,000-wide runs (load 30) the
    server's own faults per task went from 150-168 to 70-72 and its CPU per task from
    1.7-1.9 ms to 1.1 ms; all processes' CPU per task from 12.6-12.8 ms to 10.7-11.9 ms.
  - kept: no collection right before `gc.freeze`, as its documentation advises (what a
    collection frees are holes in the server's pages, which children's allocations then
    fill, copying those pages): children's faults per task 1,027-1,028 with it, 991-992
    without. The documentation's full recipe (the collector also disabled in the server
    until it forks and enabled again in each child) gave 981-997: within the noise of
    that, so it is not done.
  - dropped, no gain: warming the server by running ten trivial tasks of a built-in flow
    in it before it freezes its heap (children's faults 1,025 before, 1,030 after; with a
    copy of the user's own flow file under another name, 1,005). Warming with the user's
    own tasks did cut them to ~850, but runs the user's step code in the server, so it is
    not done; of that gain, ~70 (962) is the per-class work a task does before its step
    (applying the flow's mutators, which initialises user step decorators, and listing
    the names a step may not assign), which is user code too and may depend on the run's
    configs, so it stays in the task. Disabling the collector in children (1,027 with,
    1,011 without: the server's heap is frozen, so a child's collections stay in its own
    objects); reusing the server's `sys.stdin`/`stdout`/`stderr` objects instead of
    opening new ones (-15); not reading back empty log spools (no change).
* Against the baseline (the second table, run alternately on the same machine: main at
  76acf44) the changes kept below are the difference (1,000 wide: 11.6 s of CPU for
  the baseline, 11.2 s here). Before that (186bc32 to 76acf44,
  measured at 11:55 UTC): 1,000 wide from 45.9 s to 11.0 s of CPU, because the
  fork server imports everything a task imports before it forks (each task re-imported
  about twenty modules before) and freezes its heap (`gc.freeze`); it supervises its
  children itself, so a task is one fork instead of two; and a task writes one record
  instead of `artifacts.json`, `meta.json`, two log files (empty ones too), a
  `committed.json` and two directories, with values of at most 64 stored bytes in the
  record rather than in blobs of their own.
"""


def side_by_side(rows: list[dict[str, object]], metaflow: dict[str, Any]) -> list[str]:
    """flowc's medians beside Metaflow's stored runs; wider than Metaflow was run: the
    extrapolation, marked as one."""
    measured = {int(r["width"]): r for r in metaflow["rows"]}
    lines = [
        "",
        f"Side by side with Metaflow {metaflow['metaflow']} on the same flow and machine, "
        f"`--max-workers {metaflow['max_workers']}` for both (Metaflow: one run per width, "
        f"measured {metaflow['measured']}, load {metaflow['load']}; flowc: the medians "
        "above). *Italic*: extrapolated on the line through Metaflow's two widest runs "
        "(cost by tasks finished), not measured.",
        "",
        "| width | wall, flowc | wall, Metaflow | CPU, flowc | CPU, Metaflow "
        "| CPU per task, flowc | CPU per task, Metaflow | datastore per task, flowc "
        "| datastore per task, Metaflow | files per task, flowc | files per task, Metaflow "
        "| load (1 min) at the start, flowc / Metaflow |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        width = int(row["width"])  # type: ignore[call-overload]
        tasks = float(row["tasks"])  # type: ignore[arg-type]
        mf = measured.get(width)
        # totals: measured, or (a partial run, a width not run) on the line
        total, mark, load = mf, "", f"{mf['load']:.1f}" if mf else "not run"
        if mf is None or mf.get("partial"):
            if mf is None and width < max(measured):
                continue
            total = _metaflow_local.extrapolate(list(measured.values()), width)
            mark = "*"
            mf = mf or total
        assert total is not None
        # per task: measured, also over the tasks a partial run finished
        per = "*" if mf is total and mark else ""
        lines.append(
            f"| {width:,}{' (†)' if mf.get('partial') else ''} | {row['median']:.1f} s "
            f"| {mark}{total['wall']:,.0f} s{mark} "
            f"| {row['cpu']:.1f} s | {mark}{total['cpu']:,.0f} s{mark} "
            f"| {float(row['cpu']) * 1000 / tasks:.1f} ms "  # type: ignore[arg-type]
            f"| {per}{mf['cpu'] * 1000 / mf['tasks']:.0f} ms{per} "
            f"| {_kb(float(row['disk']) / tasks)} "  # type: ignore[arg-type]
            f"| {per}{_kb(mf['disk'] / mf['tasks'])}{per} "
            f"| {float(row['files']) / tasks:.2f} "  # type: ignore[arg-type]
            f"| {per}{mf['files'] / mf['tasks']:.2f}{per} | {row['load']:.1f} / {load} |"
        )
    partial = [r for r in metaflow["rows"] if r.get("partial")]
    for mf in partial:
        lines += [
            "",
            f"(†) Metaflow's {mf['width']:,}-wide run was stopped after {mf['tasks']:,} tasks "
            f"had finished ({mf['wall']:,.0f} s in, load {mf['load']:.1f} then): its per-task "
            "figures are measured over those tasks (`_metaflow_local.snapshot`: the runtime's "
            "own and its reaped children's CPU, the datastore so far), its totals are on the "
            "line to the full width.",
        ]
    return lines


def metaflow_breakdown(metaflow: dict[str, Any]) -> list[str]:
    """Where Metaflow's CPU goes: its runtime process against its task processes, and what
    each task process pays before the step's code runs."""
    floor = metaflow["floor"]
    lines = [
        "",
        "## Where Metaflow's time goes",
        "",
        "CPU per task of Metaflow's runtime process (the scheduler, wrapped to report its own "
        "usage) and of everything else (the task processes it starts), and the CPU a bare "
        "process of Metaflow's interpreter pays before any step code:",
        "",
        "| width | all processes, per task | runtime process, per task "
        "| task processes, per task | runtime peak RSS |",
        "|---:|---:|---:|---:|---:|",
    ]
    for mf in [*metaflow["rows"], metaflow["profiled"]]:
        tasks = mf["tasks"]
        label = f"{mf['width']:,}" + (" (under cProfile)" if mf is metaflow["profiled"] else "")
        label += f" (†, {mf['tasks']:,} tasks done)" if mf.get("partial") else ""
        lines.append(
            f"| {label} | {mf['cpu'] * 1000 / tasks:.0f} ms "
            f"| {mf['runtime_cpu'] * 1000 / tasks:.0f} ms "
            f"| {(mf['cpu'] - mf['runtime_cpu']) * 1000 / tasks:.0f} ms "
            f"| {mf['runtime_rss_kb'] / 1024:.0f} MB |"
        )
    lines += [
        "",
        "| a Metaflow process (best of 5) | CPU |",
        "|---|---:|",
        f"| `python -c pass` | {floor['python'] * 1000:.0f} ms |",
        f"| `python -c 'import metaflow'` | {floor['import'] * 1000:.0f} ms |",
        f"| `python wide.py --no-pylint show` (parses the flow, runs no step) "
        f"| {floor['show'] * 1000:.0f} ms |",
        "",
        "The runtime process's top functions by own CPU time are in `local_scale.profile.txt`.",
    ]
    return lines


METAFLOW_NOTES = """
* Metaflow runs `python wide.py --no-pylint run --max-workers 4 --max-num-splits N+1
  --width N` with a local datastore and local metadata in a fresh `METAFLOW_HOME`
  (`benchmarks/_metaflow_local.py`); its datastore is counted under `.metaflow` as
  flowc's is. Its figures are measured only when `--metaflow-python` is given (a
  1,000-wide run takes many minutes) and are otherwise read back from
  `local_scale.metaflow.json`, with the date and load they were measured at.
* Where Metaflow's time goes: its runtime process costs about 12-13 ms of CPU per task;
  the rest, about half a second per task, is the task process, which is a fresh
  interpreter that imports Metaflow and parses the flow before the step's one line runs
  (`import metaflow` alone is about as much, the last table). Its runtime's own profile
  (`local_scale.profile.txt`) is spread over imports, `select.poll` and reading each
  finished task's artifacts back (`load_artifacts`). Each task writes about 47 files
  (two of them empty: the task's log files) in about 196 KB on disk.
* 10,000 wide was not run with Metaflow: at about 0.57 s of CPU per task it needs about
  5,700 s of CPU, at least 48 minutes on both cores of this machine idle (the italic row,
  extrapolated, not measured). Its wall-time extrapolation follows the load of the runs
  it comes from (14 to 46 here) and says little; CPU is the fair figure.
"""


def report(
    rows: list[dict[str, object]],
    probe: dict[str, object],
    load: str,
    label: str = "",
    metaflow: dict[str, Any] | None = None,
    command: str = "",
    when: str = "",
) -> str:
    when = when or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    busiest = max(float(x) for x in load.replace(" before", "").replace(" after", "").split(", "))
    if busiest > 2 * (os.cpu_count() or 1):
        load += (
            f": other jobs held the {os.cpu_count()} cores (up to {busiest:.0f} runnable), so "
            "wall times are several times an idle machine's; CPU times are the fairer figure, "
            "and are inflated too"
        )
    lines = [
        "# Local runs at scale: a foreach of trivial tasks, 100 to 10,000 wide",
        "",
        f"Measured by `benchmarks/local_scale.py{' ' + command if command else ''}` on {when}; "
        f"machine load (1/5/15 min) {load}.",
        "",
        "| width | tasks | wall, best | wall, median | CPU, all processes | CPU per task "
        "| runner CPU per task | runner peak RSS | datastore on disk per task "
        "| files per task | empty files |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        tasks = float(row["tasks"])  # type: ignore[arg-type]
        lines.append(
            f"| {row['width']:,} | {row['tasks']:,} | {row['best']:.1f} s "
            f"| {row['median']:.1f} s | {row['cpu']:.1f} s "
            f"| {float(row['cpu']) * 1000 / tasks:.1f} ms "  # type: ignore[arg-type]
            f"| {float(row['runner_cpu']) * 1000 / tasks:.2f} ms "  # type: ignore[arg-type]
            f"| {row['rss_mb']:.0f} MB | {_kb(float(row['disk']) / tasks)} "  # type: ignore[arg-type]
            f"| {float(row['files']) / tasks:.2f} | {row['empty']} |"  # type: ignore[arg-type]
        )
    baseline = [r for r in rows if "base_best" in r]
    if baseline:
        lines += [
            "",
            f"The baseline ({label}), run alternately with the above on the same widths:",
            "",
            "| width | wall, best | wall, median | CPU, all processes "
            "| datastore on disk per task | files per task | empty files |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in baseline:
            tasks = float(row["tasks"])  # type: ignore[arg-type]
            lines.append(
                f"| {row['width']:,} | {row['base_best']:.1f} s | {row['base_median']:.1f} s "
                f"| {row['base_cpu']:.1f} s "
                f"| {_kb(float(row['base_disk']) / tasks)} "  # type: ignore[arg-type]
                f"| {float(row['base_files']) / tasks:.2f} | {row['base_empty']} |"  # type: ignore[arg-type]
            )
    if metaflow is not None:
        lines += side_by_side(rows, metaflow)
    lines += [
        "",
        "## Where a task's time goes",
        "",
        "One trivial `square` task, run by the shim's own `main` in a process preloaded as "
        "the runner's fork server is (`runtime_shim.forkserver.preload`), CPU per task:",
        "",
        "| | CPU | minor page faults |",
        "|---|---:|---:|",
        f"| in-process (no fork) | {probe['in_process_ms']:.2f} ms "
        f"| {probe['in_process_faults']:.0f} |",
        f"| forked from the server, then run | {probe['forked_task_ms']:.2f} ms "
        f"| {probe['forked_task_faults']:.0f} |",
        f"| a bare fork of the server and `_exit` | {probe['bare_fork_ms']:.2f} ms "
        f"| {probe['bare_fork_faults']:.0f} |",
    ]
    if metaflow is not None:
        lines += metaflow_breakdown(metaflow)
    return "\n".join(lines) + "\n" + NOTES + (METAFLOW_NOTES if metaflow else "")


def _command() -> str:
    return " ".join([".venv/bin/python benchmarks/local_scale.py", *map(shlex.quote, sys.argv[1:])])


def measure(args: argparse.Namespace, stored: str) -> dict[str, Any] | None:
    """Metaflow's figures (with ``--metaflow-python``, stored) and flowc's; ``None`` with
    ``--metaflow-only``."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    scratch = tempfile.mkdtemp(prefix="flowc-scale-")
    try:
        if args.metaflow_python:
            metaflow = _metaflow_local.measure(
                args.metaflow_python,
                WIDE,
                args.metaflow_widths,
                scratch,
                args.max_workers,
                disk_usage,
                args.metaflow_profile_width,
            )
            metaflow["command"] = _command()
            _metaflow_local.save_figures(stored, metaflow)
        if args.metaflow_only:
            return None
        rows = scale_rows(args, scratch)
        probe = task_profile(scratch, args.probe_tasks)
        runner = runner_profile(scratch, args.profile_width)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load += " before, " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + " after"
    return {
        "rows": rows,
        "probe": probe,
        "runner": runner,
        "load": load,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "label": args.baseline_label,
        "command": " ".join(sys.argv[1:]),
        "probe_tasks": args.probe_tasks,
        "profile_width": args.profile_width,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-workers", type=int, default=4)
    parser.add_argument("--metaflow-python", default="")
    parser.add_argument("--metaflow-widths", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--metaflow-profile-width", type=int, default=50)
    parser.add_argument("--baseline", default="", help="another checkout to run alongside")
    parser.add_argument("--baseline-label", default="the baseline checkout")
    parser.add_argument("--baseline-widths", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--probe-tasks", type=int, default=100)
    parser.add_argument("--profile-width", type=int, default=1000)
    parser.add_argument("--output", default=os.path.join(HERE, "local_scale.md"))
    parser.add_argument("--metaflow-only", action="store_true", help="measure Metaflow only")
    parser.add_argument("--save-figures", default="", help="also save flowc's figures (JSON)")
    parser.add_argument("--render-figures", default="", help="report saved figures, run nothing")
    args = parser.parse_args()
    if args.metaflow_python and not os.path.exists(args.metaflow_python):
        args.metaflow_python = ""
    stored = os.path.splitext(args.output)[0] + ".metaflow.json"
    if args.render_figures:
        figures = _metaflow_local.load_figures(args.render_figures)
        assert figures is not None, args.render_figures
    else:
        figures = measure(args, stored)
        if figures is None:
            return 0
        if args.save_figures:
            _metaflow_local.save_figures(args.save_figures, figures)
    # read back at the end: Metaflow's figures may have been measured meanwhile
    metaflow = _metaflow_local.load_figures(stored)
    text = report(
        figures["rows"],
        figures["probe"],
        figures["load"],
        figures["label"],
        metaflow,
        figures.get("command", ""),
        figures.get("measured", ""),
    )
    if metaflow is not None and metaflow.get("commands"):
        text += "\nThe commands that measured Metaflow's figures:\n\n```\n"
        text += "\n".join(metaflow["commands"]) + "\n```\n"
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    profile_path = os.path.splitext(args.output)[0] + ".profile.txt"
    with open(profile_path, "w", encoding="utf-8") as handle:
        tasks, width = figures["probe_tasks"], figures["profile_width"]
        handle.write(f"# One trivial task in-process, cProfile of {tasks} tasks\n\n")
        handle.write(str(figures["probe"]["profile"]))
        handle.write(f"\n# The runner process of a {width:,}-wide run\n")
        handle.write(figures["runner"])
        if metaflow is not None:
            width = metaflow["profiled"]["width"]
            handle.write(
                f"\n# Metaflow {metaflow['metaflow']}'s runtime process of a {width:,}-wide run "
                f"(cProfile, own CPU time; measured {metaflow['measured']})\n\n"
            )
            handle.write(metaflow["profile"] + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
