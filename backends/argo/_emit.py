"""``emit(ir, options)`` for Argo: IR → one YAML manifest, with diagnostics."""

from __future__ import annotations

import json
from typing import Any

from backends.argo._checks import check_dags, check_size
from backends.argo._containers import StepNames, container_template, exit_hook_template
from backends.argo._coverage import COVERAGE
from backends.argo._dag import DagBuilder, DagNames
from backends.argo._decorators import step_settings
from backends.argo._jobset import gang_split, jobset_problems, jobset_template
from backends.argo._layout import TOP, build_layout
from backends.argo._manifest import (
    API_VERSION,
    ResourceHeader,
    arguments,
    header,
    schedule,
    to_document,
    to_yaml,
)
from backends.argo._model import (
    CronWorkflow,
    CronWorkflowSpec,
    Metadata,
    ObjectMeta,
    Workflow,
    WorkflowSpec,
    WorkflowTemplate,
)
from backends.argo._names import NameAllocator, body_template, is_param_name
from backends.argo._options import KINDS, OFFLOAD_OPTION, OPTION_KEYS, ArgoOptions, resolve
from backends.argo._sensor import (
    SensorPlan,
    add_event_parameters,
    add_webhook_url,
    mark_deployed,
    read_triggers,
    sensor,
)
from backends.argo._sensor import plan as sensor_plan
from backends.argo._status import check_status
from backends.base import (
    REGISTRY,
    EmitResult,
    EmittedFile,
    TargetOptions,
    exit_hooks,
    unshared_datastore,
)
from backends.fanout import fan_outs
from backends.option_keys import unknown_option_keys
from backends.project import deployed_project
from backends.run_settings import start_environment, step_environment
from flowc import codes
from flowc.diagnostics import Diagnostic, diag, has_errors
from flowc.ir import FlowIR


def _allocate(ir: FlowIR, bodies: list[str]) -> tuple[StepNames, DagNames, NameAllocator]:
    templates = NameAllocator()
    step_names = {s.name: templates.allocate(f"step:{s.name}", s.name) for s in ir.steps}
    dags = DagNames(entry=templates.allocate("dag:", "main"))
    for split in bodies:
        dags.bodies[split] = templates.allocate(f"body:{split}", body_template(split))
    if any(exit_hooks(ir)):
        dags.exit_handler = templates.allocate("exit-hooks:", "exit-hooks")
    for step in ir.steps:
        if step.recursive:
            dags.loops[step.name] = templates.allocate(f"loop:{step.name}", f"{step.name}-loop")
    params = NameAllocator(limit=200)
    param_names = {}
    for p in ir.parameters:
        # A valid Argo parameter name is kept as written; others are mapped.
        param_names[p.name] = (
            params.reserve(p.name, p.name)
            if is_param_name(p.name)
            else params.allocate(p.name, p.name)
        )
    return StepNames(step_names, param_names), dags, params


def _unsupported(ir: FlowIR) -> list[Diagnostic]:
    out = []
    for step in ir.steps:
        split = gang_split(ir, step)
        if split is not None:
            out.extend(jobset_problems(ir, step, split))
    for dec in ir.decorators:
        out.extend(COVERAGE.review(dec, "on the flow"))
    return out


def build_spec(ir: FlowIR, opts: ArgoOptions) -> tuple[Any, SensorPlan | None, list[Diagnostic]]:
    """The WorkflowSpec, the flow's Sensor plan (None without triggers) and every
    diagnostic found on the way."""

    diagnostics = _unsupported(ir)
    triggers, found = read_triggers(ir, opts)
    diagnostics.extend(found)
    settings = {}
    # The deployment's branch reaches every pod (its diagnostics come with the header).
    project, _ = deployed_project(ir, opts.branch, opts.production)
    for step in ir.steps:
        settings[step.name], found = step_settings(step)
        diagnostics.extend(found)
        if project is not None:
            settings[step.name].env[:0] = list(project.environment)
        settings[step.name].env.extend(step_environment(opts.extra))
    # The deployment's run tags reach the start task, which creates the run record.
    tag_environment, found = start_environment(opts.extra)
    diagnostics.extend(found)
    settings[ir.start].env.extend(tag_environment)
    layout = build_layout(ir)
    for step, problem in layout.problems:
        diagnostics.append(
            diag(codes.FC301, f"step '{step.name}': {problem}", step.location.span())
        )
    if has_errors(diagnostics):
        return None, None, diagnostics
    names, dags, params = _allocate(ir, list(layout.bodies))
    events = sensor_plan(triggers, params.allocate, names.parameters)
    builder = DagBuilder(ir, layout, names, dags)
    templates = [builder.dag_template(TOP)]
    for split in layout.bodies:
        templates.append(builder.dag_template(split))
    for step in ir.steps:
        if step.recursive:
            templates.append(builder.loop_template(step))
    gangs = 0
    for step in ir.steps:
        in_foreach = layout.scope_of[step.name] != TOP
        gang = gang_split(ir, step)
        if gang is not None:
            templates.append(
                jobset_template(ir, step, gang, opts, names, settings[step.name], gangs)
            )
            gangs += 1
            continue
        templates.append(container_template(ir, step, opts, names, in_foreach, settings[step.name]))
    if dags.exit_handler is not None:
        templates.append(exit_hook_template(ir, opts, dags.exit_handler, settings[ir.start]))
    args, found = arguments(ir, names.parameters)
    diagnostics.extend(found)
    if events is not None:
        args = add_event_parameters(templates, args, events)
    diagnostics.extend(add_webhook_url(templates, opts))
    spec = WorkflowSpec(
        entrypoint=dags.entry,
        on_exit=dags.exit_handler,
        arguments=args,
        templates=templates,
        service_account_name=opts.service_account,
        parallelism=opts.parallelism,
        active_deadline_seconds=opts.workflow_timeout,
        priority=opts.priority,
    )
    diagnostics.extend(check_dags(ir, templates, names))
    return spec, events, diagnostics


def scheduled_template(
    ir: FlowIR, head: ResourceHeader, opts: ArgoOptions
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The CronWorkflow beside a scheduled WorkflowTemplate: of the template's name, it
    starts a Workflow from the template (``workflowTemplateRef``) on ``@schedule``'s
    cron in its time zone, as Metaflow's ``argo-workflows create`` deploys one."""
    crons, timezone, found = schedule(ir)
    if not crons:
        return None, found
    metadata: dict[str, Any] = {"name": head.name, "labels": head.labels}
    if opts.namespace is not None:
        metadata["namespace"] = opts.namespace
    spec: dict[str, Any] = {"schedules": crons}
    if timezone:
        spec["timezone"] = timezone
    spec["workflowSpec"] = {
        "workflowMetadata": {"labels": head.labels},
        "workflowTemplateRef": {"name": head.name},
    }
    document = {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": metadata}
    document["spec"] = spec
    return document, found


def emit(ir: FlowIR, options: TargetOptions) -> EmitResult:

    unknown = unknown_option_keys("argo", options.extra, OPTION_KEYS)
    if unknown:
        return EmitResult([], unknown)
    opts = resolve(ir, options)
    if opts.kind not in KINDS:
        return EmitResult(
            [],
            [
                diag(
                    codes.FC305,
                    f"unknown Argo kind {opts.kind!r}",
                    None,
                    f"choose one of {', '.join(KINDS)}",
                )
            ],
        )
    head = header(ir, opts)
    spec, events, diagnostics = build_spec(ir, opts)
    diagnostics = head.diagnostics + diagnostics
    shared = unshared_datastore(opts.datastore_root, "every Argo step runs in its own pod")
    if shared is not None:
        diagnostics.append(shared)
    if spec is None:
        return EmitResult([], diagnostics)
    mark_deployed(spec.templates, head.name)
    # Runs carry the flow's labels too, so `argo list -l flowc/flow=...` finds them.
    spec.workflow_metadata = Metadata(labels=head.labels)
    meta = ObjectMeta(
        name=head.name, namespace=opts.namespace, labels=head.labels, annotations=head.annotations
    )
    resource: Any
    if opts.kind == "WorkflowTemplate":
        resource = WorkflowTemplate(
            api_version=API_VERSION, kind=opts.kind, metadata=meta, spec=spec
        )
    elif opts.kind == "Workflow":
        meta.name, meta.generate_name = None, f"{head.name}-"
        resource = Workflow(api_version=API_VERSION, kind=opts.kind, metadata=meta, spec=spec)
    else:
        crons, timezone, found = schedule(ir)
        diagnostics.extend(found)
        resource = CronWorkflow(
            api_version=API_VERSION,
            kind=opts.kind,
            metadata=meta,
            spec=CronWorkflowSpec(schedules=crons, timezone=timezone, workflow_spec=spec),
        )
    cron = None
    if opts.kind == "WorkflowTemplate" and ir.decorator("schedule") is not None:
        cron, found = scheduled_template(ir, head, opts)
        diagnostics.extend(found)
    elif opts.kind == "Workflow" and ir.decorator("schedule") is not None:
        dec = ir.decorator("schedule")
        assert dec is not None
        diagnostics.append(
            diag(
                codes.FC302,
                "@schedule does not apply to a single Workflow",
                dec.location.span(),
                "compile to a WorkflowTemplate (with its CronWorkflow) or a CronWorkflow",
            )
        )
    document = to_document(resource)
    fans, found = fan_outs(ir, options.extra)
    diagnostics.extend(found)
    if fans:
        offload = str(options.extra.get(OFFLOAD_OPTION, "")).lower() in ("true", "1", "yes")
        spec_bytes = len(json.dumps(document["spec"], separators=(",", ":")))
        diagnostics.extend(check_status(ir, fans, head.name, spec_bytes, offload))
    text = to_yaml(document)
    if cron is not None:
        text += "---\n" + to_yaml(to_document(cron))
    if events is not None and opts.kind == "WorkflowTemplate":
        defaults = {p.name: p.value for p in spec.arguments.parameters}
        document = sensor(ir, opts, events, head, defaults)
        text += "---\n" + to_yaml(to_document(document))
    diagnostics.extend(check_size(text, opts.kind))
    if has_errors(diagnostics):
        return EmitResult([], diagnostics)
    path = REGISTRY["argo"].output_file(name=head.name, kind=opts.kind.lower())
    return EmitResult([EmittedFile(path, text)], diagnostics)
