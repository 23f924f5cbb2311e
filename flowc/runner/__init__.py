"""The local runner: executes a flow's IR with the runtime shim, one subprocess per task."""

from flowc.runner.local import (
    LocalRunner,
    Reporter,
    RunOptions,
    RunResult,
    TaskOutcome,
    default_datastore,
    new_run_id,
    resume_plan,
)
from flowc.runner.plan import Plan, TaskId

__all__ = [
    "LocalRunner",
    "Plan",
    "Reporter",
    "RunOptions",
    "RunResult",
    "TaskId",
    "TaskOutcome",
    "default_datastore",
    "new_run_id",
    "resume_plan",
]
