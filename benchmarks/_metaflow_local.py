"""Metaflow's local run of the same wide flow, for ``local_scale.py``'s side-by-side table.

Metaflow runs ``tests/runtime/flows/wide.py`` as it is (the flow imports ``metaflow``) with
``--max-num-splits`` above the width (its default refuses more than 100 splits) and the
same ``--max-workers`` as flowc. Its runtime process is wrapped (``RUNNER``) to report its
own CPU time and peak RSS, and, for the profile, to run under cProfile; the task processes
it starts are not wrapped (their command line is ``[sys.executable, sys.argv[0], ...]``,
the flow file itself).

A Metaflow run costs about half a second of CPU per task, so its figures are kept in
``local_scale.metaflow.json`` with their date and load, and ``local_scale.py`` re-measures
them only when given ``--metaflow-python``; the 10,000-wide figure (over an hour of
Metaflow) is extrapolated, not measured, and the table says so.
"""

from __future__ import annotations

import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

RUNNER = """
import atexit, cProfile, json, resource, runpy, sys, time
stats, dump = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[3:]
# CPU time, not wall: the runtime waits in poll() for its children most of the run
profiler = cProfile.Profile(time.process_time) if dump else None
def report():
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(dump)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(stats, "w") as handle:
        json.dump({"cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss}, handle)
atexit.register(report)
if profiler is not None:
    profiler.enable()
runpy.run_path(sys.argv[0], run_name="__main__")
"""

DiskUsage = Callable[[str], dict[str, int]]


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _home(scratch: str, name: str, flow: str) -> tuple[str, str, dict[str, str]]:
    """A fresh METAFLOW_HOME with the flow copied in, and the environment of a local run."""
    home = os.path.join(scratch, name)
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    copy = os.path.join(home, os.path.basename(flow))
    shutil.copy(flow, copy)
    import local_run  # the local-run benchmark's environment for Metaflow, shared

    return home, copy, local_run.metaflow_env(home)


def run_metaflow(
    python: str,
    flow: str,
    width: int,
    scratch: str,
    workers: int,
    disk_usage: DiskUsage,
    profile: str = "",
) -> dict[str, float]:
    """One ``run`` of the wide flow: wall, CPU of all processes, the runtime's own CPU and
    peak RSS, and what it left under ``.metaflow`` (``profile``: where to dump cProfile)."""
    home, copy, env = _home(scratch, f"mf-{width}", flow)
    stats = os.path.join(home, "runtime.json")
    argv = [python, "-c", RUNNER, stats, profile, copy, "--no-pylint", "run"]
    argv += ["--max-workers", str(workers), "--max-num-splits", str(width + 1)]
    argv += ["--width", str(width)]
    load = _load()
    before = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    cpu = _children_cpu() - before
    if done.returncode != 0:
        raise RuntimeError(f"metaflow width {width} failed:\n{done.stdout}\n{done.stderr}")
    with open(stats, encoding="utf-8") as handle:
        runtime = json.load(handle)
    usage = disk_usage(os.path.join(home, ".metaflow"))
    shutil.rmtree(home, ignore_errors=True)
    return {
        "width": width,
        "tasks": width + 3,
        "wall": wall,
        "cpu": cpu,
        "runtime_cpu": runtime["cpu"],
        "runtime_rss_kb": runtime["rss_kb"],
        "disk": usage["disk"],
        "files": usage["files"],
        "empty": usage["empty"],
        "load": load,
    }


def _best_cpu(argv: list[str], cwd: str, env: dict[str, str], repeat: int) -> float:
    cpus = []
    for _ in range(repeat):
        before = _children_cpu()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        cpus.append(_children_cpu() - before)
    return min(cpus)


def process_floor(python: str, flow: str, scratch: str) -> dict[str, float]:
    """CPU seconds every Metaflow task process pays before its step's code: the
    interpreter with ``import metaflow``, and the flow's command line parsing the flow
    (``show``, which prints the graph and runs no step). Best of 5: on shared cores the
    best is the least disturbed."""
    home, copy, env = _home(scratch, "mf-floor", flow)
    figures = {
        "python": _best_cpu([python, "-c", "pass"], home, env, 5),
        "import": _best_cpu([python, "-c", "import metaflow"], home, env, 5),
        "show": _best_cpu([python, copy, "--no-pylint", "show"], home, env, 5),
    }
    shutil.rmtree(home, ignore_errors=True)
    return figures


def runtime_profile(dump: str, top: int) -> str:
    """The runtime process's top functions by own CPU time, paths shortened."""
    text = io.StringIO()
    pstats.Stats(dump, stream=text).sort_stats("tottime").print_stats(top)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    site = "site-packages/"
    out = []
    for line in lines[start - 1 :]:
        if site in line:
            at = line.find(site)
            line = line[: line.rfind(" ", 0, at) + 1] + line[at + len(site) :]
        out.append(line)
    return "\n".join(out)


def measure(
    python: str,
    flow: str,
    widths: list[int],
    scratch: str,
    workers: int,
    disk_usage: DiskUsage,
    profile_width: int,
) -> dict[str, Any]:
    """Metaflow's figures, as stored in ``local_scale.metaflow.json``."""
    version = subprocess.run(
        [python, "-c", "import metaflow; print(metaflow.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = []
    for width in widths:
        rows.append(run_metaflow(python, flow, width, scratch, workers, disk_usage))
        print(width, "metaflow", rows[-1], flush=True)
    dump = os.path.join(scratch, "mf-runtime.prof")
    profiled = run_metaflow(python, flow, profile_width, scratch, workers, disk_usage, dump)
    after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "metaflow": version,
        "max_workers": workers,
        "load": f"{before} before, {after} after",
        "rows": rows,
        "floor": process_floor(python, flow, scratch),
        "profiled": profiled,
        "profile": runtime_profile(dump, 15),
    }


def load_figures(path: str) -> dict[str, Any] | None:
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        figures: dict[str, Any] = json.load(handle)
    return figures


def save_figures(path: str, figures: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=1, sort_keys=True)
        handle.write("\n")


def extrapolate(rows: list[dict[str, float]], width: int) -> dict[str, float]:
    """Each figure at ``width``, on the straight line through the two widest measured
    rows (per-task cost is about constant from 100 to 1,000 wide)."""
    low, high = sorted(rows, key=lambda r: r["width"])[-2:]
    tasks = width + 3
    share = (tasks - low["tasks"]) / (high["tasks"] - low["tasks"])
    keys = ("wall", "cpu", "runtime_cpu", "disk", "files")
    out = {key: low[key] + (high[key] - low[key]) * share for key in keys}
    out.update(width=width, tasks=tasks)
    return out


def snapshot(pid: int, home: str, width: int, disk_usage: DiskUsage) -> dict[str, Any]:
    """The figures so far of a run still going, whose runtime process is ``pid`` (a run
    that cannot finish in the time there is): the tasks done (``DONE.lock``), the CPU of
    the runtime itself and of the task processes it has reaped (``/proc/PID/stat``), the
    wall time since it started, and its datastore. A row like ``run_metaflow``'s with
    ``partial`` set and ``tasks`` the tasks done, so per-task figures divide alike; the
    datastore includes the few tasks still running."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(x) / tick for x in fields[11:15])
    started = int(fields[19]) / tick
    with open("/proc/uptime", encoding="utf-8") as handle:
        uptime = float(handle.read().split()[0])
    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
        peak = next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:"))
    store = os.path.join(home, ".metaflow")
    done = sum(
        name.endswith("DONE.lock") for _root, _dirs, names in os.walk(store) for name in names
    )
    usage = disk_usage(store)
    return {
        "width": width,
        "tasks": done,
        "partial": True,
        "wall": uptime - started,
        "cpu": utime + stime + cutime + cstime,
        "runtime_cpu": utime + stime,
        "runtime_rss_kb": peak,
        "disk": usage["disk"],
        "files": usage["files"],
        "empty": usage["empty"],
        "load": _load(),
    }
