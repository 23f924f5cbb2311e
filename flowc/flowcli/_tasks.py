"""Finding the tasks a verb's ``RUN/STEP[/TASK]`` argument names, in a flow's datastore.

A name that does not exist is a user error with a message that says which part is
missing (exit 1), never a traceback or silence.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowc.flowcli.context import FlowContext
from flowc.flowcli.main import FlowCliError
from runtime_shim.datastore.layout import FlowDatastore, parse_task_key, task_id, task_key_of


@dataclass(frozen=True)
class TaskRef:
    run_id: str
    step: str
    key: str
    """The task's key in the datastore (its index path; ``_`` at top level)."""

    @property
    def task_id(self) -> str:
        """The id the client and ``current.task_id`` show (``work.3``)."""
        return task_id(self.step, self.key)

    @property
    def pathspec(self) -> str:
        """``RUN/STEP/TASK_ID``: how Metaflow's verbs name a task within its flow."""
        return f"{self.run_id}/{self.step}/{self.task_id}"


def flow_datastore(obj: FlowContext) -> FlowDatastore:
    from flowc.client import datastore_root
    from runtime_shim.datastore import open_object_store

    return FlowDatastore(open_object_store(datastore_root(obj.datastore_root)), obj.flow_name)


def find_tasks(ds: FlowDatastore, obj: FlowContext, input_path: str) -> list[TaskRef]:
    """The tasks of ``RUN/STEP`` (every task, in index order) or ``RUN/STEP/TASK``."""
    parts = input_path.strip("/").split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise FlowCliError(
            f"{input_path!r}: the path should be either RUN_ID/STEP_NAME or "
            "RUN_ID/STEP_NAME/TASK_ID"
        )
    run_id, step = parts[0], parts[1]
    if ds.read_run(run_id) is None and not ds.list_steps(run_id):
        raise FlowCliError(f"flow {obj.flow_name} has no run {run_id!r}")
    keys = ds.list_tasks(run_id, step)
    if not keys:
        raise FlowCliError(
            f"run {obj.flow_name}/{run_id} has no tasks of step {step!r} -- "
            "either none exist or none have started yet"
        )
    if len(parts) == 3:
        wanted = task_key_of(step, parts[2])
        if wanted not in keys:
            raise FlowCliError(f"step {obj.flow_name}/{run_id}/{step} has no task {parts[2]!r}")
        keys = [wanted]
    return [TaskRef(run_id, step, key) for key in sorted(keys, key=_index_order)]


def _index_order(key: str) -> tuple[tuple[int, ...], int]:
    path, iteration = parse_task_key(key)
    return tuple(int(p) for p in path.split(".") if p), iteration
