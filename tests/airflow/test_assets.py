"""``@trigger``/``@trigger_on_finish`` on real Airflow: assets.

An upstream DAG runs (``dag.test()``); its end task's asset event, with the finished
run's payload, is in the metadata DB; then the scheduler's own run creation
(``SchedulerJobRunner._create_dagruns_for_dags``) decides which downstream DAGs the
queued asset events start, and the asset-triggered run it created is executed with
``dag.test()``'s task loop, so the tasks read the events the run consumed. A
``@trigger`` event from outside is registered as Airflow's REST API registers one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.airflow.conftest import AirflowWorker
from tests.support.airflow import artifacts, compile_dag, load_ir, value

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EVENT_FLOWS = ROOT / "tests" / "events" / "flows"
FLOWS = Path(__file__).with_name("flows")


def _compile(airflow: AirflowWorker, tmp_path: Path, operator: str, *flows: Path) -> Path:
    """The flows' DAGs, with DAG ids of their own (``FLOW_OPERATOR``): DAGs of every test
    share the DAGs folder, and the assets are named after the flows."""
    folder = airflow.dags / tmp_path.name
    folder.mkdir(exist_ok=True)
    datastore = tmp_path / "ds"
    for flow in flows:
        dag_id = f"{load_ir(flow).name}_{operator}"
        compile_dag(flow, folder, datastore, operator, dag_id=dag_id)
    return folder


def _start(datastore: Path, flow: str, run_id: str) -> dict[str, Any]:
    start = artifacts(datastore, flow, run_id)["start/_"]
    return {name: value(datastore, flow, sha) for name, sha in start.items()}


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
def test_finished_run_starts_the_downstream_dags(
    airflow: AirflowWorker, tmp_path: Path, operator: str
) -> None:
    folder = _compile(
        airflow,
        tmp_path,
        operator,
        EVENT_FLOWS / "upstream.py",
        EVENT_FLOWS / "downstream.py",
        FLOWS / "on_upstream_event.py",
    )
    fake_pods = operator == "kubernetes"

    def dag(flow: str) -> dict[str, Any]:
        dag_id = f"{flow}_{operator}"
        return {"file": str(folder / f"{dag_id}.py"), "dag_id": dag_id, "fake_pods": fake_pods}

    up = airflow.request(cmd="test", **dag("UpstreamFlow"))
    assert up["state"] == "success", up
    pathspec = f"UpstreamFlow/{up['run_id']}/end/end"
    events = airflow.request(cmd="asset_events", asset="metaflow.UpstreamFlow.end")["events"]
    (event,) = [e for e in events if e["source_run_id"] == up["run_id"]]
    assert event["source_dag_id"] == "UpstreamFlow_" + operator
    assert event["extra"] == {
        "flow_name": "UpstreamFlow",
        "run_id": up["run_id"],
        "step_name": "end",
        "task_id": "end",
        "id": pathspec,
        "pathspec": pathspec,
        "auto-generated-by-metaflow": True,
    }
    datastore = tmp_path / "ds"
    down = airflow.request(cmd="scheduled_run", **dag("DownstreamFlow"))
    assert down["created"] and down["state"] == "success", down
    assert [e["asset"] for e in down["consumed"]] == ["metaflow.UpstreamFlow.end"]
    start = _start(datastore, "DownstreamFlow", down["run_id"])
    assert start["triggered"] is True
    assert start["event_names"] == ["metaflow.UpstreamFlow.end"]
    assert start["event_types"] == ["run"]
    assert start["event_id"] == pathspec
    assert start["upstream_value"] == 41
    assert start["by_name"] == up["run_id"]
    end = artifacts(datastore, "DownstreamFlow", down["run_id"])["end/_"]
    assert value(datastore, "DownstreamFlow", end["end_sees_trigger"]) is True

    on_event = airflow.request(cmd="scheduled_run", **dag("OnUpstreamEventFlow"))
    assert on_event["created"] and on_event["state"] == "success", on_event
    start = _start(datastore, "OnUpstreamEventFlow", on_event["run_id"])
    assert start["seen_run"] == up["run_id"]
    assert start["event_id"] == pathspec  # a plain event's id is its payload's "id"
    # The events were consumed: the scheduler starts no second run.
    again = airflow.request(cmd="scheduled_run", **dag("DownstreamFlow"))
    assert again == {"created": False}


def test_published_event_fills_typed_parameters(airflow: AirflowWorker, tmp_path: Path) -> None:
    folder = _compile(airflow, tmp_path, "local", FLOWS / "data_ready.py")
    dag_file = str(folder / "DataReadyFlow_local.py")
    manual = airflow.request(cmd="test", file=dag_file, dag_id="DataReadyFlow_local")
    assert manual["state"] == "success", manual
    datastore = tmp_path / "ds"
    start = _start(datastore, "DataReadyFlow", manual["run_id"])
    assert start["seen"] == [1, "none"] and start["event"] is None
    payload = {"rows": "5", "id": "evt-1", "source": "warehouse"}
    airflow.request(cmd="asset_events", create=[{"asset": "data.ready", "extra": payload}])
    run = airflow.request(cmd="scheduled_run", file=dag_file, dag_id="DataReadyFlow_local")
    assert run["created"] and run["state"] == "success", run
    start = _start(datastore, "DataReadyFlow", run["run_id"])
    assert start["seen"] == [5, "none"]
    assert start["event"] == ["data.ready", "evt-1", "event", {**payload, "from_rest_api": True}]


def test_several_events_all_must_arrive(airflow: AirflowWorker, tmp_path: Path) -> None:
    """``@trigger(events=[...])`` is an ``AssetAll``: the scheduler starts no run until
    every event has arrived, as Metaflow's Sensor waits for all its dependencies."""
    folder = _compile(airflow, tmp_path, "local", FLOWS / "two_events.py")
    dag_file = str(folder / "TwoEventsFlow_local.py")
    loaded = airflow.request(cmd="load", file=dag_file)
    assert loaded["import_errors"] == {}
    condition = loaded["dags"]["TwoEventsFlow_local"]["asset_condition"]
    assert condition.startswith("AssetAll(Asset(name='orders.ready'")
    assert "Asset(name='stock.ready'" in condition
    airflow.request(cmd="asset_events", create=[{"asset": "orders.ready", "extra": {"day": "mon"}}])
    early = airflow.request(cmd="scheduled_run", file=dag_file, dag_id="TwoEventsFlow_local")
    assert early == {"created": False}
    airflow.request(cmd="asset_events", create=[{"asset": "stock.ready", "extra": {}}])
    run = airflow.request(cmd="scheduled_run", file=dag_file, dag_id="TwoEventsFlow_local")
    assert run["created"] and run["state"] == "success", run
    assert sorted(e["asset"] for e in run["consumed"]) == ["orders.ready", "stock.ready"]
    start = _start(tmp_path / "ds", "TwoEventsFlow", run["run_id"])
    assert start["seen_day"] == "mon"
    # The project's deployed name (production, no branch given) names its own asset.
    events = airflow.request(cmd="asset_events", asset="metaflow.shop.prod.TwoEventsFlow.end")
    (finished,) = [e for e in events["events"] if e["source_run_id"] == run["run_id"]]
    assert finished["extra"]["project_name"] == "shop"
    assert finished["extra"]["branch_name"] == "prod"
    assert finished["extra"]["is_production"] == "True"
    assert finished["extra"]["project_flow_name"] == "shop.prod.TwoEventsFlow"
