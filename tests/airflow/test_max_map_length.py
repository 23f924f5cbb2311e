"""Airflow's ``[core] max_map_length``: the compiler's FC309 and real Airflow agree on
where a foreach's mapped tasks stop working.

The DAG maps a foreach body over the list the split pushes; Airflow 3 refuses a list
longer than ``max_map_length`` (checked by its API server when the split pushes it), so
the run fails there. The limit is set for the run through the environment
(``AIRFLOW__CORE__MAX_MAP_LENGTH``), as a deployment sets it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.airflow._limits import DEFAULT_MAX_MAP_LENGTH, MAX_MAP_LENGTH_OPTION
from backends.base import TargetOptions, get_backend
from flowc.compiler import analyze_source
from flowc.diagnostics import Diagnostic
from tests.airflow.conftest import AirflowWorker
from tests.support.airflow import compile_dag

FLOW = """
from metaflow import FlowSpec, Parameter, step


class MappedFlow(FlowSpec):
    width = Parameter("width", default={width})

    @step
    def start(self):
        self.items = list(range(self.width))
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.sq = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.sq for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass
"""
FOREACH_LINE = FLOW.splitlines().index('        self.next(self.square, foreach="items")') + 1


def _diagnostics(width: int, **extra: str) -> list[Diagnostic]:
    ir = analyze_source("mapped.py", FLOW.format(width=width)).ir
    assert ir is not None
    options = TargetOptions(datastore_root="s3://b/p", extra=extra)
    return get_backend("airflow").emit(ir, options).diagnostics


def _fc309(found: list[Diagnostic]) -> list[tuple[str | None, int]]:
    return [(d.subcode, d.span.start.line if d.span else 0) for d in found if d.code == "FC309"]


def test_default_limit_is_airflows() -> None:
    assert _fc309(_diagnostics(DEFAULT_MAX_MAP_LENGTH)) == []
    found = _diagnostics(DEFAULT_MAX_MAP_LENGTH + 1)
    assert _fc309(found) == [("max-map-length", FOREACH_LINE)]
    assert "AIRFLOW__CORE__MAX_MAP_LENGTH" in (found[0].hint or "")


def test_the_deployments_limit_comes_from_the_option() -> None:
    assert _fc309(_diagnostics(5000, **{MAX_MAP_LENGTH_OPTION: "5000"})) == []
    assert _fc309(_diagnostics(5001, **{MAX_MAP_LENGTH_OPTION: "5000"})) != []
    assert [d.code for d in _diagnostics(3, **{MAX_MAP_LENGTH_OPTION: "none"})] == ["FC305"]


@pytest.mark.airflow
@pytest.mark.slow
def test_real_airflow_fails_past_the_limit(airflow: AirflowWorker, tmp_path: Path) -> None:
    limit = 4
    assert _fc309(_diagnostics(limit, **{MAX_MAP_LENGTH_OPTION: str(limit)})) == []
    assert _fc309(_diagnostics(limit + 1, **{MAX_MAP_LENGTH_OPTION: str(limit)})) != []
    env = {"AIRFLOW__CORE__MAX_MAP_LENGTH": str(limit)}
    states = {}
    for width in (limit, limit + 1):
        flow = tmp_path / f"mapped_{width}.py"
        flow.write_text(FLOW.format(width=width).replace("MappedFlow", f"Mapped{width}Flow"))
        folder = airflow.dags / f"{tmp_path.name}-{width}"
        folder.mkdir()
        # Compiled for a deployment that allows the width, run where the limit is lower.
        dag_file, dag_id = compile_dag(
            flow, folder, tmp_path / f"ds-{width}", **{MAX_MAP_LENGTH_OPTION: str(width)}
        )
        result = airflow.request(cmd="test", file=str(dag_file), dag_id=dag_id, env=env)
        states[width] = (result["state"], {t["task_id"]: t["state"] for t in result["tasks"]})
    assert states[limit][0] == "success", states
    assert states[limit + 1][0] == "failed", states
    assert states[limit + 1][1]["start"] == "failed"
