"""``emit(ir, options)`` for Airflow: plan the task graph, then render one DAG file."""

from __future__ import annotations

import re
from typing import Any

from backends.airflow._assets import asset_plan
from backends.airflow._limits import check_fan_outs, max_map_length
from backends.airflow._plan import plan_tasks
from backends.airflow._render import RenderOptions, default_flow_file, render_dag
from backends.airflow._settings import OPTION_KEYS, flow_settings
from backends.base import REGISTRY, EmitResult, EmittedFile, TargetOptions, unshared_datastore
from backends.events import deployed_project
from backends.fanout import fan_outs
from backends.option_keys import unknown_option_keys
from flowc import codes
from flowc.diagnostics import Diagnostic, diag, has_errors
from flowc.ir import FlowIR

_DAG_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")
# Parameter names end up inside a Jinja expression in the task's command.
_SAFE_PARAM = re.compile(r"^[A-Za-z0-9_.-]+$")
OPERATORS = ("kubernetes", "local")


class AirflowBackend:
    name = "airflow"

    def emit(self, ir: FlowIR, options: TargetOptions) -> EmitResult:
        diagnostics: list[Diagnostic] = []
        extra = options.extra
        unknown = unknown_option_keys("airflow", extra, OPTION_KEYS)
        if unknown:
            return EmitResult([], unknown)
        operator = str(extra.get("operator", "kubernetes"))
        if operator not in OPERATORS:
            diagnostics.append(
                diag(
                    codes.FC305,
                    f"airflow operator {operator!r} is unknown",
                    None,
                    f"choose one of {', '.join(OPERATORS)}",
                )
            )
            return EmitResult([], diagnostics)
        local = operator == "local"
        from backends.project import deployed_name

        # Under @project the DAG id is the deployed flow name (PROJECT.BRANCH.FLOW).
        deployed, project, found = deployed_name(ir, "airflow", options.branch, options.production)
        diagnostics.extend(found)
        dag_id = str(extra.get("dag_id", deployed or ir.name))
        if not _DAG_ID.match(dag_id):
            diagnostics.append(
                diag(
                    codes.FC305,
                    f"{dag_id!r} is not a valid Airflow DAG id",
                    None,
                    "use letters, digits, '_', '.' and '-'",
                )
            )
        for p in ir.parameters:
            if not _SAFE_PARAM.match(p.name):
                diagnostics.append(
                    diag(
                        codes.FC304,
                        f"parameter name {p.name!r} cannot be written into a task's "
                        "Airflow template safely",
                        p.location.span(),
                        "use letters, digits, '_', '.' and '-'",
                    )
                )
        if not local:
            shared = unshared_datastore(
                options.datastore_root, "every task runs in its own Kubernetes pod"
            )
            if shared is not None:
                diagnostics.append(shared)
        plan = plan_tasks(ir, local)
        diagnostics.extend(plan.diagnostics)
        if project is not None:
            for task in plan.tasks:
                if task.step is not None:
                    task.settings.env = {**dict(project.environment), **task.settings.env}
        flow, notes = flow_settings(ir, local)
        diagnostics.extend(notes)
        if project is not None:
            flow.tags.append(f"branch:{project.branch_name}")
        flow.tags.extend(_tags(extra.get("tags")))
        project_name, branch_name = deployed_project(ir, options.branch, options.production)
        assets, problems = asset_plan(
            ir, project_name, branch_name, has_schedule=flow.schedule_cron is not None
        )
        diagnostics.extend(problems)
        fans, found = fan_outs(ir, extra)
        limit, bad_limit = max_map_length(extra)
        diagnostics.extend([*found, *bad_limit, *check_fan_outs(fans, limit)])
        if has_errors(diagnostics):
            return EmitResult([], diagnostics)
        opts = RenderOptions(
            dag_id=dag_id,
            local=local,
            flow_file=str(extra.get("flow_file") or default_flow_file(ir, local)),
            datastore=options.datastore_root,
            python=options.python,
            code_package=options.code_package,
            image=options.image,
            namespace=options.namespace,
            service_account=options.service_account,
            labels=dict(sorted(options.labels.items())),
            environments=dict(options.environments),
        )
        content = render_dag(ir, plan.tasks, flow, assets, opts)
        return EmitResult(
            [EmittedFile(REGISTRY["airflow"].output_file(dag_id=dag_id), content)], diagnostics
        )


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        return [str(t) for t in value]
    return []
