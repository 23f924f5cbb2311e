"""Compiling at scale: a 10,000-wide foreach and 1,000-step flows for every target.

    .venv/bin/python benchmarks/scale_compile.py [--runs 5] [--validate] [--profile 20]
                                                 [--width 10000] [--steps 1000]
                                                 [--metaflow-python /tmp/mfvenv/bin/python]

The flows come from ``benchmarks/scale_flows.py`` (deterministic). For each target and
flow:

* ``flowc compile`` as a fresh process (the installed console script), median wall and
  CPU (user + system) of ``--runs`` rounds, targets interleaved (``_timing.py``);
* in process: the front end (``analyze_file``) and the backend's ``emit``, best CPU time;
* the size of what was written, and the diagnostics the compile reported (the engine
  limits it computed);
* ``--validate``: the engine's own tools on the output — Argo's validator
  (``tools/argo-lint.sh``), a real Airflow ``DagBag`` (``.venv-airflow``), the npm ASL
  validator (``tools/asl-validator``);
* ``--profile N``: the top N functions of each backend's ``emit`` on the 1,000-step chain
  by own time (cProfile).
* ``--metaflow-python``: Metaflow's own compile of the same files, in that interpreter's
  venv (``metaflow`` and ``kubernetes``), runs interleaved with flowc's:
  ``argo-workflows create --only-json``, ``step-functions create --only-json`` and
  ``airflow create OUT.py``. Even these write nothing to a cluster, but Metaflow uploads
  its code package to S3 first and Step Functions' asks AWS Batch for the job queue, so a
  moto server (this venv's) stands in for S3, IAM and Batch; the environment is the union
  of ``argo_compile.metaflow_env`` and ``sfn_compile.metaflow_env``. Each Metaflow
  compile runs under ``ulimit -t`` (``--metaflow-cpu-limit`` seconds of CPU), so one that
  does not finish is bounded whatever the load; a flow of 1,000 steps runs once. With
  ``--profile``, the slowest Metaflow compile that finished runs once more under cProfile.

Prints Markdown. The packages are byte-compiled first (``PYTHONDONTWRITEBYTECODE`` would
otherwise make every process recompile what it imports).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import cProfile
import importlib
import io
import os
import platform
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import _metaflow_compile  # noqa: E402
from benchmarks._timing import Command, conditions, interleaved  # noqa: E402
from benchmarks.scale_flows import write_flows  # noqa: E402

TARGETS = ("argo", "airflow", "stepfunctions")
# What a deployment running the wide foreach sets (without it each target reports FC309,
# shown in the report's diagnostics column for the default compile).
WIDE_OPTIONS = {
    "argo": ["node_status_offload=true"],
    "airflow": ["max_map_length={width}"],
    "stepfunctions": ["map_mode=distributed"],
}
DATASTORE = "s3://flowc-bench/scale"
FLOWC = str(Path(sys.executable).with_name("flowc"))


@dataclass
class Row:
    target: str
    case: str
    wall: float = 0.0
    cpu: float = 0.0
    analyze: float = 0.0
    emit: float = 0.0
    size: int = 0
    diagnostics: str = ""
    valid: str = "-"
    error: str = ""
    metaflow_wall: float = 0.0
    metaflow_cpu: float = 0.0
    metaflow_runs: int = 0
    metaflow_size: int = 0
    metaflow_error: str = ""


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def in_process(path: Path, target: str, repeat: int) -> tuple[float, float]:
    """Best CPU seconds of the front end and of the backend's emit, in this process."""
    from backends.base import TargetOptions
    from flowc.compiler import analyze_file

    analysis = analyze_file(str(path))
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    backend = importlib.import_module(f"backends.{target}").BACKEND
    options = TargetOptions(datastore_root=DATASTORE)
    backend.emit(analysis.ir, options)  # imports done before timing
    ir = analysis.ir
    return (
        _best(lambda: analyze_file(str(path)), repeat),
        _best(lambda: backend.emit(ir, options), repeat),
    )


def _diagnostic_lines(stderr: str) -> str:
    found = [line.strip() for line in stderr.splitlines() if ": FC" in line]
    return "<br>".join(found) or "none"


def validate(target: str, out: Path) -> str:
    """The engine's own tool on the files in ``out``: 'valid' or its first complaint."""
    files = sorted(p for p in out.iterdir() if p.is_file())
    if target == "argo":
        argv = ["bash", str(REPO / "tools" / "argo-lint.sh"), *map(str, files)]
    elif target == "airflow":
        python = REPO / ".venv-airflow" / "bin" / "python"
        script = (
            "import sys\nfrom airflow.dag_processing.dagbag import DagBag\n"
            "bag = DagBag(dag_folder=sys.argv[1])\n"
            "assert not bag.import_errors, bag.import_errors\n"
            "print(sum(len(d.tasks) for d in bag.dags.values()), 'tasks')\n"
        )
        home = tempfile.mkdtemp(prefix="scale-airflow-")
        env = dict(os.environ, AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False")
        argv = [str(python), "-c", script, str(out)]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        return _verdict(done)
    else:
        binary = REPO / "tools" / "asl-validator" / "node_modules" / ".bin" / "asl-validator"
        argv = [str(binary), *(a for f in files for a in ("--json-path", str(f)))]
    return _verdict(subprocess.run(argv, capture_output=True, text=True, check=False))


def _verdict(done: subprocess.CompletedProcess[str]) -> str:
    if done.returncode == 0:
        last = done.stdout.strip().splitlines()
        return "valid" + (f" ({last[-1]})" if last and "tasks" in last[-1] else "")
    text = (done.stdout + done.stderr).strip().splitlines() or ["(no output)"]
    return f"INVALID: {text[-1][:160]}"


def profile(path: Path, target: str, top: int) -> str:
    from backends.base import TargetOptions
    from flowc.compiler import analyze_file

    analysis = analyze_file(str(path))
    backend = importlib.import_module(f"backends.{target}").BACKEND
    options = TargetOptions(datastore_root=DATASTORE)
    backend.emit(analysis.ir, options)
    profiler = cProfile.Profile()
    profiler.enable()
    backend.emit(analysis.ir, options)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    lines = [
        line.replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")
        for line in text.getvalue().splitlines()
        if line.strip()
    ]
    return "\n".join(lines[lines.index(next(x for x in lines if "ncalls" in x)) - 1 :])


def _wide_options(target: str, case: str, width: int) -> list[str]:
    if not case.startswith("foreach"):
        return []
    return [a for o in WIDE_OPTIONS[target] for a in ("--option", o.format(width=width))]


@dataclass
class Metaflow:
    """Where and how Metaflow's compiles run (``--metaflow-python``)."""

    python: str
    env: dict[str, str]
    runs: int
    cpu_limit: int  # seconds of CPU a compile may take (``ulimit -t``): bounded on any load


def _metaflow_commands(
    flows: dict[str, Path], work: Path, metaflow: Metaflow, steps: int
) -> list[Command]:
    """Metaflow's compile of each flow for each target, in ``measure``'s row order; a flow
    of ``steps`` steps runs once (Metaflow takes minutes on some)."""
    commands = []
    for target in TARGETS:
        for case, path in flows.items():
            out = work / f"metaflow-{target}-{case}"
            out.mkdir(parents=True, exist_ok=True)
            limit = ["bash", "-c", 'ulimit -t "$0" && exec "$@"', str(metaflow.cpu_limit)]
            argv = [*limit, metaflow.python, *_metaflow_compile.command(target, path, out)]
            runs = 1 if not case.startswith("foreach") and steps >= 1000 else metaflow.runs
            commands.append(Command(argv, out, metaflow.env, 4 * 3600.0, runs))
    return commands


def _record_metaflow(row: Row, path: Path, work: Path, sample: Any, cpu_limit: int) -> None:
    row.metaflow_runs = len(sample.walls)
    # ``ulimit -t`` sets the soft and hard limits alike: the kernel's SIGXCPU at the soft
    # one, then SIGKILL (what a Python process shows); nothing else here sends either
    if sample.last is not None and sample.last.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        row.metaflow_error = f"stopped at the CPU limit, {cpu_limit} s, unfinished"
        return
    if not sample.ok or sample.last is None:
        row.metaflow_error = sample.error or "no run"
        return
    row.metaflow_wall, row.metaflow_cpu = sample.wall, sample.cpu
    out = work / f"metaflow-{row.target}-{row.case}"
    row.metaflow_size = _metaflow_compile.output_size(row.target, path, out, sample.last.stdout)


def measure(
    flows: dict[str, Path],
    work: Path,
    runs: int,
    repeat: int,
    width: int,
    metaflow: Metaflow | None = None,
    steps: int = 1000,
) -> list[Row]:
    rows, commands = [], []
    for target in TARGETS:
        for case, path in flows.items():
            out = work / f"{target}-{case}"
            out.mkdir(parents=True, exist_ok=True)
            argv = [FLOWC, "compile", str(path), "--target", target, "-o", str(out)]
            argv += _wide_options(target, case, width)
            commands.append(Command([*argv, "--datastore", DATASTORE], REPO))
            rows.append(Row(target, case))
    if metaflow is not None:
        commands += _metaflow_commands(flows, work, metaflow, steps)
    samples = interleaved(commands, runs)
    for row, sample in zip(rows, samples[len(rows) :], strict=False):
        assert metaflow is not None
        _record_metaflow(row, flows[row.case], work, sample, metaflow.cpu_limit)
    for row, sample in zip(rows, samples, strict=False):
        if not sample.ok:
            row.error = sample.error
            continue
        row.wall, row.cpu = sample.wall, sample.cpu
        assert sample.last is not None
        row.diagnostics = _diagnostic_lines(sample.last.stderr)
        if case_options := _wide_options(row.target, row.case, width):
            row.diagnostics = f"with `{' '.join(case_options)}`: {row.diagnostics}"
            default = subprocess.run(
                [
                    FLOWC,
                    "compile",
                    str(flows[row.case]),
                    "--target",
                    row.target,
                    "-o",
                    str(work / "default"),
                    "--datastore",
                    DATASTORE,
                ],
                capture_output=True,
                text=True,
                check=False,
                cwd=REPO,
            )
            row.diagnostics += "; default options: " + _diagnostic_lines(default.stderr)
        out = work / f"{row.target}-{row.case}"
        row.size = sum(p.stat().st_size for p in out.iterdir())
        row.analyze, row.emit = in_process(flows[row.case], row.target, repeat)
    return rows


METAFLOW_COLUMNS = (
    " Metaflow's compile wall (CPU), runs | Metaflow's output | Metaflow / flowc, CPU |"
)


def _metaflow_cells(r: Row) -> str:
    if r.metaflow_error:
        return f" fails: `{r.metaflow_error}` | | |"
    ratio = f"{r.metaflow_cpu / r.cpu:.1f}x" if r.cpu else ""
    return (
        f" {r.metaflow_wall:.2f} s ({r.metaflow_cpu:.2f}), {r.metaflow_runs} "
        f"| {r.metaflow_size / 1024:,.0f} KB | {ratio} |"
    )


def render(rows: list[Row], args: argparse.Namespace, profiles: dict[str, str]) -> str:
    command = "python benchmarks/scale_compile.py " + " ".join(sys.argv[1:])
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{platform.machine()}, Python {platform.python_version()}; medians of "
        f"{args.runs} runs (in-process: best of {args.repeat}); {conditions()}.",
        "",
        "```",
        command,
        "```",
        "",
        "| target | flow | `flowc compile` wall (CPU) | analyze | emit | output | "
        "engine's validator | diagnostics |" + (METAFLOW_COLUMNS if args.metaflow_python else ""),
        "|---|---|---:|---:|---:|---:|---|---|"
        + ("---:|---:|---:|" if args.metaflow_python else ""),
    ]
    for r in rows:
        mf = _metaflow_cells(r) if args.metaflow_python else ""
        if r.error:
            lines.append(f"| {r.target} | {r.case} | fails: {r.error} | | | | | |{mf}")
            continue
        lines.append(
            f"| {r.target} | {r.case} | {r.wall:.3f} s ({r.cpu:.3f}) | "
            f"{r.analyze * 1000:.0f} ms | {r.emit * 1000:.0f} ms | {r.size / 1024:,.0f} KB | "
            f"{r.valid} | {r.diagnostics} |{mf}"
        )
    for target, text in profiles.items():
        if target.startswith("Metaflow"):
            lines += ["", f"Profile of {target}:", "", "```", text, "```"]
            continue
        lines += ["", f"Profile of `{target}` emit (1,000-step chain, own time):", "", "```"]
        lines += [text, "```"]
    return "\n".join(lines) + "\n"


def metaflow_profile(
    rows: list[Row], flows: dict[str, Path], work: Path, metaflow: Metaflow, top: int
) -> dict[str, str]:
    """cProfile of the slowest of Metaflow's compiles that finished (by CPU time)."""
    done = [r for r in rows if not r.metaflow_error]
    if not done:
        return {}
    slowest = max(done, key=lambda r: r.metaflow_cpu)
    out = work / f"metaflow-{slowest.target}-{slowest.case}"
    argv = _metaflow_compile.command(slowest.target, flows[slowest.case], out)
    text = _metaflow_compile.profile(metaflow.python, argv, metaflow.env, out, top)
    return {f"Metaflow's {slowest.target} compile, {slowest.case} (the slowest)": text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="in-process repetitions")
    parser.add_argument("--width", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    parser.add_argument("--keep", type=Path, help="write flows and outputs here")
    parser.add_argument("--metaflow-python", default="", help="python of a venv with metaflow")
    parser.add_argument("--metaflow-runs", type=int, default=3)
    parser.add_argument("--metaflow-cpu-limit", type=int, default=120, metavar="SECONDS")
    args = parser.parse_args()
    for package in ("flowc", "backends", "runtime_shim"):
        with contextlib.redirect_stdout(io.StringIO()):
            compileall.compile_dir(str(REPO / package), quiet=1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="scale-compile-"))
    flows = write_flows(work / "flows", args.width, args.steps)
    profiles = {}
    with contextlib.ExitStack() as stack:
        metaflow = None
        if args.metaflow_python:
            env = stack.enter_context(_metaflow_compile.offline_env(work / "metaflow-home"))
            python, runs, limit = args.metaflow_python, args.metaflow_runs, args.metaflow_cpu_limit
            metaflow = Metaflow(python, env, runs, limit)
        rows = measure(
            flows, work / "out", args.runs, args.repeat, args.width, metaflow, args.steps
        )
        if metaflow is not None and args.profile:
            profiles.update(metaflow_profile(rows, flows, work / "out", metaflow, args.profile))
    if args.validate:
        for row in rows:
            if not row.error:
                row.valid = validate(row.target, work / "out" / f"{row.target}-{row.case}")
    if args.profile:
        chain = next(p for c, p in flows.items() if c.startswith("linear"))
        profiles.update({t: profile(chain, t, args.profile) for t in TARGETS})
    text = render(rows, args, profiles)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
