"""The shim command's contract, run exactly as the backends run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.runtime import ROOT

FOREACH = os.path.join(ROOT, "tests/shapes/recursive_switch_in_foreach.py")
FLOW = "RecursiveSwitchInForeachFlow"


def shim(
    workdir: str, step: str, rule: str, index: str = "", *extra: str, attempt: int = 0
) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "runtime_shim",
        "step",
        FOREACH,
        "--flow",
        FLOW,
        "--step",
        step,
        "--inputs",
        rule,
        "--run-id",
        "r1",
        "--index-path",
        index,
        "--attempt",
        str(attempt),
        "--datastore",
        os.path.join(workdir, "ds"),
        *extra,
    ]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_foreach_and_switch_outputs_and_iterations(workdir: str) -> None:
    fo, fc = os.path.join(workdir, "fo.json"), os.path.join(workdir, "fc.txt")
    done = shim(workdir, "start", "none", "", "--foreach-out", fo, "--foreach-count-out", fc)
    assert done.returncode == 0, done.stderr
    assert json.loads(read(fo)) == ["0", "1", "2"] and read(fc) == "3"
    assert shim(workdir, "prepare", "enter:start", "1").returncode == 0
    targets = []
    for k in range(3):
        out = os.path.join(workdir, f"sw{k}")
        done = shim(
            workdir, "loop", "any:prepare,loop", "1", "--iteration", str(k), "--switch-out", out
        )
        assert done.returncode == 0, done.stderr
        targets.append(read(out))
    assert targets == ["loop", "loop", "after"]  # limit 3 at index 1
    assert shim(workdir, "after", "same:loop", "1").returncode == 0
    task_dir = os.path.join(workdir, "ds", FLOW, "runs", "r1", "loop")
    assert sorted(os.listdir(task_dir)) == ["1.json", "1@1.json", "1@2.json"]
    from flowc.client import Run

    run = Run(f"{FLOW}/r1", datastore=os.path.join(workdir, "ds"))
    assert run["after"]["1"].data.count == 3
    assert run["loop"]["1@1"].data.count == 2


def test_failed_attempt_is_not_visible_and_rerun_is_idempotent(workdir: str) -> None:
    done = shim(workdir, "prepare", "enter:start", "0")
    assert done.returncode == 1 and "not committed" in done.stderr
    assert shim(workdir, "start", "none").returncode == 0
    task = os.path.join(workdir, "ds", FLOW, "runs", "r1", "prepare", "0")
    assert os.listdir(task) == ["attempt-0.json"]  # recorded, not committed
    assert not os.path.exists(task + ".json")
    meta = json.loads(read(os.path.join(task, "attempt-0.json")))["meta"]
    assert meta["status"] == "failed" and "InputError" in meta["exception"]["type"]
    assert shim(workdir, "prepare", "enter:start", "0", attempt=1).returncode == 0
    record = json.loads(read(task + ".json"))
    assert record["attempt"] == 1 and record["meta"]["attempt"] == 1
    fo = os.path.join(workdir, "again.json")
    again = shim(workdir, "start", "none", "", "--foreach-out", fo, attempt=5)
    assert again.returncode == 0 and json.loads(read(fo)) == ["0", "1", "2"]
    step = os.path.join(workdir, "ds", FLOW, "runs", "r1", "start")
    # the record, and beside it only the split's item list: attempt 5 never ran
    assert sorted(os.listdir(step)) == ["_", "_.json"]
    assert os.listdir(os.path.join(step, "_")) == ["attempt-0"]
    assert os.listdir(os.path.join(step, "_", "attempt-0")) == ["foreach.json"]


def test_bad_param_is_a_usage_error(workdir: str) -> None:
    done = shim(workdir, "start", "none", "", "--param", "x=not json")
    assert done.returncode == 2 and "--param x" in done.stderr
