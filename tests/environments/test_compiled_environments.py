"""What a compiled spec says about @pypi: every target's task command names each step's
locked environment by its address, a missing or stale lock is FC211 at the decorator
(``compile`` and ``compile --check``), and the shim refuses a lock that does not hold the
environment the spec names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backends.base import TARGETS
from runtime_shim.environment import address
from tests.support import step_envs

pytestmark = pytest.mark.network


def flowc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowc.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return step_envs.locked_flow(tmp_path_factory.mktemp("locked"))


def addresses(flow: Path) -> dict[str, str]:
    document = json.loads(flow.with_suffix("").with_suffix(".flowc-lock.json").read_text())
    by_packages = {
        tuple(sorted(e["packages"])): address(e["python"], e["requirements"])
        for e in document["environments"].values()
    }
    return {"start": by_packages[("termcolor",)], "middle": by_packages[("inflection",)]}


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_names_the_locked_environment_of_each_step(
    locked: Path, tmp_path: Path, target: str
) -> None:
    out = tmp_path / "out"
    done = flowc(
        locked.parent,
        "compile",
        locked.name,
        "--target",
        target,
        "--datastore",
        "s3://b/p",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    (emitted,) = [p.read_text() for p in out.iterdir()]
    for step, wanted in addresses(locked).items():
        assert emitted.count(wanted) >= 1, (step, wanted)
    assert "--environment" in emitted
    # The step without @pypi names none: every occurrence belongs to start or middle.
    assert emitted.count("--environment") == 2
    check = flowc(
        locked.parent,
        "compile",
        locked.name,
        "--target",
        target,
        "--datastore",
        "s3://b/p",
        "-o",
        str(out),
        "--check",
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("target", TARGETS)
def test_a_missing_or_stale_lock_is_fc211_at_the_decorator(tmp_path: Path, target: str) -> None:
    flow = tmp_path / "step_envs.py"
    flow.write_text(step_envs.SOURCE.read_text())
    args = ["compile", flow.name, "--target", target, "--datastore", "s3://b/p"]
    missing = flowc(tmp_path, *args, "-o", "out")
    assert missing.returncode == 1
    assert "step_envs.py:19:" in missing.stderr and "FC211" in missing.stderr
    assert "there is no lock file" in missing.stderr and "flowc lock step_envs.py" in missing.stderr
    assert not (tmp_path / "out").exists()
    # A lock of another @pypi: the changed step's environment is not in it.
    (tmp_path / "step_envs.flowc-lock.json").write_text(
        json.dumps({"format": 1, "platform": "x86_64-manylinux_2_28", "environments": {}})
    )
    os.makedirs(tmp_path / "out")
    stale = flowc(tmp_path, *args, "-o", "out", "--check")
    assert stale.returncode == 1
    assert "step_envs.py:19:" in stale.stderr and "step_envs.py:28:" in stale.stderr
    assert "does not hold it" in stale.stderr


def test_the_task_refuses_a_lock_without_the_environment_it_names(
    locked: Path, tmp_path: Path
) -> None:
    wanted = addresses(locked)["start"]
    command = [
        sys.executable, "-m", "runtime_shim", "step", locked.name, "--flow", step_envs.FLOW,
        "--step", "start", "--inputs", "none", "--run-id", "r1",
        "--datastore", str(tmp_path / "ds"), "--environment", wanted,
    ]  # fmt: skip
    env = dict(os.environ, FLOWC_ENV_CACHE=str(tmp_path / "cache"))
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    (elsewhere / locked.name).write_text(locked.read_text())
    no_lock = subprocess.run(
        command, cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert no_lock.returncode == 1
    assert "cannot use the environment of step 'start'" in no_lock.stderr
    assert "cannot read the lock file" in no_lock.stderr and wanted in no_lock.stderr
    lock = elsewhere / "step_envs.flowc-lock.json"
    document = json.loads(locked.with_name(lock.name).read_text())
    for entry in document["environments"].values():
        entry["requirements"] = entry["requirements"].replace(
            "termcolor==2.4.0", "termcolor==2.3.0"
        )
    lock.write_text(json.dumps(document))
    changed = subprocess.run(
        command, cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert changed.returncode == 1
    assert f"holds no environment {wanted}" in changed.stderr
    assert "Traceback" not in no_lock.stderr + changed.stderr
    assert not (tmp_path / "ds").exists()


def test_a_task_uses_the_environment_an_image_holds_and_builds_nothing(
    locked: Path, tmp_path: Path
) -> None:
    baked = tmp_path / "image-envs"
    built = flowc(locked.parent, "lock", locked.name, "--check", "--build", str(baked))
    assert built.returncode == 0, built.stderr
    assert sorted(built.stdout.split()) == sorted(
        str(baked / a) for a in addresses(locked).values()
    )
    # The image holds the flow and its environments; the lock is not even needed.
    image = tmp_path / "image"
    image.mkdir()
    (image / locked.name).write_text(locked.read_text())
    cache = tmp_path / "pod-cache"
    command = [
        sys.executable, "-m", "runtime_shim", "step", locked.name, "--flow", step_envs.FLOW,
        "--step", "start", "--inputs", "none", "--run-id", "r1",
        "--datastore", str(tmp_path / "ds"), "--environment", addresses(locked)["start"],
    ]  # fmt: skip
    env = dict(os.environ, FLOWC_ENV_PATH=str(baked), FLOWC_ENV_CACHE=str(cache))
    done = subprocess.run(command, cwd=image, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "building environment" not in done.stderr
    assert step_envs.built(cache) == []  # only the runtime's links
    from flowc.client import Run

    task = Run(f"{step_envs.FLOW}/r1", str(tmp_path / "ds"))["start"].task
    assert task is not None and task.data.seen == step_envs.EXPECTED["start"]


def test_an_interpreter_that_is_not_the_environments_never_loops(
    locked: Path, tmp_path: Path
) -> None:
    wanted = addresses(locked)["start"]
    command = [
        sys.executable, "-m", "runtime_shim", "step", locked.name, "--flow", step_envs.FLOW,
        "--step", "start", "--inputs", "none", "--run-id", "r1",
        "--datastore", str(tmp_path / "ds"), "--environment", wanted,
    ]  # fmt: skip
    # As if an exec into the environment had landed in another interpreter.
    env = dict(os.environ, FLOWC_ENVIRONMENT_ENTERED=wanted)
    done = subprocess.run(
        command, cwd=locked.parent, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "does not run in environment" in done.stderr and "Traceback" not in done.stderr
