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


def main() -> None:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    handlers = {"load": _load, "test": _test}
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
