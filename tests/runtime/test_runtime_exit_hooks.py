"""``@exit_hook`` in the local runner (``flowc run --local`` and ``python flow.py run``):
after the run, the functions its outcome selects run with the client ``Run``; a failing
hook is reported and changes nothing, as in Metaflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_shim.exit_hooks import chosen_hooks, wants_run
from tests.support.runtime import ROOT

FLOW = os.path.join(ROOT, "tests", "shapes", "exit_hooks.py")


def _run(tmp_path: Path, *args: str, command: str = "flowc") -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        FLOWC_DATASTORE=str(tmp_path / ".flowc"),
        FLOWC_TEST_HOOK_LOG=str(tmp_path / "hooks.log"),
    )
    argv = (
        [sys.executable, "-m", "flowc.cli", "run", "--local", FLOW, *args]
        if command == "flowc"
        else [sys.executable, FLOW, "run", *args]
    )
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)


def _log(tmp_path: Path) -> list[str]:
    return (tmp_path / "hooks.log").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("command", ["flowc", "python"])
def test_success_runs_on_success_hooks_with_the_run(tmp_path: Path, command: str) -> None:
    done = _run(tmp_path, command=command)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip().splitlines()[-1]
    assert _log(tmp_path) == [
        f"notify ExitHooksFlow/{run_id} successful=True result=42",
        "announce",
    ]


def test_failure_runs_on_error_hooks_and_still_fails(tmp_path: Path) -> None:
    done = _run(tmp_path, "--fail")
    assert done.returncode == 1
    run_id = done.stdout.strip().splitlines()[-1]
    assert _log(tmp_path) == ["announce", f"alarm ExitHooksFlow/{run_id} successful=False start=42"]


def test_a_failing_hook_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    flow = tmp_path / "broken_hook.py"
    flow.write_text(
        "from metaflow import FlowSpec, exit_hook, step\n\n\n"
        "def explode():\n    raise RuntimeError('hook exploded')\n\n\n"
        "def after():\n    print('after ran')\n\n\n"
        "@exit_hook(on_success=[explode, after, 'missing'])\n"
        "class BrokenHookFlow(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n",
        encoding="utf-8",
    )
    env = dict(os.environ, FLOWC_DATASTORE=str(tmp_path / ".flowc"))
    done = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "run", "--local", str(flow)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "RuntimeError: hook exploded" in done.stderr
    assert "[exit_hook] Hook 'explode' failed with exit status 1" in done.stdout
    assert "after ran" in done.stdout
    assert "[exit_hook] Could not load function 'missing'" in done.stdout
    assert "runtime_shim/exit_hooks.py" not in done.stderr  # the user's traceback only


def test_outcome_selects_the_list() -> None:
    never = lambda: pytest.fail("the datastore is asked only without a status")  # noqa: E731
    assert chosen_hooks(["a"], ["b"], "Succeeded", never) == (True, ["a"])
    assert chosen_hooks(["a"], ["b"], "Failed", never) == (False, ["b"])
    assert chosen_hooks(["a"], ["b"], "Error", never) == (False, ["b"])
    assert chosen_hooks(["a"], ["b"], None, lambda: True) == (True, ["a"])
    assert chosen_hooks(["a"], ["b"], None, lambda: False) == (False, ["b"])


def test_which_hooks_take_the_run() -> None:
    def takes(run: object) -> None: ...
    def keywords(**kwargs: object) -> None: ...
    def nothing() -> None: ...

    assert wants_run(takes) and wants_run(keywords) and not wants_run(nothing)
