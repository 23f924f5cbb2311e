"""A long-lived Airflow process for the tests: loads DAG files and runs ``dag.test()``.

Runs inside ``.venv-airflow`` (started by ``conftest.py``), so the first ``dag.test()``
cost is paid once per session. Protocol: one JSON request per line on stdin, one JSON
response per line on the original stdout (Airflow's own output goes to stderr).

Requests: ``{"cmd": "load", "file": F}`` → import errors and DAG ids;
``{"cmd": "test", "file": F, "dag_id": D, "conf": {...}}`` → the DagRun's state and its
task instances (``"env": {...}`` adds variables to the tasks' environment).
With ``"fake_pods": true`` the KubernetesPodOperator's ``execute`` is
replaced: the pod it would create is built as Airflow builds it, and its container
command runs here as a local process (``/airflow/xcom`` mapped to a scratch directory),
so a KubernetesPodOperator DAG runs end to end without a cluster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from typing import Any

PODS: list[dict[str, Any]] = []


def _fake_execute(self: Any, context: Any) -> Any:
    pod = self.build_pod_request_obj(context, dry_run=True)
    container = pod.spec.containers[0]
    env = {e.name: e.value for e in (container.env or [])}
    PODS.append(
        {
            "task_id": self.task_id,
            "command": container.command,
            "args": container.args,
            "env": env,
            "env_from": [s.secret_ref.name for s in (container.env_from or []) if s.secret_ref],
            "resources": container.resources.to_dict() if container.resources else None,
            "image": container.image,
            "namespace": pod.metadata.namespace,
            "pod": {
                "labels": pod.metadata.labels,
                "annotations": pod.metadata.annotations,
                "node_selector": pod.spec.node_selector,
                "service_account_name": pod.spec.service_account_name,
                "tolerations": [t.to_dict() for t in pod.spec.tolerations or []],
                "volumes": [v.to_dict() for v in pod.spec.volumes or []],
                "volume_mounts": [m.to_dict() for m in container.volume_mounts or []],
                "image_pull_policy": container.image_pull_policy,
                "image_pull_secrets": [s.name for s in pod.spec.image_pull_secrets or []],
            },
        }
    )
    with tempfile.TemporaryDirectory() as xcom_dir:
        # The pod's own /airflow/xcom and /tmp, private to this task as in a real pod.
        # (The output file first: the directory it is mapped to is under /tmp itself.)
        private = {
            "/tmp/flowc-output": os.path.join(xcom_dir, "flowc-output"),
            "/airflow/xcom": xcom_dir,
        }
        command = list(container.command)
        for path, there in private.items():
            command = [part.replace(path, there) for part in command]
        done = subprocess.run(
            [*command, *container.args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(done.stdout + done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"pod command failed with exit code {done.returncode}")
        if self.do_xcom_push:
            with open(os.path.join(xcom_dir, "return.json"), encoding="utf-8") as handle:
                return json.load(handle)
    return None


def _load(request: dict[str, Any]) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=request["file"])
    return {
        "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
        "dag_ids": sorted(bag.dag_ids),
        "dags": {
            dag_id: {
                "tags": sorted(dag.tags),
                "timetable": {
                    "expression": getattr(dag.timetable, "expression", None),
                    "timezone": str(getattr(dag.timetable, "timezone", None)),
                },
                "catchup": dag.catchup,
                "asset_condition": repr(getattr(dag.timetable, "asset_condition", None)),
                "doc_md": dag.doc_md,
            }
            for dag_id, dag in bag.dags.items()
        },
    }


def _test(request: dict[str, Any]) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    original = KubernetesPodOperator.execute
    if request.get("fake_pods"):
        KubernetesPodOperator.execute = _fake_execute
    PODS.clear()
    saved_env = dict(os.environ)
    os.environ.update(request.get("env") or {})  # for the tasks of this run only
    try:
        bag = DagBag(dag_folder=request["file"])
        if bag.import_errors:
            return {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}
        dag = bag.get_dag(request["dag_id"])
        run = dag.test(run_conf=request.get("conf") or None)
        tis = [
            {
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "state": str(ti.state),
                "try_number": ti.try_number,
            }
            for ti in run.get_task_instances()
        ]
        tis.sort(key=lambda t: (t["task_id"], t["map_index"]))
        response = {"state": str(run.state), "run_id": run.run_id, "tasks": tis, "pods": list(PODS)}
        if request.get("inspect"):
            response["doc_md"] = dag.doc_md
            response["param_defaults"] = {k: v for k, v in dag.params.dump().items()}
        return response
    finally:
        KubernetesPodOperator.execute = original
        os.environ.clear()
        os.environ.update(saved_env)


def _sync_dags() -> None:
    """Write every DAG of the DAGs folder to the metadata DB, as ``dag.test()`` does."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    manager = DagBundlesManager()
    with create_session() as session:
        manager.sync_bundles_to_db(session=session)
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name)
        sync_bag_to_db(bag, bundle.name, bundle.version)


def _asset_events(request: dict[str, Any]) -> dict[str, Any]:
    """The asset events of the metadata DB (``{"asset": NAME}`` filters), oldest first;
    ``"create": [{"asset": NAME, "extra": {...}}]`` first registers events as Airflow's
    REST API ``POST /api/v2/assets/events`` does (``AssetManager.register_asset_change``)."""
    from airflow.api_fastapi.core_api.datamodels.assets import CreateAssetEventsBody
    from airflow.assets.manager import AssetManager
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    _sync_dags()
    with create_session() as session:
        for event in request.get("create", []):
            asset = session.scalar(select(AssetModel).where(AssetModel.name == event["asset"]))
            if asset is None:
                return {"error": f"no asset {event['asset']!r} in the metadata DB"}
            # The endpoint's own request body model (it marks the extra from_rest_api).
            body = CreateAssetEventsBody(asset_id=asset.id, extra=event["extra"])
            AssetManager.register_asset_change(
                asset=asset, extra=body.extra, session=session, source_is_api=True
            )
        session.commit()
        query = select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
        query = query.order_by(AssetEvent.id)
        if request.get("asset"):
            query = query.where(AssetModel.name == request["asset"])
        events = [
            {
                "asset": event.asset.name,
                "extra": event.extra,
                "source_dag_id": event.source_dag_id,
                "source_run_id": event.source_run_id,
            }
            for event in session.scalars(query)
        ]
    return {"events": events}


def _scheduled_run(request: dict[str, Any]) -> dict[str, Any]:
    """Let the scheduler's own run creation decide (``_create_dagruns_for_dags``: the DAGs
    whose asset conditions the queued asset events satisfy get an asset-triggered run
    that consumes them), then run ``dag_id``'s new run with ``dag.test()``'s task loop."""
    import airflow.models.dagrun as dagrun_module
    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.sqlalchemy import prohibit_commit
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType
    from sqlalchemy import select

    runner = SchedulerJobRunner(job=Job())
    with create_session() as session, prohibit_commit(session) as guard:
        runner._create_dagruns_for_dags(guard, session)
    with create_session() as session:
        runs = session.scalars(
            select(DagRun).where(
                DagRun.dag_id == request["dag_id"],
                DagRun.run_type == DagRunType.ASSET_TRIGGERED,
                DagRun.state == DagRunState.QUEUED,
            )
        ).all()
        if not runs:
            return {"created": False}
        (run_id,) = [run.run_id for run in runs]

    def the_scheduled_run(*, dag: Any, session: Any, **_: Any) -> Any:
        run = session.scalar(
            select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.run_id == run_id)
        )
        run.dag = dag
        run.state = DagRunState.RUNNING
        session.commit()
        return run

    original = dagrun_module.get_or_create_dagrun
    dagrun_module.get_or_create_dagrun = the_scheduled_run
    try:
        response = _test(request)
    finally:
        dagrun_module.get_or_create_dagrun = original
    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.run_id == run_id))
        response["consumed"] = [
            {"asset": event.asset.name, "extra": event.extra} for event in run.consumed_asset_events
        ]
    response["created"] = True
    return response


def main() -> None:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    handlers = {
        "load": _load,
        "test": _test,
        "asset_events": _asset_events,
        "scheduled_run": _scheduled_run,
    }
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            response = handlers[request["cmd"]](request)
        except Exception:
            response = {"error": traceback.format_exc()}
        out.write(json.dumps(response, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
