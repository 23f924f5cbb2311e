"""Compile time: flowc's Step Functions target against Metaflow's ``step-functions create``.

    .venv/bin/python benchmarks/sfn_compile.py [--metaflow-python /tmp/mfvenv-sfn/bin/python]
                                               [--runs 5] [--out benchmarks/stepfunctions.md]

For each flow (graph shapes Metaflow can deploy to Step Functions, and generated linear
flows of 10, 100 and 1,000 steps) it measures:

* flowc: wall and CPU time of ``flowc compile FLOW --target stepfunctions -o DIR`` (a
  fresh process, median of ``--runs``, interleaved with Metaflow's runs:
  ``benchmarks/_timing.py``), the in-process time of analyse + emit, and the ASL bytes;
* Metaflow (with ``--metaflow-python``): wall and CPU time of
  ``python FLOW step-functions create --only-json``. Even with ``--only-json`` Metaflow
  uploads a code package to S3 and registers an AWS Batch job definition, so a moto
  server (S3, IAM, Batch) is started on 127.0.0.1 for the benchmark only, with a job queue
  and the IAM roles Metaflow asks for. moto runs from Metaflow's venv
  (``pip install metaflow 'moto[server]'``).

Switch shapes are left out: Metaflow's Step Functions target rejects switches.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _timing import Command, conditions, interleaved, record_metaflow

REPO = Path(__file__).resolve().parents[1]
SHAPES = ["linear", "branch", "nested_branches", "foreach", "foreach_multistep", "nested_foreach3"]
SIZES = [10, 100, 1000]
ROLE = "arn:aws:iam::123456789012:role/metaflow-bench"


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
    from backends.base import TargetOptions
    from backends.stepfunctions import BACKEND
    from flowc.compiler import analyze_file

    out = work / "out" / name
    flowc = str(Path(sys.executable).with_name("flowc"))
    root = "s3://bench-bucket/flowc"
    target = ["--target", "stepfunctions", "--datastore", root, "-o", str(out)]
    commands = [Command([flowc, "compile", str(path), *target], work)]
    if metaflow_python:
        create = ["--no-pylint", "step-functions", "create", "--only-json"]
        commands.append(Command([metaflow_python, str(path), *create], work, env))
    ours, *theirs = interleaved(commands, runs)
    if not ours.ok:
        raise SystemExit(f"flowc failed on {name}: {ours.error}")
    lib_times = []
    for _ in range(runs):
        start = time.perf_counter()
        ir = analyze_file(str(path)).ir
        assert ir is not None
        result = BACKEND.emit(ir, TargetOptions(datastore_root=root))
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


class AwsStandIn:
    """A moto server (from Metaflow's venv) with the S3 bucket, IAM role and Batch job
    queue ``step-functions create`` needs; stopped on exit."""

    def __init__(self, python: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, MOTO_PORT=str(self.port))
        self.proc = subprocess.Popen(
            [
                python,
                "-c",
                "from moto.server import main; main()",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.job_queue = ""

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )

    def __enter__(self) -> AwsStandIn:
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.client("s3").create_bucket(Bucket="mf-bench")
        iam = self.client("iam")
        trust = json.dumps({"Version": "2012-10-17", "Statement": []})
        role = iam.create_role(RoleName="metaflow-bench", AssumeRolePolicyDocument=trust)
        batch = self.client("batch")
        ec2 = self.client("ec2")
        subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:1]
        groups = [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]][:1]
        env = batch.create_compute_environment(
            computeEnvironmentName="mf-bench",
            type="MANAGED",
            state="ENABLED",
            computeResources={
                "type": "FARGATE",
                "maxvCpus": 16,
                "subnets": subnets,
                "securityGroupIds": groups,
            },
            serviceRole=role["Role"]["Arn"],
        )
        queue = batch.create_job_queue(
            jobQueueName="mf-bench",
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[
                {"order": 1, "computeEnvironment": env["computeEnvironmentArn"]}
            ],
        )
        self.job_queue = queue["jobQueueArn"]
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: moto's threads may not stop
            self.proc.kill()
            self.proc.wait()


def metaflow_env(stand_in: AwsStandIn, home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "USERNAME": "bench",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": stand_in.url,
        "METAFLOW_HOME": str(home / ".metaflowconfig"),
        "METAFLOW_DEFAULT_DATASTORE": "s3",
        "METAFLOW_DATASTORE_SYSROOT_S3": "s3://mf-bench/metaflow",
        "METAFLOW_S3_ENDPOINT_URL": stand_in.url,
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_BATCH_JOB_QUEUE": stand_in.job_queue,
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": ROLE,
        "METAFLOW_SFN_IAM_ROLE": ROLE,
        "METAFLOW_SFN_DYNAMO_DB_TABLE": "metaflow-bench",
        "METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE": ROLE,
        "METAFLOW_ECS_FARGATE_EXECUTION_ROLE": ROLE,
    }


def report(rows: list[Row], runs: int) -> str:
    lines = [
        "| flow | steps | flowc wall (s) | flowc CPU (s) | flowc lib (ms) | flowc ASL bytes | "
        "Metaflow wall (s) | Metaflow CPU (s) | Metaflow JSON bytes | speed-up wall | "
        "speed-up CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.metaflow_cli is not None and r.metaflow_cpu is not None:
            mf = (
                f"{r.metaflow_cli:.2f} | {r.metaflow_cpu:.2f} | {r.metaflow_bytes or 0:,} | "
                f"{r.metaflow_cli / r.flowc_cli:.1f}x | "
                f"{r.metaflow_cpu / max(r.flowc_cpu, 1e-3):.1f}x"
            )
        else:
            mf = f"failed: {r.metaflow_error} | | | | |"
        lines.append(
            f"| {r.flow} | {r.steps} | {r.flowc_cli:.2f} | {r.flowc_cpu:.2f} "
            f"| {r.flowc_lib * 1000:.1f} | {r.flowc_bytes:,} | {mf} |"
        )
    lines.append("")
    lines.append(
        f"Medians of {runs} runs; wall and CPU times include interpreter start-up; {conditions()}."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metaflow-python", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=None, help="write the table here (markdown)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="sfn-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        env = None
        if args.metaflow_python:
            stand_in = stack.enter_context(AwsStandIn(args.metaflow_python))
            env = metaflow_env(stand_in, work)
        rows = []
        for name, path in prepare_flows(work):
            rows.append(measure(name, path, args.runs, work, args.metaflow_python, env))
            print(report(rows[-1:], args.runs).splitlines()[2], flush=True)
    table = report(rows, args.runs)
    print(table)
    if args.out:
        Path(args.out).write_text(table)


if __name__ == "__main__":
    main()
