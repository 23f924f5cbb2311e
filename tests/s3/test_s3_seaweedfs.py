"""The proof on a real S3-compatible server (SeaweedFS, credentials enforced).

Large artifacts, concurrent committers in separate processes, a retry overtaking a slow
first attempt, a task killed in the middle of a multipart upload, and clear errors for
bad credentials, missing permissions and missing buckets.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_BUCKET, seaweed_keys, unique_prefix

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore, decode
from runtime_shim.datastore.s3 import S3ObjectStore, new_client
from runtime_shim.datastore.s3_errors import (
    S3BucketNotFound,
    S3CredentialsError,
    S3PermissionError,
)
from runtime_shim.datastore.s3_settings import MIB, S3Settings

pytestmark = [pytest.mark.slow, pytest.mark.seaweedfs]
HERE = Path(__file__).resolve().parent
RACE_FLOW = str(HERE / "flows" / "race.py")


def store_for(server: Any, bucket: str = TEST_BUCKET, **credentials: str) -> S3ObjectStore:
    settings = S3Settings(endpoint_url=server.endpoint_url)
    client = new_client(settings, **(credentials or seaweed_keys(server)))
    return S3ObjectStore(bucket, unique_prefix(), settings=settings, client=client)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_artifacts_over_100_mb_round_trip(seaweed: Any, tmp_path: Path) -> None:
    store = store_for(seaweed)
    data = os.urandom(105 * MIB + 3)
    assert store.put("blobs/big", data, if_absent=True) is True
    head = store.client.head_object(Bucket=TEST_BUCKET, Key=store._object_key("blobs/big"))
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-6")  # 16 MiB parts, the last 25 MiB
    assert sha(store.get("blobs/big")) == sha(data)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert store.put_file("files/big", str(source), if_absent=True) is True
    target = tmp_path / "back.bin"
    store.get_to_file("files/big", str(target))
    assert target.stat().st_size == len(data)
    with open(target, "rb") as handle:
        assert hashlib.file_digest(handle, "sha256").hexdigest() == sha(data)
    # Through the datastore layout, as a pickled artifact.
    ds = FlowDatastore(store, "BigFlow")
    ref = ds.save_value(data)
    assert sha(ds.load_value(ref)) == sha(data)


def test_bad_credentials_are_a_clear_error(seaweed: Any) -> None:
    wrong_secret = store_for(
        seaweed, aws_access_key_id=seaweed.access_key, aws_secret_access_key="wrong"
    )
    unknown_key = store_for(seaweed, aws_access_key_id="nobody", aws_secret_access_key="x")
    for store in (wrong_secret, unknown_key):
        with pytest.raises(S3CredentialsError, match="rejected the credentials") as info:
            store.put("k", b"v")
        assert "AWS_ACCESS_KEY_ID" in str(info.value)
        assert store.url in str(info.value)
        with pytest.raises(S3CredentialsError):
            store.get("k")
        with pytest.raises(S3CredentialsError):
            list(store.list(""))
        # Never "not found": a HEAD that is refused must not look like a missing commit.
        with pytest.raises((S3CredentialsError, S3PermissionError)):
            store.exists("k")


def test_read_only_identity_cannot_write(seaweed: Any) -> None:
    writer = store_for(seaweed)
    writer.put("k", b"v")
    reader = S3ObjectStore(
        TEST_BUCKET,
        writer.prefix,
        settings=writer.settings,
        client=new_client(
            writer.settings,
            aws_access_key_id=seaweed.readonly_access_key,
            aws_secret_access_key=seaweed.readonly_secret_key,
        ),
    )
    assert reader.get("k") == b"v"
    with pytest.raises(S3PermissionError, match="access denied"):
        reader.put("k2", b"v")
    with pytest.raises(S3PermissionError):
        reader.put("k", b"v2", if_absent=True)


def test_missing_bucket_is_a_clear_error(seaweed: Any) -> None:
    store = store_for(seaweed, bucket="flowc-missing-bucket")
    with pytest.raises(S3BucketNotFound, match="'flowc-missing-bucket' does not exist"):
        store.put("k", b"v")
    with pytest.raises(S3BucketNotFound):
        store.get("k")
    with pytest.raises(S3BucketNotFound):
        store.exists("k")


def test_shim_reports_bad_credentials(seaweed_env: dict[str, str], tmp_path: Path) -> None:
    env = {**seaweed_env, "AWS_SECRET_ACCESS_KEY": "wrong"}
    result = subprocess.run(
        shim_command("start", "none", f"s3://{TEST_BUCKET}/{unique_prefix()}", 0),
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode != 0
    assert "rejected the credentials" in result.stderr


def shim_command(step: str, inputs: str, root: str, attempt: int, run: str = "r1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "runtime_shim",
        "step",
        RACE_FLOW,
        "--flow",
        "RaceFlow",
        "--step",
        step,
        "--inputs",
        inputs,
        "--run-id",
        run,
        "--index-path",
        "",
        "--attempt",
        str(attempt),
        "--datastore",
        root,
    ]


WRITER_MODES = {
    # Shared-task artifacts of 11 MiB over 5 MiB parts: commits race with multipart uploads.
    "conditional": (
        6,
        3,
        11 * MIB,
        {"FLOWC_S3_MULTIPART_THRESHOLD_MB": "5", "FLOWC_S3_PART_SIZE_MB": "5"},
    ),
    # The claim election (every if_absent write waits the settle time, so fewer tasks).
    "claims": (
        3,
        1,
        64 * 1024,
        {"FLOWC_S3_CONDITIONAL_WRITES": "off", "FLOWC_S3_CLAIM_SETTLE_SECONDS": "0.5"},
    ),
}


@pytest.mark.parametrize("mode", sorted(WRITER_MODES))
def test_concurrent_writers_lose_nothing_and_never_tear(
    mode: str, seaweed_env: dict[str, str], tmp_path: Path
) -> None:
    root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    shared, own, size, settings = WRITER_MODES[mode]
    writers = 4
    env = {**seaweed_env, **settings}
    start_at = time.time() + 6
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "race_writer.py"),
                root,
                "r1",
                str(writer),
                str(shared),
                str(own),
                str(size),
                str(start_at),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(writers)
    ]
    ds = FlowDatastore(open_object_store(root), "RaceFlow")
    torn: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        """While writers run, every commit that becomes visible must be complete."""
        while not stop.is_set():
            for task in range(shared):
                record = ds.committed("r1", "shared", str(task))
                if record is not None:
                    value = ds.load_value(ds.artifacts("r1", "shared", str(task), record)["value"])
                    if value["writer"] != record["attempt"] or sha(value["blob"]) != value["sha"]:
                        torn.append(f"task {task}: {record} -> writer {value['writer']}")
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        outputs = [process.communicate(timeout=300) for process in processes]
    finally:
        stop.set()
        watcher.join()
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    wins = [json.loads(out) for out, _ in outputs]
    assert torn == []
    for task in range(shared):
        winners = [writer for writer in range(writers) if task in wins[writer]]
        assert len(winners) == 1, f"task {task} won by {winners}"
        record = ds.committed("r1", "shared", str(task))
        assert record is not None and record["attempt"] == winners[0]
        assert record["meta"] == {"writer": winners[0]}
        value = ds.load_value(ds.artifacts("r1", "shared", str(task))["value"])
        assert value["writer"] == winners[0] and sha(value["blob"]) == value["sha"]
        assert ds.attempts("r1", "shared", str(task)) == list(range(writers))
    for writer in range(writers):
        assert ds.list_tasks("r1", f"own{writer}") == [str(t) for t in range(own)]
        for task in range(own):
            value = ds.load_value(ds.artifacts("r1", f"own{writer}", str(task))["value"])
            assert value["writer"] == writer and sha(value["blob"]) == value["sha"]


def test_retry_overtakes_a_slow_first_attempt(seaweed_env: dict[str, str], tmp_path: Path) -> None:
    root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    started, release = tmp_path / "attempt-0-running", tmp_path / "release-attempt-0"
    env = {
        **seaweed_env,
        # Attempt 0 is inside its step before the retry starts, and holds there until the
        # retry has committed, however slow the machine is.
        "RACE_STARTED_FILE": str(started),
        "RACE_RELEASE_FILE": str(release),
        "RACE_PAYLOAD_BYTES": str(6 * MIB),
        "FLOWC_S3_MULTIPART_THRESHOLD_MB": "5",
    }
    slow = subprocess.Popen(
        shim_command("start", "none", root, 0),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not started.exists():
        assert slow.poll() is None and time.monotonic() < deadline, "attempt 0 never started"
        time.sleep(0.05)
    retry = subprocess.run(
        shim_command("start", "none", root, 1),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert retry.returncode == 0, retry.stderr
    ds = FlowDatastore(open_object_store(root), "RaceFlow")
    assert slow.poll() is None, "the first attempt was meant to still be running"
    assert ds.committed("r1", "start", "_")["attempt"] == 1  # type: ignore[index]
    release.touch()
    _, err = slow.communicate(timeout=120)
    # The slow attempt finishes, loses the commit, and reports the winner's task as done.
    assert slow.returncode == 0, err
    assert ds.committed("r1", "start", "_")["attempt"] == 1  # type: ignore[index]
    assert ds.attempts("r1", "start", "_") == [0, 1]
    assert ds.attempt_meta("r1", "start", "_", 0) is not None
    artifacts = ds.artifacts("r1", "start", "_")
    assert ds.load_value(artifacts["attempt"]) == 1
    assert ds.load_value(artifacts["payload"]) == hashlib.sha256(b"1").digest() * (6 * MIB // 32)
    end = subprocess.run(
        shim_command("end", "same:start", root, 0),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert end.returncode == 0, end.stderr
    assert ds.load_value(ds.artifacts("r1", "end", "_")["seen"]) == 1


def test_task_killed_mid_upload_commits_nothing_and_its_retry_commits(
    seaweed: Any, seaweed_env: dict[str, str], tmp_path: Path
) -> None:
    prefix = unique_prefix()
    root = f"s3://{TEST_BUCKET}/{prefix}"
    env = {
        **seaweed_env,
        "RACE_PAYLOAD_BYTES": str(160 * MIB),
        "RACE_RANDOM": "1",
        "FLOWC_S3_MAX_CONCURRENCY": "1",
        "FLOWC_S3_PART_SIZE_MB": "5",
    }
    victim = subprocess.Popen(
        shim_command("start", "none", root, 0),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = seaweed.client()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and victim.poll() is None:
            uploads = client.list_multipart_uploads(Bucket=TEST_BUCKET, Prefix=prefix)
            if uploads.get("Uploads"):
                break
            time.sleep(0.1)
        assert victim.poll() is None, "the upload finished before it could be interrupted"
        time.sleep(0.5)  # some parts are in, the object is not complete
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    ds = FlowDatastore(open_object_store(root), "RaceFlow")
    assert ds.committed("r1", "start", "_") is None
    # Small artifacts saved before the payload may be there, complete; the payload is not.
    for key in ds.store.list("RaceFlow/blobs"):
        blob = ds.store.get(key)
        assert len(blob) < MIB
        decode(blob)  # a whole pickle
    retry = subprocess.run(
        shim_command("start", "none", root, 1),
        env={**env, "RACE_PAYLOAD_BYTES": "1024"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert retry.returncode == 0, retry.stderr
    assert ds.committed("r1", "start", "_")["attempt"] == 1  # type: ignore[index]
    assert ds.load_value(ds.artifacts("r1", "start", "_")["attempt"]) == 1


def test_a_flow_runs_from_a_code_package_on_s3(seaweed_env: dict[str, str], tmp_path: Path) -> None:
    """The 'plain image' case end to end: code and artifacts only on the S3 server."""
    project = tmp_path / "project"
    (project / "lib").mkdir(parents=True)
    (project / "lib" / "__init__.py").write_text("")
    (project / "lib" / "numbers.py").write_text("def triple(x):\n    return 3 * x\n")
    (project / "tripleflow.py").write_text(
        "from metaflow import FlowSpec, step\nfrom lib.numbers import triple\n\n\n"
        "class TripleFlow(FlowSpec):\n    @step\n    def start(self):\n"
        "        self.x = triple(14)\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        self.y = self.x + 0\n"
    )
    root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    env = {**seaweed_env, "FLOWC_CODE_PACKAGE_DIR": str(tmp_path / "cache")}
    packaged = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowc.cli",
            "package",
            str(project / "tripleflow.py"),
            "--datastore",
            root,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    url = packaged.stdout.strip()
    assert url.startswith(f"{root}/TripleFlow/packages/") and url.endswith(".tar.gz")
    container = tmp_path / "container"
    container.mkdir()
    for step_name, inputs in [("start", "none"), ("end", "same:start")]:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "runtime_shim",
                "step",
                "tripleflow.py",
                "--flow",
                "TripleFlow",
                "--step",
                step_name,
                "--inputs",
                inputs,
                "--run-id",
                "r1",
                "--index-path",
                "",
                "--attempt",
                "0",
                "--datastore",
                root,
                "--code-package",
                url,
            ],
            env=env,
            cwd=container,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    ds = FlowDatastore(open_object_store(root), "TripleFlow")
    assert ds.load_value(ds.artifacts("r1", "end", "_")["y"]) == 42
