"""``from metaflow import Runner`` and ``metaflow.runner.click_api``: the programmatic
command line, and the module paths tools import them from."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.support.flowcli import FlowDir

CLICK_API_PROBE = """
import click
from metaflow.runner.click_api import click_to_python_types, extract_all_params
from metaflow.cli import start
from metaflow.cli_components.run_cmds import run, resume
from metaflow._vendor import click as vendored
assert vendored is click
for command in (start, run, resume):
    _, arguments, options, annotations, defaults = extract_all_params(command)
    for param in command.params:
        click_to_python_types[type(param.type)]
    print(command.name, sorted(options), sorted(arguments))
"""


def test_click_api_introspection_uses_metaflows_parameter_names(flowdir: FlowDir) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CLICK_API_PROBE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = {line.split(" ", 1)[0]: line for line in done.stdout.splitlines()}
    for name in (
        "metadata", "datastore", "datastore_root", "environment", "event_logger", "monitor",
        "quiet", "pylint", "decospecs", "branch", "production", "config", "config_value",
    ):  # fmt: skip
        assert f"'{name}'" in lines["start"]
    for name in (
        "tags", "max_workers", "max_num_splits", "decospecs", "run_id_file",
        "runner_attribute_file", "user_namespace",
    ):  # fmt: skip
        assert f"'{name}'" in lines["run"]
    assert "'origin_run_id'" in lines["resume"] and "['step_to_rerun']" in lines["resume"]


def test_importing_metaflow_does_not_load_the_command_line() -> None:
    """The aliases load on first use: a task that imports metaflow never pays for click."""
    probe = (
        "import sys, metaflow\n"
        "print('click' in sys.modules, 'flowc.flowcli.start' in sys.modules)\n"
        "from metaflow import Runner\n"
        "import metaflow.cli, metaflow.runner.metaflow_runner as m\n"
        "print(metaflow.cli.start.name, m.Runner is Runner)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False", "start", "True"], done.stderr


def test_metaflow_api_builds_the_command_line(flowdir: FlowDir) -> None:
    from flowc.flowcli.click_api import MetaflowAPI
    from flowc.flowcli.start import start

    api = MetaflowAPI.from_cli(flowdir.flow, start)
    words = api(metadata="local", quiet=True, pylint=False, decospecs=["retry"]).run(
        alpha=3, tags=["a", "b"], max_workers=4
    )
    assert words[0] == flowdir.flow
    top, verb = words[1 : words.index("run")], words[words.index("run") + 1 :]
    assert top == ["--quiet", "--metadata", "local", "--with", "retry", "--no-pylint"]
    assert verb == ["--tag", "a", "--tag", "b", "--max-workers", "4", "--alpha", "3"]
    with pytest.raises(ValueError, match="Unknown argument: 'beta'"):
        api().run(beta=1)
    with pytest.raises(ValueError, match="Unknown argument"):
        api(no_such_option=1)


def test_runner_runs_and_resumes(flowdir: FlowDir) -> None:
    from flowc.flowcli.runner import Runner

    env = {"FLOWC_DATASTORE": flowdir.datastore, "FAIL_STEP": "work"}
    with Runner(flowdir.flow, show_output=False, env=env, cwd=flowdir.path, quiet=True) as runner:
        failed = runner.run(alpha=2, max_workers=2, run_id_file="rid")
        assert failed.status == "failed" and failed.returncode == 1
        assert "work fails on purpose" in failed.stderr
        assert failed.command_obj.process.returncode == 1
        assert failed.command_obj.command[1] == flowdir.flow
        assert os.path.isfile(failed.command_obj.log_files["stdout"])
        assert failed.run.id == flowdir.read("rid")

        runner.env_vars.pop("FAIL_STEP")
        resumed = runner.resume(origin_run_id=failed.run.id)
        assert resumed.status == "successful" and resumed.returncode == 0
        assert resumed.run.origin_run_id == failed.run.id
        assert resumed.run["end"].task.data.result == 10


def test_runner_async_run(flowdir: FlowDir) -> None:
    from flowc.flowcli.runner import Runner

    async def main() -> tuple[str, str, int]:
        runner = Runner(flowdir.flow, show_output=False, env={"FLOWC_DATASTORE": flowdir.datastore})
        async with runner:
            running = await runner.async_run(alpha=1)
            assert running.status in ("running", "successful")
            await running.wait(timeout=120)
            return running.status, running.stdout, running.run["end"].task.data.result

    status, stdout, result = asyncio.run(main())
    assert status == "successful" and result == 5 and stdout.strip()


def test_runner_rejects_bad_arguments_before_running(flowdir: FlowDir) -> None:
    from flowc.flowcli.runner import NBRunner, Runner

    with pytest.raises(FileNotFoundError):
        Runner(os.path.join(flowdir.path, "missing.py"))
    with pytest.raises(ValueError, match="Unknown argument"):
        Runner(flowdir.flow, colour="red")
    with pytest.raises(ValueError, match="no source file"):
        NBRunner(type("InCell", (), {"__module__": "not_a_module"}))
    assert not os.path.exists(flowdir.datastore)
