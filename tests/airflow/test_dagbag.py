"""Every emitted DAG loads in Airflow's DagBag with zero import errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.airflow.conftest import SHAPES, AirflowWorker
from tests.support.airflow import compile_dag

pytestmark = pytest.mark.airflow

SHAPE_NAMES = sorted(p.stem for p in SHAPES.glob("*.py"))


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
def test_every_shape_loads(airflow: AirflowWorker, tmp_path: Path, operator: str) -> None:
    folder = airflow.dags / f"load-{operator}"
    folder.mkdir(exist_ok=True)
    expected = []
    for name in SHAPE_NAMES:
        _, dag_id = compile_dag(SHAPES / f"{name}.py", folder, tmp_path / "ds", operator)
        expected.append(dag_id)
    # a flow whose step names shadow builtins and the file's helpers
    flows = Path(__file__).with_name("flows")
    _, dag_id = compile_dag(flows / "builtin_names.py", folder, tmp_path / "ds", operator)
    expected.append(dag_id)
    loaded = airflow.request(cmd="load", file=str(folder))
    assert loaded["import_errors"] == {}
    assert loaded["dag_ids"] == sorted(expected)


def test_schedule_with_timezone_and_tags(airflow: AirflowWorker, tmp_path: Path) -> None:
    folder = airflow.dags / "scheduled"
    folder.mkdir(exist_ok=True)
    flows = Path(__file__).with_name("flows")
    dag_file, dag_id = compile_dag(
        flows / "scheduled.py", folder, tmp_path / "ds", target={"branch": "nightly"}
    )
    assert dag_id == "demo.test.nightly.ScheduledFlow"
    loaded = airflow.request(cmd="load", file=str(dag_file))
    assert loaded["import_errors"] == {}
    dag = loaded["dags"][dag_id]
    assert dag["timetable"]["expression"] == "30 6 * * 1-5"
    assert dag["timetable"]["timezone"] == "Europe/Berlin"
    assert dag["catchup"] is False
    assert dag["tags"] == ["branch:test.nightly", "flow:ScheduledFlow", "flowc", "project:demo"]
    assert dag["doc_md"] == "Runs on weekday mornings, Berlin time."


def test_golden_files_load(airflow: AirflowWorker) -> None:
    """The reviewed golden files are DAGs Airflow loads, as they are."""
    golden = Path(__file__).with_name("golden")
    for path in sorted(golden.glob("*.py")):
        loaded = airflow.request(cmd="load", file=str(path))
        assert loaded["import_errors"] == {}, path.name
        assert len(loaded["dag_ids"]) == 1, path.name
    loaded = airflow.request(cmd="load", file=str(golden / "two_events_kubernetes.py"))
    condition = loaded["dags"]["shop.user.flowc-tests.TwoEventsFlow"]["asset_condition"]
    assert condition.startswith("AssetAll(Asset(name='orders.ready'"), condition
