"""Deploying a flow's DAG to Airflow 3 and operating its runs through the REST API v2.

A deploy writes the compiled DAG file into the deployment's DAGs folder (a local path or
``s3://``), waits until the DAG processor has parsed exactly that file (asking it to
re-parse an already known DAG at once with ``PUT /parseDagFile/{file_token}``), turns an
import error into a ``DeployError`` naming the file and line (the previous file is put
back, so a failed deploy leaves the running DAG as it was) and unpauses the DAG. Runs
are triggered with the run id as the DAG run id, so the flowc run id the tasks write
under and Airflow's handle are the same string.

Settings (``--option KEY=VALUE`` first, then the environment): ``api_url``
(``AIRFLOW_API_URL``), ``token`` (``AIRFLOW_API_TOKEN``) or ``username``/``password``
(``AIRFLOW_USERNAME``/``AIRFLOW_PASSWORD``), ``dags_folder``
(``FLOWC_AIRFLOW_DAGS_FOLDER``), ``parse_timeout`` (seconds to wait for the DAG
processor, default 330: a new file is found only by its periodic folder scan,
``[dag_processor] refresh_interval``, 300 s by default).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from flowc.deploy._airflow_api import AirflowApi, AirflowApiError
from flowc.deploy._dags_folder import ENV_DAGS_FOLDER, DagsFolder, open_dags_folder
from flowc.deploy._model import (
    CompiledDeployment,
    DeployError,
    DeployOutcome,
    DeployTarget,
    ResourceChange,
    ResourceOutcome,
    RunState,
    RunStatus,
    TaskStatus,
    TriggeredRunRef,
)
from flowc.deploy._runs import new_run_id

DEFAULT_PARSE_TIMEOUT = 330.0
#: A note on a DAG run that ``terminate`` failed, so its status reads TERMINATED.
TERMINATED_NOTE = "terminated by flowc"
RUN_STATES = {
    "queued": RunState.PENDING,
    "running": RunState.RUNNING,
    "success": RunState.SUCCEEDED,
    "failed": RunState.FAILED,
}
#: Task-instance states by what they mean for a step; any other state (none, scheduled,
#: queued, deferred, ...) is PENDING.
TASK_STATES = {
    "running": RunState.RUNNING,
    "up_for_retry": RunState.RUNNING,
    "restarting": RunState.RUNNING,
    "success": RunState.SUCCEEDED,
    "skipped": RunState.SUCCEEDED,
    "failed": RunState.FAILED,
    "upstream_failed": RunState.FAILED,
    "removed": RunState.TERMINATED,
}
_SEVERITY = (RunState.FAILED, RunState.RUNNING, RunState.PENDING, RunState.TERMINATED)


class AirflowTarget(DeployTarget):
    """An Airflow 3 deployment reached through its API server."""

    name: ClassVar[str] = "airflow"
    connection_options: ClassVar[Mapping[str, str]] = {
        "api_url": "the Airflow API server's URL (AIRFLOW_API_URL)",
        "token": "a JWT for the API (AIRFLOW_API_TOKEN)",
        "username": "the API user (AIRFLOW_USERNAME)",
        "password": "the API user's password (AIRFLOW_PASSWORD)",
        "dags_folder": f"the DAGs folder, a path or s3:// URL ({ENV_DAGS_FOLDER})",
        "parse_timeout": "seconds to wait for the DAG processor to parse the DAG file",
    }

    def __init__(self, api: AirflowApi, dags_folder: str | None, parse_timeout: float) -> None:
        self.api = api
        self.dags_folder = dags_folder
        self.parse_timeout = parse_timeout

    @classmethod
    def from_environment(cls, options: Mapping[str, Any]) -> AirflowTarget:
        given = {k: str(v) for k, v in options.items()}
        timeout = given.get("parse_timeout") or DEFAULT_PARSE_TIMEOUT
        return cls(
            AirflowApi.from_settings(given, os.environ),
            given.get("dags_folder") or os.environ.get(ENV_DAGS_FOLDER),
            float(timeout),
        )

    # -- deploy ------------------------------------------------------------------------

    def deploy(self, compiled: CompiledDeployment) -> DeployOutcome:
        dag_file = compiled.file_ending(".py")
        dag_id = str(compiled.options.get("dag_id") or compiled.deployed_name)
        folder = open_dags_folder(self.dags_folder)
        since = self.api.call("GET", "/api/v2/version").server_time
        previous = folder.read(dag_file.path)
        file_change = _change(previous, dag_file.content)
        known = self._dag(dag_id)
        if file_change is not ResourceChange.UNCHANGED:
            folder.write(dag_file.path, dag_file.content)
            if known is not None:
                self._request_parse(known)
        try:
            parsed = self._wait_parsed(dag_id, dag_file.path, dag_file.content, since)
        except DeployError:
            if file_change is not ResourceChange.UNCHANGED:
                _restore(folder, dag_file.path, previous)
            raise
        unpaused = bool(parsed.get("is_paused"))
        if unpaused:
            unpause = {"is_paused": False}
            self.api.call("PATCH", f"/api/v2/dags/{_q(dag_id)}", unpause, idempotent=True)
        if known is None:
            dag_change = ResourceChange.CREATED
        elif file_change is not ResourceChange.UNCHANGED or unpaused:
            dag_change = ResourceChange.UPDATED
        else:
            dag_change = ResourceChange.UNCHANGED
        return DeployOutcome(
            target=self.name,
            deployed_name=dag_id,
            resources=(
                ResourceOutcome("DAG file", folder.describe(dag_file.path), file_change),
                ResourceOutcome("DAG", dag_id, dag_change, "unpaused" if unpaused else ""),
            ),
        )

    def _dag(self, dag_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.api.get(f"/api/v2/dags/{_q(dag_id)}")
        except AirflowApiError as exc:
            if exc.status == 404:
                return None
            raise
        return found

    def _request_parse(self, dag: Mapping[str, Any]) -> None:
        """Ask the DAG processor to parse the DAG's file next (a known DAG only: the file
        token is the server's signed name of a file it has parsed before)."""
        token = dag.get("file_token")
        if token:
            self.api.call("PUT", f"/api/v2/parseDagFile/{_q(str(token))}", idempotent=True)

    def _wait_parsed(
        self, dag_id: str, path: str, content: str, since: datetime | None
    ) -> dict[str, Any]:
        """The DAG once its parsed source is ``content``; an import error of ``path``
        recorded after ``since`` (the server's clock) raises."""
        deadline = time.monotonic() + self.parse_timeout
        while True:
            problem = self._import_error(path, since)
            if problem is not None:
                raise DeployError(problem)
            dag = self._dag(dag_id)
            if dag is not None and self._source(dag_id) == content:
                return dag
            if time.monotonic() > deadline:
                state = "is not known yet" if dag is None else "still has an older file"
                raise DeployError(
                    f"Airflow's DAG processor did not parse {path} within "
                    f"{self.parse_timeout:.0f} s (DAG {dag_id!r} {state}); it scans the DAGs "
                    "folder every [dag_processor] refresh_interval seconds; run the deploy "
                    "again, or raise --option parse_timeout=SECONDS"
                )
            time.sleep(1.0)

    def _source(self, dag_id: str) -> str | None:
        try:
            answer = self.api.get(f"/api/v2/dagSources/{_q(dag_id)}")
        except AirflowApiError as exc:
            if exc.status == 404:
                return None
            raise
        content = answer.get("content")
        return content if isinstance(content, str) else None

    def _import_error(self, path: str, since: datetime | None) -> str | None:
        for error in self.api.pages("/api/v2/importErrors", "import_errors"):
            filename = str(error.get("filename", ""))
            if not _same_file(filename, path):
                continue
            stamp = _parse_time(error.get("timestamp"))
            if since is not None and stamp is not None and stamp < since - timedelta(seconds=1):
                continue  # left from an earlier version of the file
            trace = str(error.get("stack_trace", ""))
            return f"Airflow could not import the DAG file {_error_location(filename, trace)}"
        return None

    # -- runs --------------------------------------------------------------------------

    def trigger(self, deployed_name: str, parameters: Mapping[str, str]) -> TriggeredRunRef:
        dag = self._dag(deployed_name)
        if dag is None:
            raise DeployError(
                f"Airflow has no DAG {deployed_name!r}; deploy it first (flowc deploy)"
            )
        if dag.get("is_paused"):
            raise DeployError(
                f"the DAG {deployed_name!r} is paused, so a run would wait in the queue; "
                "unpause it (flowc deploy does)"
            )
        run_id = new_run_id(self.name)
        conf = {name: json.loads(value) for name, value in parameters.items()}
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf}
        self.api.call("POST", f"/api/v2/dags/{_q(deployed_name)}/dagRuns", body)
        return TriggeredRunRef(
            target=self.name,
            flow_name=_flow_name(dag),
            deployed_name=deployed_name,
            run_id=run_id,
            engine_run_id=run_id,
        )

    def status(self, ref: TriggeredRunRef) -> RunStatus:
        run = self.api.get(_run_path(ref))
        engine_state = str(run.get("state"))
        state = RUN_STATES.get(engine_state, RunState.PENDING)
        if state is RunState.FAILED and str(run.get("note") or "").startswith(TERMINATED_NOTE):
            state = RunState.TERMINATED
        instances = list(self.api.pages(f"{_run_path(ref)}/taskInstances", "task_instances"))
        return RunStatus(
            ref=ref, state=state, engine_state=engine_state, tasks=_step_statuses(instances)
        )

    def task_log(
        self, ref: TriggeredRunRef, step: str, *, map_index: int = -1, attempt: int = 1
    ) -> str:
        """The task's log for one attempt (Airflow's ``try_number``), as text."""
        path = f"{_run_path(ref)}/taskInstances/{_q(step)}/logs/{attempt}"
        answer = self.api.get(path, map_index=map_index, full_content="true")
        return _log_text(answer.get("content"))

    def terminate(self, ref: TriggeredRunRef) -> None:
        run = self.api.get(_run_path(ref))
        if RUN_STATES.get(str(run.get("state")), RunState.PENDING).finished:
            return
        body = {"state": "failed", "note": TERMINATED_NOTE}
        self.api.call("PATCH", _run_path(ref), body, idempotent=True)

    def delete(self, deployed_name: str) -> DeployOutcome:
        dag = self._dag(deployed_name)
        resources: list[ResourceOutcome] = []
        if dag is not None and dag.get("relative_fileloc"):
            folder = open_dags_folder(self.dags_folder)
            path = str(dag["relative_fileloc"])
            removed = folder.remove(path)
            change = ResourceChange.DELETED if removed else ResourceChange.UNCHANGED
            resources.append(ResourceOutcome("DAG file", folder.describe(path), change))
        if dag is None:
            resources.append(ResourceOutcome("DAG", deployed_name, ResourceChange.UNCHANGED))
        else:
            try:
                self.api.call("DELETE", f"/api/v2/dags/{_q(deployed_name)}")
                resources.append(ResourceOutcome("DAG", deployed_name, ResourceChange.DELETED))
            except AirflowApiError as exc:
                resources.append(
                    ResourceOutcome("DAG", deployed_name, ResourceChange.FAILED, str(exc))
                )
        return DeployOutcome(self.name, deployed_name, tuple(resources))


def _q(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def _run_path(ref: TriggeredRunRef) -> str:
    return f"/api/v2/dags/{_q(ref.deployed_name)}/dagRuns/{_q(ref.engine_run_id)}"


def _flow_name(dag: Mapping[str, Any]) -> str:
    """The flow's class name, from the ``flow:NAME`` tag every flowc DAG carries (the DAG
    id differs under ``@project``)."""
    for tag in dag.get("tags") or ():
        name = tag.get("name") if isinstance(tag, Mapping) else tag
        if isinstance(name, str) and name.startswith("flow:"):
            return name[len("flow:") :]
    return str(dag["dag_id"])


def _change(previous: str | None, content: str) -> ResourceChange:
    if previous is None:
        return ResourceChange.CREATED
    return ResourceChange.UNCHANGED if previous == content else ResourceChange.UPDATED


def _restore(folder: DagsFolder, path: str, previous: str | None) -> None:
    if previous is None:
        folder.remove(path)
    else:
        folder.write(path, previous)


def _same_file(recorded: str, path: str) -> bool:
    """Airflow records a bundle-relative path (or an absolute one for old errors)."""
    recorded = recorded.replace(os.sep, "/")
    return recorded == path or recorded.endswith("/" + path)


_TRACE_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _error_location(filename: str, trace: str) -> str:
    """``FILE:LINE: the error`` from an import error's traceback: the last frame in the
    DAG file itself, else the last frame (an import inside a library)."""
    frames = list(_TRACE_LINE.finditer(trace))
    own = [f for f in frames if _same_file(f.group("file"), os.path.basename(filename))]
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    message = lines[-1].strip() if lines else "unknown error"
    if not (own or frames):
        return f"{filename}: {message}"
    chosen = (own or frames)[-1]
    return f"{filename}:{chosen.group('line')}: {message}"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _step_statuses(instances: list[dict[str, Any]]) -> tuple[TaskStatus, ...]:
    """One status per flow step, from its task instances (a mapped step has one per
    foreach child); helper tasks (``work-paths``, ``branch-branch``, ``exit-hooks``) are
    left out: step names have no ``-``."""
    by_step: dict[str, list[dict[str, Any]]] = {}
    for instance in instances:
        task_id = str(instance.get("task_id"))
        if "-" not in task_id:
            by_step.setdefault(task_id, []).append(instance)
    statuses = []
    for step, group in by_step.items():
        states = [TASK_STATES.get(str(i.get("state")), RunState.PENDING) for i in group]
        state = next((s for s in _SEVERITY if s in states), RunState.SUCCEEDED)
        attempts = max(int(i.get("try_number") or 0) for i in group)
        engine_states = sorted({str(i.get("state")) for i in group})
        detail = ", ".join(engine_states)
        if len(group) > 1:
            detail = f"{len(group)} tasks: {detail}"
        statuses.append(TaskStatus(step=step, state=state, attempts=attempts, detail=detail))
    return tuple(statuses)


def _log_text(content: Any) -> str:
    """Airflow 3 serves structured log records (``event`` plus fields) or plain lines."""
    if isinstance(content, str):
        return content
    lines = []
    for record in content or ():
        if isinstance(record, Mapping):
            event = str(record.get("event", ""))
            error = record.get("error_detail")
            lines.append(event if not error else f"{event} {json.dumps(error)}")
        else:
            lines.append(str(record))
    return "\n".join(lines)
