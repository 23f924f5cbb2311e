"""A Workflow's status as the Argo Server reports it, in the deploy vocabulary.

Argo's phases (``Pending``, ``Running``, ``Succeeded``, ``Failed``, ``Error``) map to
``RunState``; a Workflow stopped by ``terminate`` (``spec.shutdown``) is ``TERMINATED``
once it finished. Each flowc task is one ``Pod`` node; a step with ``@retry`` runs its
task under a ``Retry`` node whose children are the attempts, so a task's attempts are the
pods under its ``Retry`` node. Steps are named from the ``--step`` argument of the pod's
template (Argo's template names are the steps' names made DNS-safe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowc.deploy._model import RunState, RunStatus, TaskStatus, TriggeredRunRef

_PHASES = {
    "": RunState.PENDING,
    "Pending": RunState.PENDING,
    "Running": RunState.RUNNING,
    "Succeeded": RunState.SUCCEEDED,
    "Skipped": RunState.SUCCEEDED,
    "Omitted": RunState.SUCCEEDED,
    "Failed": RunState.FAILED,
    "Error": RunState.FAILED,
}
# The worst state a step's tasks are in is the step's state.
_SEVERITY = (RunState.FAILED, RunState.TERMINATED, RunState.RUNNING, RunState.PENDING)


@dataclass(frozen=True)
class _Task:
    step: str
    state: RunState
    attempts: int
    detail: str


def run_state(workflow: Mapping[str, Any]) -> tuple[RunState, str]:
    """The run's state and Argo's own word for it."""
    phase = str((workflow.get("status") or {}).get("phase") or "")
    state = _PHASES.get(phase, RunState.RUNNING)
    shutdown = (workflow.get("spec") or {}).get("shutdown")
    if shutdown and state is RunState.FAILED:
        state = RunState.TERMINATED
    return state, phase or "Pending"


def template_steps(workflow: Mapping[str, Any]) -> dict[str, str]:
    """Argo template name -> flow step name, from each container's ``--step`` argument in
    the template the Workflow ran (``status.storedWorkflowTemplateSpec``) or its own."""
    status = workflow.get("status") or {}
    spec = status.get("storedWorkflowTemplateSpec") or workflow.get("spec") or {}
    steps: dict[str, str] = {}
    for template in spec.get("templates") or []:
        args = list((template.get("container") or {}).get("args") or [])
        if "--step" in args[:-1]:
            steps[str(template["name"])] = str(args[args.index("--step") + 1])
    return steps


def _tasks(workflow: Mapping[str, Any]) -> list[_Task]:
    nodes: dict[str, Any] = dict((workflow.get("status") or {}).get("nodes") or {})
    steps = template_steps(workflow)
    parent_of = {
        child: node_id for node_id, n in nodes.items() for child in n.get("children") or []
    }
    tasks = []
    for node_id, node in sorted(nodes.items()):
        kind = node.get("type")
        under_retry = nodes.get(parent_of.get(node_id, ""), {}).get("type") == "Retry"
        detail = str(node.get("message") or "")
        if kind == "Retry":
            pods = [
                nodes[c]
                for c in node.get("children") or []
                if nodes.get(c, {}).get("type") == "Pod"
            ]
            attempts = len(pods)
            failures = [str(p["message"]) for p in pods if p.get("message")]
            detail = detail or (failures[-1] if failures else "")
        elif kind == "Pod" and not under_retry:
            attempts = 1
        else:
            continue
        template = str(node.get("templateName") or node.get("displayName") or "")
        tasks.append(
            _Task(
                step=steps.get(template, template),
                state=_PHASES.get(str(node.get("phase") or ""), RunState.RUNNING),
                attempts=max(attempts, 1),
                detail=detail,
            )
        )
    return tasks


def step_statuses(workflow: Mapping[str, Any]) -> tuple[TaskStatus, ...]:
    """One entry per step: its worst task state, the most attempts a task took, and the
    message of a failed task."""
    by_step: dict[str, list[_Task]] = {}
    for task in _tasks(workflow):
        by_step.setdefault(task.step, []).append(task)
    out = []
    for step, tasks in sorted(by_step.items()):
        states = {t.state for t in tasks}
        state = next((s for s in _SEVERITY if s in states), RunState.SUCCEEDED)
        failed = [t.detail for t in tasks if t.state is RunState.FAILED and t.detail]
        out.append(
            TaskStatus(
                step=step,
                state=state,
                attempts=max(t.attempts for t in tasks),
                detail=failed[0] if failed else "",
            )
        )
    return tuple(out)


def run_status(ref: TriggeredRunRef, workflow: Mapping[str, Any]) -> RunStatus:
    state, phase = run_state(workflow)
    return RunStatus(ref=ref, state=state, engine_state=phase, tasks=step_statuses(workflow))
