"""Compile time and manifest size: flowc's Argo target against Metaflow's.

    .venv/bin/python benchmarks/argo_compile.py [--metaflow-python /tmp/mfvenv-argo/bin/python]
                                                [--runs 5] [--out /tmp/argo-bench.md]

For each flow (the graph shapes with 4-8 steps, and generated linear flows of 10, 100
and 1,000 steps) it measures:

* flowc: wall and CPU time (user + system) of ``flowc compile FLOW --target argo -o DIR``
  (a fresh process, as a user or CI runs it; median of ``--runs``, interleaved with
  Metaflow's runs: ``benchmarks/_timing.py``), the in-process time
  of analyse + emit, and the YAML bytes per step;
* Metaflow (when ``--metaflow-python`` is given): wall and CPU time of
  ``python FLOW argo-workflows create --only-json`` and its JSON bytes per step. CPU time
  is the fairer figure on a shared machine: it does not grow while waiting for a core. Metaflow
  uploads a code package even for ``--only-json``, so a moto S3 server is started on
  127.0.0.1 for the duration of the benchmark (and only for it).

Metaflow's venv needs ``metaflow`` and ``kubernetes``; moto runs from this project's venv.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _timing import Command, conditions, interleaved, record_metaflow

REPO = Path(__file__).resolve().parents[1]
SHAPES = ["linear", "branch", "foreach", "switch_basic", "nested_foreach3", "recursive_switch"]
SIZES = [10, 100, 1000]
# Pods share artifacts through S3 (a local root would draw the FC306 warning).
DATASTORE = "s3://flowc-bench/flows"


@dataclass
class Row:
    flow: str
    steps: int
    flowc_cli: float
    flowc_cpu: float
    flowc_lib: float
    flowc_bytes: int
    metaflow_cli: float | None = None
    metaflow_cpu: float | None = None
    metaflow_bytes: int | None = None
    metaflow_error: str = ""


def linear_flow(n: int) -> str:
    """A linear flow of ``n`` steps (start, s1..s{n-2}, end), importing from metaflow."""
    names = ["start", *[f"s{i}" for i in range(1, n - 1)], "end"]
    body = []
    for here, nxt in itertools.pairwise(names):
        body.append(
            f"    @step\n    def {here}(self):\n        self.x = {len(body)}\n"
            f"        self.next(self.{nxt})\n"
        )
    body.append("    @step\n    def end(self):\n        pass\n")
    return (
        "from metaflow import FlowSpec, step\n\n\n"
        f"class Linear{n}Flow(FlowSpec):\n"
        + "\n".join(body)
        + f"\n\nif __name__ == '__main__':\n    Linear{n}Flow()\n"
    )


def prepare_flows(work: Path) -> list[tuple[str, Path]]:
    flows = []
    for shape in SHAPES:
        source = (REPO / "tests" / "shapes" / f"{shape}.py").read_text()
        # Metaflow must import its own API; flowc accepts both spellings.
        source = re.sub(r"^from flowc import", "from metaflow import", source, flags=re.M)
        path = work / f"{shape}.py"
        path.write_text(source)
        flows.append((shape, path))
    for n in SIZES:
        path = work / f"linear{n}.py"
        path.write_text(linear_flow(n))
        flows.append((f"linear{n}", path))
    return flows


def measure(
    name: str,
    path: Path,
    runs: int,
    work: Path,
    metaflow_python: str | None,
    env: dict[str, str] | None,
) -> Row:
    """flowc's and (when given) Metaflow's compile of one flow, runs interleaved."""
    from backends.argo import BACKEND
    from backends.base import TargetOptions
    from flowc.compiler import analyze_file

    out = work / "out" / name
    flowc = str(Path(sys.executable).with_name("flowc"))
    commands = [
        Command(
            [flowc, "compile", str(path), "-t", "argo", "--datastore", DATASTORE, "-o", str(out)],
            work,
        )
    ]
    ir = analyze_file(str(path)).ir
    assert ir is not None
    if metaflow_python:
        commands.append(
            Command(
                [
                    metaflow_python,
                    str(path),
                    "--no-pylint",
                    "argo-workflows",
                    "create",
                    "--only-json",
                ],
                work,
                env,
                # Metaflow's 1,000-step deploy takes minutes; one run keeps it bounded.
                runs=1 if len(ir.steps) >= 1000 else None,
            )
        )
    ours, *theirs = interleaved(commands, runs)
    if not ours.ok:
        raise SystemExit(f"flowc failed on {name}: {ours.error}")
    lib_times = []
    for _ in range(runs):
        start = time.perf_counter()
        ir = analyze_file(str(path)).ir
        assert ir is not None
        result = BACKEND.emit(ir, TargetOptions())
        lib_times.append(time.perf_counter() - start)
    text = result.files[0].content
    row = Row(
        name, len(ir.steps), ours.wall, ours.cpu, statistics.median(lib_times), len(text.encode())
    )
    for sample in theirs:
        record_metaflow(row, sample)
    return row


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """A moto S3 server on 127.0.0.1 with one bucket, stopped on exit."""

    def __init__(self) -> None:
        self.port = _free_port()
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        if moto is None:
            raise SystemExit("moto_server not found in this venv (pip install 'moto[server]')")
        self.proc = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MotoServer:
        import boto3

        deadline = time.time() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket="mf-bench")
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def metaflow_env(s3_url: str, home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "USERNAME": "bench",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "METAFLOW_HOME": str(home / ".metaflowconfig"),
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": "s3://mf-bench/metaflow",
        "METAFLOW_S3_ENDPOINT_URL": s3_url,
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_KUBERNETES_NAMESPACE": "default",
        "METAFLOW_KUBERNETES_CONTAINER_IMAGE": "python:3.11-slim",
    }


def report(rows: list[Row]) -> str:
    lines = [
        "| flow | steps | flowc wall (s) | flowc CPU (s) | flowc lib (ms) | flowc bytes/step "
        "| Metaflow wall (s) | Metaflow CPU (s) | Metaflow bytes/step | speed-up wall | "
        "speed-up CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.metaflow_cli is not None and r.metaflow_cpu is not None and r.metaflow_bytes:
            mf = (
                f"{r.metaflow_cli:.2f} | {r.metaflow_cpu:.2f} | "
                f"{r.metaflow_bytes / r.steps:,.0f} | {r.metaflow_cli / r.flowc_cli:.1f}x | "
                f"{r.metaflow_cpu / max(r.flowc_cpu, 1e-3):.1f}x"
            )
        else:
            mf = f"n/a | n/a | n/a | n/a | n/a {r.metaflow_error}".strip()
        lines.append(
            f"| {r.flow} | {r.steps} | {r.flowc_cli:.2f} | {r.flowc_cpu:.2f} | "
            f"{r.flowc_lib * 1000:.0f} | {r.flowc_bytes / r.steps:,.0f} | {mf} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metaflow-python", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="argo-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        flows = prepare_flows(work)
        env = None
        if args.metaflow_python:
            s3 = stack.enter_context(MotoServer())
            env = metaflow_env(s3.url, work)
        rows = []
        for name, path in flows:
            row = measure(name, path, args.runs, work, args.metaflow_python, env)
            rows.append(row)
            print(report([row]).splitlines()[-1], flush=True)
    table = report(rows) + f"\nMedians of {args.runs} runs; {conditions()}.\n"
    print(table)
    if args.out:
        Path(args.out).write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
