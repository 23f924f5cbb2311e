"""Real Airflow (``dag.test()``, local operator) runs a DAG whose IncludeFile was captured
when ``flowc compile`` wrote it: the original data file is changed and the config file
deleted before the run, and the start task still sees what was compiled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.airflow.conftest import AirflowWorker
from tests.support.airflow import artifacts, value

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import Config, FlowSpec, IncludeFile, step


class AirflowDataFlow(FlowSpec):
    rows = IncludeFile("rows", default="rows.txt")
    settings = Config("settings", default="settings.json")

    @step
    def start(self):
        self.lines = self.rows.splitlines()
        self.region = self.settings.region
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_a_dag_run_reads_the_compiled_contents(airflow: AirflowWorker, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    flow = src / "airflowdataflow.py"
    flow.write_text(FLOW)
    (src / "rows.txt").write_text("one\ntwo\n")
    (src / "settings.json").write_text('{"region": "us-east-2"}')
    folder = airflow.dags / tmp_path.name
    datastore = tmp_path / "ds"
    command = [FLOWC, "compile", flow.name, "--target", "airflow", "-o", str(folder)]
    command += ["--datastore", str(datastore), "--python", sys.executable]
    command += ["--option", "operator=local", "--option", f"flow_file={flow}"]
    done = subprocess.run(
        command,
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (dag_file,) = folder.glob("*.py")
    (src / "rows.txt").write_text("changed\n")
    (src / "settings.json").unlink()
    result = airflow.request(cmd="test", file=str(dag_file), dag_id=dag_file.stem)
    assert result["state"] == "success", result
    found = artifacts(datastore, "AirflowDataFlow", str(result["run_id"]))
    start = found["start/_"]
    assert value(datastore, "AirflowDataFlow", start["lines"]) == ["one", "two"]
    assert value(datastore, "AirflowDataFlow", start["region"]) == "us-east-2"
