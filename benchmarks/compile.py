"""Front-end speed: flowc's analyzer and ``flowc check`` against Metaflow's ``show``.

    .venv/bin/python benchmarks/compile.py [--metaflow-python /tmp/mfvenv-bench/bin/python]
                                           [--runs 7] [--out benchmarks/compile.md]

Generated flows of 10, 100, 1,000 and 5,000 steps (linear steps, static branches and
foreach bodies in a fixed, repeating mix; valid for Metaflow and flowc alike) are measured:

* ``analyze``: in-process time of ``flowc.compiler.analyze_file`` (read, parse, graph
  analysis, IR) — the front end alone; best of ``--runs``;
* ``check``: wall time of a fresh ``flowc check FLOW`` process, as a user or CI runs it
  (interpreter start, imports, analysis, output); median of ``--runs``;
* ``metaflow show``: wall time of ``python FLOW show`` with Metaflow (it imports the flow
  and builds and lints its graph); median of ``--runs``. Metaflow lives in a throwaway venv
  (``python -m venv /tmp/mfvenv-bench && /tmp/mfvenv-bench/bin/pip install metaflow``),
  never in the project's.

Growth is reported as time per step; a linear front end keeps it flat from 1,000 to 5,000.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = [10, 100, 1000, 5000]


@dataclass
class Row:
    steps: int
    lines: int
    analyze: float
    check: float
    metaflow: float | None = None
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


def _wall(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    return elapsed, (result.stderr if result.returncode else "")


def measure(
    path: Path, n: int, runs: int, metaflow_python: str | None, flowc_cmd: list[str]
) -> Row:
    from flowc.compiler import analyze_file

    analysis = analyze_file(str(path))
    if not analysis.ok:
        raise SystemExit(f"generated flow {path} does not analyze: {analysis.diagnostics[:3]}")
    assert analysis.ir is not None and len(analysis.ir.steps) == n
    lib = []
    for _ in range(runs):
        start = time.perf_counter()
        analyze_file(str(path))
        lib.append(time.perf_counter() - start)
    cli = []
    for _ in range(runs):
        elapsed, error = _wall([*flowc_cmd, "check", path.name], path.parent)
        if error:
            raise SystemExit(f"flowc check failed: {error}")
        cli.append(elapsed)
    row = Row(n, path.read_text().count("\n"), min(lib), statistics.median(cli))
    if metaflow_python:
        env = dict(os.environ, METAFLOW_HOME=str(path.parent / ".mfhome"), USERNAME="bench")
        times = []
        for _ in range(max(1, runs if n <= 1000 else 3)):
            elapsed, error = _wall([metaflow_python, path.name, "show"], path.parent, env)
            if error:
                row.metaflow_error = error.strip().splitlines()[-1][:120]
                break
            times.append(elapsed)
        row.metaflow = statistics.median(times) if times else None
    return row


def render(rows: list[Row], runs: int, metaflow_version: str | None, command: str) -> str:
    out = [
        "# Front-end speed: `flowc check` and the analyzer vs `metaflow show`",
        "",
        f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        + (f", Metaflow {metaflow_version}" if metaflow_version else "")
        + f"; {runs} runs per figure. Reproduce with:",
        "",
        "```",
        command,
        "```",
        "",
        "| steps | lines | analyze (in-process) | per step | `flowc check` (process) "
        "| `metaflow show` (process) | metaflow / flowc |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        mf = f"{r.metaflow:.3f} s" if r.metaflow is not None else (r.metaflow_error or "—")
        ratio = f"{r.metaflow / r.check:.1f}x" if r.metaflow is not None else "—"
        out.append(
            f"| {r.steps:,} | {r.lines:,} | {r.analyze * 1000:.1f} ms "
            f"| {r.analyze / r.steps * 1e6:.0f} µs | {r.check:.3f} s | {mf} | {ratio} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--metaflow-python", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--out", default=None, help="write the Markdown table here")
    args = parser.parse_args()
    flowc_cmd = [str(Path(sys.executable).with_name("flowc"))]
    version = None
    if args.metaflow_python:
        version = subprocess.run(
            [args.metaflow_python, "-c", "import metaflow; print(metaflow.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    rows = []
    with tempfile.TemporaryDirectory(prefix="flowc-bench-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"generated_{n}.py"
            path.write_text(generated_flow(n), encoding="utf-8")
            row = measure(path, n, args.runs, args.metaflow_python, flowc_cmd)
            rows.append(row)
            print(row, file=sys.stderr)
    command = "python benchmarks/compile.py " + " ".join(sys.argv[1:])
    text = render(rows, args.runs, version, command.strip())
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
