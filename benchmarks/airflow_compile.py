"""Compile time: ``flowc compile --target airflow`` against Metaflow's ``airflow create``.

Both are measured the way a user runs them: a fresh process per compile, wall and CPU
time, medians of ``--repeat`` runs, the two tools' runs interleaved
(``benchmarks/_timing.py``). flowc is also timed in-process (analysis + emit, no
interpreter start-up).

Metaflow needs its own virtual environment (``--metaflow-python``) and, even to write a
DAG file, an S3 datastore and Kubernetes settings: it packages the code and uploads it.
The benchmark starts a local moto S3 server on 127.0.0.1 for that and points Metaflow at
it, so the measurement includes Metaflow's real code-package upload.

    python benchmarks/airflow_compile.py --metaflow-python /tmp/mfvenv-airflow/bin/python

Prints a Markdown table (the one in benchmarks/airflow.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import Command, conditions, interleaved

ROOT = Path(__file__).resolve().parents[1]
# Shapes Metaflow's Airflow support accepts (no switch, no nested or multi-step foreach),
# plus one it rejects, to record what happens.
FLOWS = ["linear", "branch", "foreach", "nested_branches", "decorators", "foreach_multistep"]
# Pods share artifacts through S3 (a local root would draw the FC306 warning).
DATASTORE = "s3://flowc-bench/flows"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _in_process(flow: Path, repeat: int) -> float:
    from backends.base import TargetOptions, get_backend
    from flowc.compiler import analyze_file

    backend = get_backend("airflow")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        ir = analyze_file(str(flow)).ir
        assert ir is not None
        backend.emit(ir, TargetOptions())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _moto(port: int) -> subprocess.Popen[bytes]:
    server = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


def _metaflow_env(port: int, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(home),
        "USERNAME": "bench",
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": "s3://bench/metaflow",
        "METAFLOW_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "METAFLOW_KUBERNETES_NAMESPACE": "default",
        "METAFLOW_KUBERNETES_CONTAINER_IMAGE": "python:3.11-slim",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metaflow-python", help="python of a venv with metaflow installed")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="flowc-bench-airflow-"))
    # The console script, as users and CI run it.
    flowc = [str(Path(sys.executable).with_name("flowc")), "compile"]
    env = dict(os.environ)
    proc = None
    mf_env: dict[str, str] = {}
    if args.metaflow_python:
        port = _free_port()
        proc = _moto(port)
        mf_env = _metaflow_env(port, work)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket="bench")
    rows = []
    try:
        for name in FLOWS:
            source = ROOT / "tests" / "shapes" / f"{name}.py"
            flow = work / f"{name}.py"
            shutil.copy(source, flow)
            out = work / f"dags-{name}"
            target = ["--target", "airflow", "--datastore", DATASTORE, "-o", str(out)]
            commands = [Command([*flowc, str(flow), *target], work, env)]
            if args.metaflow_python:
                create = ["--no-pylint", "airflow", "create", str(work / f"mf-{name}.py")]
                commands.append(Command([args.metaflow_python, str(flow), *create], work, mf_env))
            ours, *theirs = interleaved(commands, args.repeat)
            assert ours.ok, ours.error
            emit = _in_process(flow, args.repeat)
            rows.append((name, ours, emit, theirs[0] if theirs else None))
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
    print(
        "| flow | flowc compile wall (CPU) | flowc analyze+emit (in-process) "
        "| metaflow airflow create wall (CPU) | speed-up wall | speed-up CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    ratios = []
    for name, ours, emit, theirs in rows:
        if theirs is not None and theirs.ok:
            mf = f"{theirs.wall:.2f} s ({theirs.cpu:.2f} s)"
            ratio = (theirs.wall / ours.wall, theirs.cpu / max(ours.cpu, 1e-3))
            ratios.append(ratio)
            speed = f"{ratio[0]:.1f}x | {ratio[1]:.1f}x"
        else:
            mf, speed = f"fails: {theirs.error if theirs else 'not measured'}", "— | —"
        print(
            f"| {name} | {ours.wall * 1000:.0f} ms ({ours.cpu * 1000:.0f} ms) "
            f"| {emit * 1000:.1f} ms | {mf} | {speed} |"
        )
    if ratios:
        wall = statistics.geometric_mean(r[0] for r in ratios)
        cpu = statistics.geometric_mean(r[1] for r in ratios)
        print(f"\nGeometric mean speed-up: {wall:.1f}x wall, {cpu:.1f}x CPU")
    print(f"\nMedians of {args.repeat} runs; {conditions()}.")


if __name__ == "__main__":
    main()
