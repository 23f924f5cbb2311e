"""``@trigger``/``@trigger_on_finish`` on Airflow 3: assets.

* Every DAG's end task declares the flow's finished-run assets as outlets (named as
  Metaflow names the events a finished run publishes, ``metaflow.[PROJECT.BRANCH.]FLOW.END``,
  see backends/events.py); when the task succeeds, its ``post_execute`` hook puts the
  finished run's payload on the asset events (``extra``): ``flow_name``, ``run_id``,
  ``step_name``, ``task_id``, ``id`` and ``pathspec`` (the end task's), the project
  fields and ``auto-generated-by-metaflow``, as Metaflow's finished-run events carry.
* A flow with a trigger decorator is scheduled on the assets of its events (``schedule=``
  one ``Asset``, or ``Asset & Asset`` when there are several: every event must have
  arrived, as Metaflow's Argo Sensor waits for all its dependencies). An external system
  sends a ``@trigger`` event by creating an asset event with the payload as ``extra``
  (Airflow's REST API ``POST /api/v2/assets/events``).
* In the triggered run the start task's mapped parameters come from the payload of the
  latest triggering event of their asset (a missing field keeps the run's ``params``
  value), and every task receives the triggering events as ``FLOWC_TRIGGER_EVENTS``,
  from which ``current.trigger`` is built (runtime_shim/events.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.events import FlowTriggers, finished_run_event_names, flow_triggers
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR
from runtime_shim.argo_events import PROJECT_FIELDS
from runtime_shim.datastore.layout import task_id, task_key
from runtime_shim.events import AUTO_GENERATED_FIELD


@dataclass(frozen=True)
class AssetPlan:
    """What the DAG file says about assets.

    ``finished_run`` is the end task's payload without the run's own values (the helper
    adds ``run_id``, ``id`` and ``pathspec``); ``schedule`` the asset names the DAG waits
    for (all of them), with each one's event kind in ``events``; ``parameters`` maps a
    flow parameter (as declared) to the asset and payload field that fill it.
    """

    outlets: tuple[str, ...]
    finished_run: dict[str, Any]
    schedule: tuple[str, ...] = ()
    events: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)


def asset_plan(
    ir: FlowIR, project: str | None, branch: str | None, has_schedule: bool
) -> tuple[AssetPlan, list[Diagnostic]]:
    """The flow's assets, and what keeps its triggers from an Airflow schedule.

    ``project`` and ``branch`` are the deployed flow's (``@project``'s name and the branch
    in Metaflow's form): they name its finished-run assets, and an upstream flow named
    without a project of its own inherits them.
    """
    triggers, diagnostics = flow_triggers(ir, project, branch)
    diagnostics.extend(_problems(triggers, has_schedule))
    events = tuple(e for t in triggers for e in t.events)
    declared = {p.name.lower(): p.name for p in ir.parameters}
    parameters = {
        declared[parameter]: (event.name, payload_field)
        for event in events
        for parameter, payload_field in event.parameters.items()
    }
    project_flow_name = f"{project}.{branch}.{ir.name}" if project else None
    return (
        AssetPlan(
            outlets=tuple(finished_run_event_names(ir.name, ir.end, project_flow_name)),
            finished_run=_finished_run(ir, project, branch, project_flow_name),
            schedule=tuple(e.name for e in events),
            events={e.name: e.kind for e in events},
            parameters=parameters,
        ),
        diagnostics,
    )


def _finished_run(
    ir: FlowIR, project: str | None, branch: str | None, project_flow_name: str | None
) -> dict[str, Any]:
    end_task = task_id(ir.end, task_key(""))
    payload: dict[str, Any] = {"flow_name": ir.name, "step_name": ir.end, "task_id": end_task}
    if project is not None and branch is not None:
        values = {
            "project_name": project,
            "branch_name": branch,
            "is_user_branch": branch.startswith("user."),
            "is_production": branch == "prod" or branch.startswith("prod."),
            "project_flow_name": project_flow_name,
        }
        # Metaflow's events carry the @project fields as text, the falsy ones left out.
        payload.update({k: str(values[k]) for k in PROJECT_FIELDS if values[k]})
    payload[AUTO_GENERATED_FIELD] = True
    return {"flow": ir.name, "step": ir.end, "task": end_task, "payload": payload}


def _problems(triggers: list[FlowTriggers], has_schedule: bool) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if len(triggers) > 1:
        out.append(
            diag(
                codes.FC308,
                "@trigger and @trigger_on_finish together are not deployable (as in "
                "Metaflow): one DAG schedule would have to wait for both",
                triggers[1].decorator.location.span(),
                "use one of the two decorators",
            )
        )
    # options= is rejected by the coverage table (backends/airflow/_coverage.py).
    if triggers and has_schedule:
        out.append(
            diag(
                codes.FC308,
                f"@schedule with @{triggers[0].decorator.name}: flowc does not emit a DAG "
                "scheduled on both a time and assets yet; one of them would be lost",
                triggers[0].decorator.location.span(),
                "use one of the two",
            )
        )
    return out
