"""Assemble the DAG file: fixed helpers, per-flow constants, the DAG and its tasks.

Every per-flow value goes through ``_pycode.literal``; names are identifiers chosen by the
planner. The result is in ruff format style (checked by the tests) and deterministic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from backends.airflow import _templates
from backends.airflow._assets import AssetPlan
from backends.airflow._command import CommandOptions, exit_hooks_argv, step_argv
from backends.airflow._plan import PlannedTask
from backends.airflow._pycode import (
    Code,
    DictOf,
    Expr,
    ListOf,
    assign,
    call,
    flat,
    literal,
    render,
)
from backends.airflow._settings import FlowSettings
from flowc.ir import FlowIR, Parameter

_PARAM_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass
class RenderOptions:
    dag_id: str
    local: bool
    flow_file: str
    datastore: str
    python: str
    code_package: str | None
    image: str
    namespace: str | None
    service_account: str | None
    labels: dict[str, str]
    environments: dict[str, str] = field(default_factory=dict)


def render_dag(
    ir: FlowIR,
    tasks: list[PlannedTask],
    flow: FlowSettings,
    assets: AssetPlan,
    opts: RenderOptions,
) -> str:
    parts = [_templates.HEADER]
    dag = _dag(ir, tasks, flow, assets, opts)
    parts.append(
        _templates.imports(
            local=opts.local,
            datetime=flow.schedule_cron is not None or any(_uses_timedelta(t) for t in tasks),
            cron_timetable=flow.schedule_cron is not None and flow.timezone is not None,
            param=bool(ir.parameters),
            asset_all=len(assets.schedule) > 1,
            json=bool(assets.schedule),
        )
    )
    parts.append("\n" + "\n".join(_constants(ir, tasks, assets, opts)) + "\n")
    parts.append(_templates.COMMON_HELPERS)
    parts.append(_templates.FINISHED_RUN_HELPER)
    if assets.schedule:
        parts.append(_templates.TRIGGER_HELPERS)
    parts.append(_templates.LOCAL_HELPERS if opts.local else _templates.KUBERNETES_HELPERS)
    parts.append("\n\n" + dag + "\n")
    return "".join(parts)


def _uses_timedelta(task: PlannedTask) -> bool:
    s = task.settings
    has_delay = bool(s.retries) and s.retry_delay_seconds is not None
    return has_delay or s.timeout_seconds is not None


def _constants(
    ir: FlowIR, tasks: list[PlannedTask], assets: AssetPlan, opts: RenderOptions
) -> list[str]:
    # The tasks that run a shim command: the steps, and the exit hooks' task.
    steps = [t for t in tasks if t.step is not None or t.kind == "exit_hooks"]
    env = {t.task_id: t.settings.env for t in steps if t.settings.env}
    command_options = CommandOptions(
        flow_file=opts.flow_file,
        datastore=opts.datastore,
        python=opts.python,
        code_package=opts.code_package,
        event_parameters=frozenset(assets.parameters),
        environments=opts.environments,
    )
    commands = {
        t.task_id: step_argv(ir, t.step, command_options)
        if t.step is not None
        else exit_hooks_argv(ir, command_options)
        for t in steps
    }
    lines = [
        assign("STEP_COMMANDS", literal({name: c.argv for name, c in commands.items()})),
        assign("STEP_SLOTS", literal({name: c.slots for name, c in commands.items() if c.slots})),
        assign("STEP_ENV", literal(env)),
        assign("FINISHED_RUN", literal(assets.finished_run)),
        assign("FINISHED_RUN_ASSETS", ListOf(tuple(_asset(n) for n in assets.outlets))),
    ]
    if assets.schedule:
        lines += [
            assign("TRIGGER_EVENTS", literal(assets.events)),
            assign(
                "EVENT_PARAMETERS",
                literal({name: list(source) for name, source in assets.parameters.items()}),
            ),
        ]
    # The triggering events every task receives (rendered by the trigger_events macro).
    events = "{{ trigger_events(triggering_asset_events) }}" if assets.schedule else ""
    lines.append(assign("EVENTS", literal(events)))
    if not opts.local:
        secrets = {t.task_id: t.settings.secrets for t in steps if t.settings.secrets}
        resources = {t.task_id: r for t in steps if (r := _resources(t))}
        pods = {t.task_id: t.settings.pod for t in steps if t.settings.pod}
        lines += [
            assign("STEP_SECRETS", literal(secrets)),
            assign("STEP_RESOURCES", literal(resources)),
            assign("STEP_POD", literal(pods)),
            assign("IMAGE", literal(opts.image)),
            assign("NAMESPACE", literal(opts.namespace)),
            assign("SERVICE_ACCOUNT", literal(opts.service_account)),
            assign("LABELS", literal(opts.labels)),
        ]
    return lines


def _resources(task: PlannedTask) -> dict[str, dict[str, str]]:
    s = task.settings
    requests = {
        k: v
        for k, v in (("cpu", s.cpu), ("memory", s.memory), ("ephemeral-storage", s.disk))
        if v is not None
    }
    limits = dict(requests)
    if s.gpu is not None:
        limits[f"{s.gpu_vendor}.com/gpu"] = s.gpu
    out: dict[str, dict[str, str]] = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def _param(p: Parameter) -> Expr:
    args: list[Expr] = []
    if p.has_default and p.default_source is None:
        args.append(literal(p.default))
    kwargs: dict[str, Expr] = {}
    schema_type = _PARAM_TYPES.get(p.type)
    if schema_type is not None:
        nullable = p.has_default and p.default is None
        kwargs["type"] = literal([schema_type, "null"] if nullable else schema_type)
    if p.help:
        kwargs["description"] = literal(p.help)
    return call("Param", *args, **kwargs)


def _asset(name: str) -> Expr:
    return call("Asset", literal(name))


def _schedule(flow: FlowSettings, assets: AssetPlan) -> Expr:
    if len(assets.schedule) == 1:
        return _asset(assets.schedule[0])
    if assets.schedule:
        # Every event must have arrived (as Metaflow's Argo Sensor waits for all).
        return call("AssetAll", *(_asset(n) for n in assets.schedule))
    if flow.schedule_cron is None:
        return Code("None")
    if flow.timezone is None:
        return literal(flow.schedule_cron)
    return call(
        "CronTriggerTimetable", literal(flow.schedule_cron), timezone=literal(flow.timezone)
    )


def _dag(
    ir: FlowIR, tasks: list[PlannedTask], flow: FlowSettings, assets: AssetPlan, opts: RenderOptions
) -> str:
    kwargs: dict[str, Expr] = {"dag_id": literal(opts.dag_id)}
    if ir.docstring:
        kwargs["doc_md"] = literal(ir.docstring)
    kwargs["schedule"] = _schedule(flow, assets)
    if flow.schedule_cron is not None:
        kwargs["start_date"] = Code("datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)")
    kwargs["catchup"] = Code("False")
    kwargs["params"] = _params(ir)
    kwargs["tags"] = literal(flow.tags)
    if assets.schedule:
        kwargs["user_defined_macros"] = DictOf(
            tuple((literal(name), Code(name)) for name in ("trigger_events", "event_param"))
        )
    header = render(call("DAG", **kwargs), 0, "with ", " as dag:")
    body = [assign(t.var, _task_expr(t, ir.end, opts), 1) for t in tasks]
    edges = [f"    {up} >> {t.var}" for t in tasks for up in t.upstream]
    return "\n".join([header, *body, *(["", *edges] if edges else [])])


def _params(ir: FlowIR) -> Expr:
    return DictOf(tuple((literal(p.name), _param(p)) for p in ir.parameters))


def _task_expr(t: PlannedTask, end: str, opts: RenderOptions) -> Expr:
    if t.kind == "paths":
        return call("paths_task", literal(t.task_id.removesuffix("-paths")), Code(t.inputs[0]))
    if t.kind == "select":
        return call("selected_task", literal(t.target), Code(t.inputs[0]), Code(t.inputs[1]))
    if t.kind == "branch":
        return call("branch_task", literal(t.task_id.removesuffix("-branch")), Code(t.inputs[0]))
    kwargs: dict[str, Expr] = {}
    if t.output is not None:
        kwargs["output"] = literal(t.output)
    if t.over is not None:
        kwargs["over"] = Code(t.over)
    s = t.settings
    if not opts.local:
        if s.image is not None:
            kwargs["image"] = literal(s.image)
        if s.namespace is not None:
            kwargs["namespace"] = literal(s.namespace)
    if s.retries:
        kwargs["retries"] = literal(s.retries)
        if s.retry_delay_seconds is not None:
            kwargs["retry_delay"] = _timedelta(s.retry_delay_seconds)
    if s.timeout_seconds is not None:
        kwargs["execution_timeout"] = _timedelta(s.timeout_seconds)
    if t.trigger_rule is not None:
        kwargs["trigger_rule"] = literal(t.trigger_rule)
    if t.kind == "exit_hooks":
        # A teardown: runs when every upstream task is done, whatever its state, and the
        # DAG run's state comes from the other leaves.
        return Code(flat(call("step_task", literal(t.task_id), **kwargs)) + ".as_teardown()")
    assert t.step is not None
    if t.step.name == end:
        # A finished run is the end task's success (backends/airflow/_assets.py).
        kwargs["outlets"] = Code("FINISHED_RUN_ASSETS")
        kwargs["post_execute"] = Code("publish_finished_run")
    return call("step_task", literal(t.step.name), **kwargs)


def _timedelta(seconds: float) -> Expr:
    value: Any = int(seconds) if float(seconds).is_integer() else seconds
    return call("datetime.timedelta", seconds=literal(value))


def default_flow_file(ir: FlowIR, local: bool) -> str:
    """Local tasks run the flow where it was compiled; pods find it beside the shim."""
    return ir.file if local else os.path.basename(ir.file)
