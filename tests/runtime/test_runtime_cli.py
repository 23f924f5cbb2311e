"""The commands as a user types them: run, resume, runs, logs, inspect, python flow.py run."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from tests.support.runtime import ROOT

FLOWC = [sys.executable, "-m", "flowc.cli"]


def flowc(workdir: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FLOWC_DATASTORE=os.path.join(workdir, ".flowc"))
    return subprocess.run(
        [*FLOWC, *args], cwd=workdir, capture_output=True, text=True, env=env, check=False
    )


def test_run_failure_shows_log_and_exception_then_resume(workdir: str) -> None:
    flow = os.path.join(workdir, "flaky.py")
    with open(os.path.join(ROOT, "tests/shapes/linear.py"), encoding="utf-8") as handle:
        source = handle.read()
    broken = source.replace(
        "    def end(self):\n",
        "    def end(self):\n        print('about to break')\n"
        "        raise ValueError('broken on purpose')\n",
        1,
    )
    assert broken != source
    with open(flow, "w", encoding="utf-8") as handle:
        handle.write(broken)
    done = flowc(workdir, "run", "--local", flow)
    assert done.returncode == 1
    run_id = done.stdout.strip()
    assert run_id and run_id in done.stderr
    assert "about to break" in done.stderr
    assert "ValueError: broken on purpose" in done.stderr
    listed = flowc(workdir, "runs", "LinearFlow")
    assert run_id in listed.stdout and "failed" in listed.stdout
    logs = flowc(workdir, "logs", f"{run_id}/end/_")
    assert "about to break" in logs.stdout and "broken on purpose" in logs.stderr

    with open(flow, "w", encoding="utf-8") as handle:
        handle.write(source)  # fix the step, then resume
    resumed = flowc(workdir, "resume", flow, "-q")
    assert resumed.returncode == 0, resumed.stderr
    new_id = resumed.stdout.strip()
    assert new_id != run_id
    inspect = flowc(workdir, "inspect", f"LinearFlow/{new_id}/end/_")
    assert inspect.returncode == 0 and "result" in inspect.stdout
    from flowc.commands.runs import show_run

    text = show_run(new_id, os.path.join(workdir, ".flowc"), echo=False)
    assert f"resumed from {run_id}" in text and "succeeded" in text


def python_flow(workdir: str, flow: str, *args: str) -> tuple[Any, str]:
    """``python FLOW ARGS`` (the flow file's own command line) with a datastore in
    ``workdir``; returns the finished process and that datastore."""
    datastore = os.path.join(workdir, ".flowc")
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, flow), *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ, FLOWC_DATASTORE=datastore),
        check=False,
    )
    return done, datastore


def test_python_flow_py_run_with_parameters_quiet(workdir: str) -> None:
    done, datastore = python_flow(
        workdir, "tests/shapes/parameters.py", "run", "-q", "--who", "you", "--count", "1"
    )
    assert done.returncode == 0, done.stderr
    from flowc.client import Run

    run = Run(f"ParametersFlow/{done.stdout.strip()}", datastore=datastore)
    assert run.data is not None and run.data.result["text"] == "hello you"
    assert run.parameters["who"] == "you"


def test_python_flow_py_run_for_a_metaflow_flow_without_metaflow(workdir: str) -> None:
    """``from metaflow import ...`` resolves to flowc's runtime when Metaflow is not
    installed (flowc-metaflow.pth), so the flow's own ``run`` command works."""
    flow = "tests/shapes/switch_skip.py"
    with open(os.path.join(ROOT, flow), encoding="utf-8") as handle:
        assert "from metaflow import" in handle.read()
    done, datastore = python_flow(workdir, flow, "run", "-q", "--choice", "skip")
    assert done.returncode == 0, done.stderr
    from flowc.client import Run

    run = Run(f"SwitchSkipFlow/{done.stdout.strip()}", datastore=datastore)
    assert run["merge"].task.data.summary == "skip:False"


def test_an_installed_metaflow_wins_over_the_fallback(workdir: str) -> None:
    fake = os.path.join(workdir, "site", "metaflow")
    os.makedirs(fake)
    with open(os.path.join(fake, "__init__.py"), "w", encoding="utf-8") as handle:
        handle.write("REAL = True\n")
    probe = (
        "import sys, metaflow\n"
        "print(getattr(metaflow, 'REAL', False), 'runtime_shim' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.path.join(workdir, "site"))
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["True", "False"]
    # Without it: flowc's runtime, loaded only by that import.
    quiet = subprocess.run(
        [sys.executable, "-c", "import sys; print('runtime_shim' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert quiet.stdout.strip() == "False"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import metaflow, runtime_shim.api as a; print(metaflow.step is a.step)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "True"


def test_bad_parameter_is_a_usage_error(workdir: str) -> None:
    done = flowc(
        workdir, "run", os.path.join(ROOT, "tests/shapes/parameters.py"), "--count", "many"
    )
    assert done.returncode == 2 and "--count" in done.stderr


def test_run_help_lists_the_flows_parameters(workdir: str) -> None:
    done = flowc(workdir, "run", os.path.join(ROOT, "tests/shapes/parameters.py"), "--help")
    assert done.returncode == 0
    assert "Parameters of ParametersFlow" in done.stdout and "--config JSON" in done.stdout
