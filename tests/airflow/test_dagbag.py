"""Every emitted DAG loads in Airflow's DagBag with zero import errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.airflow.conftest import SHAPES, AirflowWorker
from tests.airflow.support import compile_dag

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
    loaded = airflow.request(cmd="load", file=str(folder))
    assert loaded["import_errors"] == {}
    assert loaded["dag_ids"] == sorted(expected)
