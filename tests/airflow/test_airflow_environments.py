"""@pypi on real Airflow (``dag.test()``): every task's command bootstraps its step's
locked environment before the step, in local mode and in the KubernetesPodOperator's pod
command (run here as a local process). The tasks' interpreter (the project's) has neither
package; Airflow's has another termcolor, which no step sees. The Kubernetes case builds
with ``python -m venv`` and pip, as in an image without uv (``FLOWC_ENV_INSTALLER=pip``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.airflow.conftest import AIRFLOW_PYTHON, AirflowWorker
from tests.support import step_envs
from tests.support.airflow import artifacts, compile_dag, value

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.network]


@pytest.mark.parametrize(("operator", "installer"), [("local", "uv"), ("kubernetes", "pip")])
def test_each_task_runs_its_step_in_its_locked_environment(
    airflow: AirflowWorker, tmp_path: Path, operator: str, installer: str
) -> None:
    flow = step_envs.locked_flow(tmp_path / "flow")
    ir = step_envs.load(flow)
    addresses = step_envs.addresses(ir, flow)
    folder = airflow.dags / tmp_path.name
    folder.mkdir()
    datastore = tmp_path / "ds"
    dag_file, dag_id = compile_dag(
        flow, folder, datastore, operator, target={"environments": addresses}
    )
    assert dag_file.read_text().count("--environment") == 2
    cache = tmp_path / "cache"
    env = {"FLOWC_ENV_CACHE": str(cache), "FLOWC_ENV_INSTALLER": installer}
    result = airflow.request(
        cmd="test",
        file=str(dag_file),
        dag_id=dag_id,
        fake_pods=operator == "kubernetes",
        env=env,
    )
    assert result["state"] == "success", result
    found = artifacts(datastore, step_envs.FLOW, str(result["run_id"]))
    for step, seen in step_envs.EXPECTED.items():
        assert value(datastore, step_envs.FLOW, found[f"{step}/_"]["seen"]) == seen, step
    for step, values in step_envs.ARTIFACTS.items():
        for name, expected in values.items():
            assert value(datastore, step_envs.FLOW, found[f"{step}/_"][name]) == expected
    assert step_envs.built(cache) == sorted(addresses.values())
    if installer == "pip":
        # venv's own pip is in the environment; no uv was involved.
        assert all((cache / a / "bin" / "pip").exists() for a in addresses.values())


def test_airflows_own_termcolor_is_not_the_locked_one() -> None:
    """Airflow itself requires termcolor (another version than the lock's) and has no
    inflection, so a step that saw 2.4.0 saw its environment's, not Airflow's."""
    import subprocess

    probe = (
        "import importlib.util as u; from importlib.metadata import version; "
        "print(version('termcolor'), u.find_spec('inflection'))"
    )
    done = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", probe], capture_output=True, text=True, check=True
    )
    termcolor, inflection = done.stdout.split()
    assert termcolor != step_envs.EXPECTED["start"]["termcolor"]
    assert inflection == "None"
