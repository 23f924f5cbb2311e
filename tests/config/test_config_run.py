"""Configs and parameters at run time (``flowc run --local``): what the tasks see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.runs import artifacts, local_store

FLOWS = Path(__file__).parent / "flows"
FLOWC = str(Path(sys.executable).with_name("flowc"))
IMMUTABLE = "TypeError: ConfigValue is immutable"
FROZEN = "AttributeError: Flow level attributes and Parameters are not modifiable"


def _run(
    flow: Path, datastore: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]:
    proc = subprocess.run(
        [FLOWC, "run", flow.name, "--datastore", str(datastore), "-q", *args],
        cwd=flow.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        return proc, {}
    run_id = proc.stdout.strip().splitlines()[-1]
    return proc, artifacts(local_store(str(datastore)), "ConfiguredFlow", run_id)


def test_steps_see_configs_everywhere_metaflow_allows(tmp_path: Path) -> None:
    proc, found = _run(FLOWS / "configured.py", tmp_path / "ds")
    assert proc.returncode == 0, proc.stderr
    start, end = found["start/_"], found["end/_"]
    assert start["seen"] == {
        "region": "eu-west-1",  # @environment(vars={...: cfg.region})
        "layers": "3",  # config_expr("str(...)")
        "attr": 3,
        "item": "Small",
        "mixed": "Small",
        "project": "small",  # @project(name=config_expr(...))
        "notes": ["ONE", "TWO"],  # the flow's own parser, run by the start task
        "made": {"flow": "ConfiguredFlow", "name": "made", "configs_none": True},
    }
    assert start["errors"] == [IMMUTABLE, IMMUTABLE, FROZEN, FROZEN, FROZEN]
    # Configs, parameters and class constants are artifacts of every task.
    for task in (start, end):
        assert task["settings"]["model"] == {"layers": 3, "name": "Small"}
        assert task["run"] == {"workers": 2, "mode": "fast"}
        assert (task["workers"], task["double"], task["LIMIT"]) == (2, 4, 7)
    assert end["env_mode"] == "fast"  # @environment(**cfg)
    assert end["total"] == 9


def test_config_options_override_and_are_checked(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"model": {"layers": 5, "name": "Big"}, "region": "us"}', encoding="utf-8")
    proc, found = _run(
        FLOWS / "configured.py",
        tmp_path / "ds",
        "--config",
        "settings",
        str(other),
        "--config-value",
        "run",
        '{"workers": 10, "mode": "slow"}',
    )
    assert proc.returncode == 0, proc.stderr
    start = found["start/_"]
    assert start["seen"]["region"] == "us" and start["seen"]["project"] == "big"
    assert (start["workers"], start["double"]) == (10, 20)
    proc, _ = _run(FLOWS / "configured.py", tmp_path / "ds", "--config", "settings", "nope.json")
    assert proc.returncode == 1
    assert "FC131" in proc.stderr and "nope.json" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_parameters_from_metaflow_run_variables(tmp_path: Path) -> None:
    env = {"METAFLOW_RUN_WORKERS": "6", "METAFLOW_RUN_DOUBLE": "1"}
    proc, found = _run(FLOWS / "configured.py", tmp_path / "ds", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (found["end/_"]["workers"], found["end/_"]["double"]) == (6, 1)
    # A value on the command line wins over the variable.
    proc, found = _run(FLOWS / "configured.py", tmp_path / "ds", "--workers", "3", env=env)
    assert proc.returncode == 0, proc.stderr
    assert found["end/_"]["workers"] == 3


def test_dashed_names_and_a_parameter_named_config(tmp_path: Path) -> None:
    flow = tmp_path / "dashed.py"
    flow.write_text(
        "from flowc import FlowSpec, JSONType, Parameter, step\n\n\n"
        "class ConfiguredFlow(FlowSpec):\n"
        '    max_items = Parameter("max-items", default=3)\n'
        '    config = Parameter("config", type=JSONType, default="{}")\n\n'
        "    @step\n"
        "    def start(self):\n"
        "        self.seen = (self.max_items, self.config)\n"
        "        self.next(self.end)\n\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n",
        encoding="utf-8",
    )
    env = {"METAFLOW_RUN_MAX_ITEMS": "8"}
    proc, found = _run(flow, tmp_path / "ds", "--config", '{"a": 1}', env=env)
    assert proc.returncode == 0, proc.stderr
    assert found["start/_"]["seen"] == (8, {"a": 1})
