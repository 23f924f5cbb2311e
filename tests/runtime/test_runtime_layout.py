"""The one-record layout: a trivial task is one small object, runs of the earlier layout
are still read, and a run killed at any moment resumes without losing or repeating a
committed task."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore
from tests.support.runtime import ROOT, run_local

WIDE = "tests/runtime/flows/wide.py"


def _files(root: str) -> list[str]:
    return [os.path.join(d, n) for d, _dirs, names in os.walk(root) for n in names]


def test_a_trivial_task_is_one_small_record(workdir: str) -> None:
    from flowc.client import Run

    result = run_local(WIDE, ["--width", "50"], cwd=workdir)
    assert result.ok
    run_dir = os.path.join(result.datastore, "WideFlow", "runs", result.run_id)
    square = os.path.join(run_dir, "square")
    assert sorted(os.listdir(square)) == sorted(f"{k}.json" for k in range(50))
    for name in os.listdir(square):
        with open(os.path.join(square, name), encoding="utf-8") as handle:
            record = json.loads(handle.read())
        assert os.path.getsize(os.path.join(square, name)) < 4096
        assert record["meta"]["status"] == "ok" and "inline" in record["artifacts"]["sq"]
    assert not [f for f in _files(result.datastore) if os.path.getsize(f) == 0]
    # blobs only for values too large to inline (the start's item list)
    blobs = _files(os.path.join(result.datastore, "WideFlow", "blobs"))
    assert len(blobs) == 1
    run = Run(f"WideFlow/{result.run_id}", datastore=result.datastore)
    assert run["join"].task.data.total == sum(i * i for i in range(50))
    task = run["square"]["square.7"]
    assert task.data.sq == 49 and task.stdout == "" and task.finished_at is not None


def test_runs_of_the_earlier_layout_are_still_read(tmp_path: object) -> None:
    """``TASK/committed.json`` beside ``TASK/attempt-N/{artifacts,meta}.json`` and logs."""
    from flowc.client import Run

    root = str(tmp_path)
    ds = FlowDatastore(open_object_store(root), "OldFlow")
    ds.write_run("r1", {"run_id": "r1", "created": 1.0, "parameters": {}})
    ref = ds.save_value(list(range(100)))
    small = ds.save_value(7)  # inline today; an earlier run had a blob for it
    ds.store.put(ds.blob_key(small.sha), small.inline or b"")
    refs = {"items": ref.to_json(), "seven": {"sha": small.sha, "size": small.size, "type": "int"}}
    for step, attempt in (("start", 1), ("end", 0)):
        prefix = f"OldFlow/runs/r1/{step}/_"
        meta = {"status": "ok", "started": 10.0, "finished": 11.0, "attempt": attempt}
        files = {
            "artifacts.json": json.dumps(refs),
            "meta.json": json.dumps(meta),
            "stdout.log": f"hello from {step}\n",
            "stderr.log": "",
        }
        for name, text in files.items():
            ds.store.put(f"{prefix}/attempt-{attempt}/{name}", text.encode())
        record = {"attempt": attempt, "status": "ok", "frames": []}
        ds.store.put(f"{prefix}/committed.json", json.dumps(record).encode())
    ds.store.put(
        "OldFlow/runs/r1/start/_/attempt-0/meta.json",
        json.dumps({"status": "failed", "started": 9.0}).encode(),
    )
    run = Run("OldFlow/r1", datastore=root, _namespace_check=False)
    start = run["start"].task
    assert start.finished and start.data.items == list(range(100)) and start.data.seven == 7
    assert start.stdout == "hello from start\n" and start.stderr == ""
    assert ds.attempts("r1", "start", "_") == [0, 1]
    assert ds.attempt_meta("r1", "start", "_", 0) == {"status": "failed", "started": 9.0}
    assert run["end"].task.finished_at is not None


def _committed(ds: FlowDatastore, run: str, step: str) -> dict[str, dict[str, object]]:
    found = {}
    for task in ds.list_tasks(run, step):
        record = ds.committed(run, step, task)
        if record is not None:
            found[task] = record
    return found


def test_a_run_killed_at_any_moment_resumes_without_losing_or_repeating_tasks(
    workdir: str,
) -> None:
    """SIGKILL the whole run (runner, fork server and tasks) while the foreach is half
    done, at three moments; each resume reuses every task committed so far, by
    reference, and runs only the rest."""
    datastore = os.path.join(workdir, "ds")
    ds = FlowDatastore(open_object_store(datastore), "WideFlow")
    flowc = [sys.executable, "-m", "flowc.cli"]
    env = dict(os.environ, FLOWC_DATASTORE=datastore)
    origin: str | None = None
    for stop_at in (20, 60, 120):
        args = ["resume", WIDE, origin] if origin else ["run", "--local", WIDE, "--width", "150"]
        process = subprocess.Popen(
            [*flowc, *args, "-q", "--max-workers", "4"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        run = _wait_for_run(ds, origin)
        deadline = time.time() + 120
        while len(_committed(ds, run, "square")) < stop_at and time.time() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        done = _committed(ds, run, "square")
        assert stop_at <= len(done) < 150
        if origin is not None:
            before = _committed(ds, origin, "square")
            cloned = {t for t, r in done.items() if r.get("cloned_from")}
            # nothing committed was lost, and no committed task ran again
            assert set(before) <= set(done)
            assert cloned <= set(before)
            for task in before:
                assert done[task]["meta"] == before[task]["meta"]
        assert not [k for k in ds.store.list(f"WideFlow/runs/{run}") if ".tmp-" in k]
        origin = run
    finished = subprocess.run(
        [*flowc, "resume", WIDE, origin, "-q", "--max-workers", "4"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    from flowc.client import Flow

    last = Flow("WideFlow", datastore=datastore).latest_run
    assert last.successful and last["join"].task.data.total == sum(i * i for i in range(150))
    before = _committed(ds, origin, "square")
    after = _committed(ds, last.id, "square")
    assert len(after) == 150
    for task, record in before.items():
        assert after[task]["meta"] == record["meta"]  # reused, not re-run


def _wait_for_run(ds: FlowDatastore, origin: str | None) -> str:
    deadline = time.time() + 60
    while time.time() < deadline:
        runs = [r for r in ds.list_runs() if r != origin and ds.read_run(r) is not None]
        fresh = [r for r in runs if (ds.read_run(r) or {}).get("origin_run_id") == origin]
        if fresh:
            return sorted(fresh)[-1]
        time.sleep(0.05)
    raise AssertionError("the run did not start")


def test_small_values_live_in_their_ref(tmp_path: object) -> None:
    """A value stored in at most INLINE_MAX_BYTES is no blob: no put, no read."""
    from runtime_shim.datastore import layout

    ds = FlowDatastore(open_object_store(str(tmp_path)), "F")
    small, large = ds.save_value(42), ds.save_value("x" * 200)
    assert small.inline is not None and large.inline is None
    assert list(ds.store.list("F")) == [ds.blob_key(large.sha)]
    again = layout.ArtifactRef.from_json(json.loads(json.dumps(small.to_json())))
    assert ds.load_value(again) == 42 and again == small
