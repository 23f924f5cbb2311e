"""Front-end speed: flowc's analyzer and ``flowc check`` against Metaflow's ``show``.

    .venv/bin/python benchmarks/compile.py [--metaflow-python /tmp/mfvenv-bench/bin/python]
                                           [--runs 7] [--out benchmarks/compile.md]

Generated flows of 10, 100, 1,000 and 5,000 steps (linear steps, static branches and
foreach bodies in a fixed, repeating mix; valid for Metaflow and flowc alike) are measured:

* ``analyze``: in-process time of ``flowc.compiler.analyze_file`` (read, parse, graph
  analysis, IR) — the front end alone; best of ``--runs``;
* ``check``: wall time of a fresh ``flowc check FLOW`` process, as a user or CI runs it
  (interpreter start, imports, analysis, output); median of ``--runs``, interleaved with
  Metaflow's runs (``benchmarks/_timing.py``);
* ``metaflow show``: wall time of ``python FLOW show`` with Metaflow (it imports the flow
  and builds and lints its graph); median of ``--runs``. Metaflow lives in a throwaway venv
  (``python -m venv /tmp/mfvenv-bench && /tmp/mfvenv-bench/bin/pip install metaflow``),
  never in the project's.

Growth is reported as time per step; a linear front end keeps it flat from 1,000 to 5,000.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = [10, 100, 1000, 5000]


@dataclass
class Timing:
    wall: float
    cpu: float  # user + system time of the process: what a busy machine does not inflate

    def cell(self) -> str:
        return f"{self.wall:.3f} s ({self.cpu:.3f})"


@dataclass
class Row:
    family: str
    steps: int
    lines: int
    analyze: float
    check: Timing
    metaflow: Timing | None = None
    metaflow_error: str = ""


def _step(name: str, body: str, nxt: str, join: bool = False) -> str:
    args = "self, inputs" if join else "self"
    return f"    @step\n    def {name}({args}):\n        {body}\n        {nxt}\n"


def generated_flow(n: int) -> str:
    """A valid flow of exactly ``n`` steps (n >= 10): start, then repeated units of a linear
    step, a two-way branch with its join, and a foreach over a two-step body with its join
    (10 steps per unit), padded with linear steps, then end."""
    parts: list[str] = []
    names = iter(f"s{i}" for i in range(n))
    count = 2  # start and end
    current = "start"
    body_of: dict[str, str] = {"start": "self.x = 0"}
    pending: list[tuple[str, str, bool]] = []  # (name, body, is_join) awaiting their next

    def emit(name: str, nxt: str) -> None:
        for i, (pname, body, join) in enumerate(pending):
            if pname == name:
                parts.append(_step(pname, body, nxt, join))
                del pending[i]
                return
        raise AssertionError(name)

    pending.append(("start", body_of["start"], False))
    while count + 10 <= n:
        lin, split, left, right, join, fe, b1, b2, fjoin, tail = (next(names) for _ in range(10))
        emit(current, f"self.next(self.{lin})")
        parts.append(_step(lin, "self.x += 1", f"self.next(self.{split})"))
        parts.append(_step(split, "self.y = self.x", f"self.next(self.{left}, self.{right})"))
        parts.append(_step(left, "self.z = 1", f"self.next(self.{join})"))
        parts.append(_step(right, "self.z = 2", f"self.next(self.{join})"))
        parts.append(
            _step(join, "self.x = sum(i.z for i in inputs)", f"self.next(self.{fe})", join=True)
        )
        parts.append(_step(fe, "self.items = [1, 2, 3]", f'self.next(self.{b1}, foreach="items")'))
        parts.append(_step(b1, "self.v = self.input * 2", f"self.next(self.{b2})"))
        parts.append(_step(b2, "self.v += 1", f"self.next(self.{fjoin})"))
        parts.append(
            _step(fjoin, "self.x = sum(i.v for i in inputs)", f"self.next(self.{tail})", join=True)
        )
        pending.append((tail, "self.x += 1", False))
        current = tail
        count += 10
    while count < n:
        name = next(names)
        emit(current, f"self.next(self.{name})")
        pending.append((name, "self.x += 1", False))
        current = name
        count += 1
    emit(current, "self.next(self.end)")
    parts.append("    @step\n    def end(self):\n        print(self.x)\n")
    return (
        "from metaflow import FlowSpec, step\n\n\n"
        f"class Generated{n}Flow(FlowSpec):\n"
        f'    """A generated flow of {n} steps."""\n\n'
        + "\n".join(parts)
        + f'\n\nif __name__ == "__main__":\n    Generated{n}Flow()\n'
    )


def linear_flow(n: int) -> str:
    """``n`` steps in a row: start, s1 ... s{n-2}, end."""
    names = ["start", *[f"s{i}" for i in range(1, n - 1)], "end"]
    parts = [
        _step(here, f"self.x = {i}", f"self.next(self.{nxt})")
        for i, (here, nxt) in enumerate(itertools.pairwise(names))
    ]
    parts.append("    @step\n    def end(self):\n        print(self.x)\n")
    return (
        "from metaflow import FlowSpec, step\n\n\n"
        f"class Linear{n}Flow(FlowSpec):\n"
        f'    """A linear flow of {n} steps."""\n\n'
        + "\n".join(parts)
        + f'\n\nif __name__ == "__main__":\n    Linear{n}Flow()\n'
    )


FAMILIES = {"mixed": generated_flow, "linear": linear_flow}


def measure(
    family: str,
    path: Path,
    n: int,
    runs: int,
    metaflow_python: str | None,
    metaflow_timeout: float,
) -> Row:
    from _timing import Command, interleaved  # beside this script (tests load it by path)

    from flowc.compiler import analyze_file

    analysis = analyze_file(str(path))
    if not analysis.ok:
        raise SystemExit(f"generated flow {path} does not analyze: {analysis.diagnostics[:3]}")
    assert analysis.ir is not None and len(analysis.ir.steps) == n
    lib = []
    for _ in range(runs):
        start = time.process_time()
        analyze_file(str(path))
        lib.append(time.process_time() - start)
    flowc = str(Path(sys.executable).with_name("flowc"))
    commands = [Command([flowc, "check", path.name], path.parent)]
    if metaflow_python:
        env = dict(os.environ, USER="bench", USERNAME="bench")
        show = [metaflow_python, path.name, "show"]
        commands.append(Command(show, path.parent, env, metaflow_timeout))
    ours, *theirs = interleaved(commands, runs)
    if not ours.ok:
        raise SystemExit(f"flowc check {path.name} failed: {ours.error}")
    row = Row(family, n, path.read_text().count("\n"), min(lib), Timing(ours.wall, ours.cpu))
    for sample in theirs:
        if sample.ok:
            row.metaflow = Timing(sample.wall, sample.cpu)
        else:
            row.metaflow_error = sample.error[:100]
    return row


def render(rows: list[Row], runs: int, metaflow_version: str | None, command: str) -> str:
    from _timing import conditions

    out = [
        "| flow | steps | lines | analyze (in-process CPU) | per step "
        "| `flowc check` wall (CPU) "
        "| `metaflow show` wall (CPU) | Metaflow / `flowc check`: wall (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.metaflow is not None:
            mf = r.metaflow.cell()
            ratio = f"{r.metaflow.wall / r.check.wall:.1f}x ({r.metaflow.cpu / r.check.cpu:.1f}x)"
        else:
            mf, ratio = (f"fails: {r.metaflow_error}" if r.metaflow_error else "not run"), "-"
        out.append(
            f"| {r.family} | {r.steps:,} | {r.lines:,} | {r.analyze * 1000:.1f} ms "
            f"| {r.analyze / r.steps * 1e6:.0f} us | {r.check.cell()} "
            f"| {mf} | {ratio} |"
        )
    header = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
        + (f", Metaflow {metaflow_version}" if metaflow_version else "")
        + f"; medians of {runs} runs (in-process: best); {conditions()}. Command:",
        "",
        "```",
        command,
        "```",
        "",
    ]
    return "\n".join(header + out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--metaflow-python", default=None)
    parser.add_argument("--metaflow-timeout", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--out", default=None, help="write the Markdown table here")
    args = parser.parse_args()
    version = None
    if args.metaflow_python:
        version = subprocess.run(
            [args.metaflow_python, "-c", "import metaflow; print(metaflow.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    # Byte-compile first: with PYTHONDONTWRITEBYTECODE set (or a fresh checkout) every
    # process would otherwise recompile the modules it imports, which users do not pay.
    import compileall

    for package in ("flowc", "backends", "runtime_shim"):
        compileall.compile_dir(str(REPO / package), quiet=1)
    rows = []
    with tempfile.TemporaryDirectory(prefix="flowc-bench-") as tmp:
        for family in args.families.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                path = Path(tmp) / f"{family}_{n}.py"
                path.write_text(FAMILIES[family](n), encoding="utf-8")
                row = measure(
                    family, path, n, args.runs, args.metaflow_python, args.metaflow_timeout
                )
                rows.append(row)
                print(row, file=sys.stderr)
    command = "python benchmarks/compile.py " + " ".join(sys.argv[1:])
    text = render(rows, args.runs, version, command.strip())
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
