"""``emit(ir, options)`` for Step Functions: IR → ASL JSON (+ schedule), with diagnostics."""

from __future__ import annotations

import json
import re
from typing import Any

from backends.base import REGISTRY, EmitResult, EmittedFile, TargetOptions, exit_hooks
from backends.coverage import num_parallel_rejected
from backends.fanout import fan_outs
from backends.run_settings import start_environment, step_environment
from backends.stepfunctions._builder import StatesBuilder
from backends.stepfunctions._coverage import BY_COMPUTE
from backends.stepfunctions._decorators import StepSettings, step_settings
from backends.stepfunctions._events import (
    TRIGGER_DATA,
    SfnTrigger,
    read_trigger,
    rule_document,
    trigger_states,
)
from backends.stepfunctions._exit_hooks import wrap_with_hooks
from backends.stepfunctions._history import check_fan_outs
from backends.stepfunctions._limits import (
    check_commands,
    check_definition,
    check_payload,
    check_timeouts,
)
from backends.stepfunctions._naming import NameCollision
from backends.stepfunctions._options import SfnOptions, resolve
from backends.stepfunctions._schedule import schedule_document
from flowc import codes
from flowc.diagnostics import Diagnostic, Span, diag, has_errors
from flowc.ir import FlowIR, Parameter

_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _unsupported(ir: FlowIR, compute: str) -> list[Diagnostic]:
    out = []
    for step in ir.steps:
        if step.num_parallel is not None:
            out.append(
                diag(
                    codes.FC301,
                    num_parallel_rejected(step.name, "Step Functions"),
                    (step.num_parallel_location or step.location).span(),
                    "compile for Argo (a JobSet), or use a foreach over range(N) if the "
                    "tasks need not run together",
                )
            )
    for dec in ir.decorators:
        out.extend(BY_COMPUTE[compute].review(dec, "on the flow"))
    return out


def _parameters(ir: FlowIR) -> tuple[dict[str, Any], list[Parameter], list[Diagnostic]]:
    """Defaults carried in the definition, parameters the input must give, diagnostics."""
    defaults: dict[str, Any] = {}
    required: list[Parameter] = []
    out: list[Diagnostic] = []
    for p in ir.parameters:
        if p.default_source is not None:
            out.append(
                diag(
                    codes.FC302,
                    f"parameter '{p.name}': default {p.default_source} is not "
                    "a literal; the execution input must give the value",
                    p.location.span(),
                )
            )
            required.append(p)
        elif p.has_default and p.default is not None:
            defaults[p.name] = p.default
        else:
            if not p.required:
                out.append(
                    diag(
                        codes.FC302,
                        f"parameter '{p.name}' has no default; on Step "
                        "Functions the execution input must give it",
                        p.location.span(),
                    )
                )
            required.append(p)
    return defaults, required, out


def _param_path(name: str) -> str:
    """The JSONPath of a parameter in the state data: dotted for an identifier, bracketed
    for a name such as ``max-items``."""
    if _PARAM_NAME.match(name):
        return f"$.params.{name}"
    return f"$.params['{name}']"


def _prelude(
    ir: FlowIR,
    builder: StatesBuilder,
    defaults: dict[str, Any],
    required: list[Parameter],
    trigger: SfnTrigger | None,
    first: str,
) -> tuple[str, dict[str, Any]]:
    """The start state's name and the states before ``first`` (the start step's, or the
    exit hooks' wrapper)."""
    names = builder.names
    states: dict[str, Any] = {}
    init = names.flowc("init")
    start = names.flowc("defaults" if ir.parameters else "init")
    record: dict[str, Any] = {"run_id.$": "$$.Execution.Name", "idx": "", "task": "_"}
    if trigger is not None:
        # The trigger states leave {"input": parameters given, "trigger": event text}.
        start, found = trigger_states(trigger, names, bool(ir.parameters), start)
        states.update(found)
        record["trigger.$"] = TRIGGER_DATA
    if ir.parameters:
        # ``Result`` is taken literally: a default such as {"a.$": "x"} stays data.
        states[names.flowc("defaults")] = {
            "Type": "Pass",
            "Result": defaults,
            "ResultPath": "$" if trigger is None else "$.defaults",
            "Next": init,
        }
        record["params.$"] = (
            "States.JsonMerge($, $$.Execution.Input, false)"
            if trigger is None
            else "States.JsonMerge($.defaults, $.input, false)"
        )
    states[init] = {"Type": "Pass", "Parameters": record}
    document = ir.config_document()
    if document is not None:
        # The resolved configs travel in the state as data (``Result`` is literal) and
        # reach the start task through a JSONPath, like the parameters.
        configs = names.flowc("configs")
        states[init]["Next"] = configs
        states[configs] = {
            "Type": "Pass",
            "Result": json.loads(document),
            "ResultPath": "$.configs",
        }
        init = configs
    if required:
        check, missing = names.flowc("check"), names.flowc("missing")
        states[init]["Next"] = check
        states[check] = {
            "Type": "Choice",
            "Choices": [
                {"Not": {"Variable": _param_path(p.name), "IsPresent": True}, "Next": missing}
                for p in required
            ],
            "Default": first,
        }
        states[missing] = {
            "Type": "Fail",
            "Error": "flowc.MissingParameter",
            "Cause": "the execution input must give: " + ", ".join(p.name for p in required),
        }
    else:
        states[init]["Next"] = first
    return start, states


def build_definition(
    ir: FlowIR, opts: SfnOptions, trigger: SfnTrigger | None = None
) -> tuple[dict[str, Any], list[Diagnostic]]:
    out = _unsupported(ir, opts.compute)
    settings: dict[str, StepSettings] = {}
    for step in ir.steps:
        settings[step.name], found = step_settings(step, opts.compute)
        out.extend(found)
        # The deployment's branch reaches every task (runtime_shim/project.py).
        settings[step.name].env[:0] = list(opts.project_environment)
        settings[step.name].env.extend(step_environment(opts.extra))
    # The deployment's run tags reach the start task, which creates the run record.
    tag_environment, found = start_environment(opts.extra)
    out.extend(found)
    settings[ir.start].env.extend(tag_environment)
    defaults, required, found = _parameters(ir)
    out.extend(found)
    out.extend(check_timeouts(ir, settings))
    if has_errors(out):
        return {}, out
    builder = StatesBuilder(
        ir, opts, settings, trigger_variable=trigger.variable if trigger else None
    )
    try:
        body = builder.scope(ir.start, None)
        first, states = body["StartAt"], body["States"]
        if any(exit_hooks(ir)):
            first, states = wrap_with_hooks(ir, opts, builder.names, body, settings[ir.start])
        prelude_start, prelude = _prelude(ir, builder, defaults, required, trigger, first)
    except NameCollision as exc:
        return {}, [*out, diag(codes.FC304, str(exc), Span.at(ir.file, 1, 0))]
    definition: dict[str, Any] = {
        "Comment": machine_comment(ir.name),
        "StartAt": prelude_start,
        "States": {**prelude, **states},
    }
    if opts.workflow_timeout is not None:
        definition["TimeoutSeconds"] = opts.workflow_timeout
    out.extend(check_commands(ir, opts.compute, builder.commands, settings))
    out.extend(check_payload(ir, defaults))
    found_fan_outs, found = fan_outs(ir, opts.extra)
    out.extend(found)
    map_states = {builder.names.name(f.step.name, "map"): f for f in found_fan_outs}
    out.extend(check_fan_outs(definition, map_states, opts.map_mode))
    return definition, out


_COMMENT = "flow {flow}, compiled by flowc"


def machine_comment(flow: str) -> str:
    """The definition's Comment, which names the flow it runs (read by ``flow_of_comment``
    when a deployed machine's flow is needed)."""
    return _COMMENT.format(flow=flow)


def flow_of_comment(comment: str) -> str | None:
    """The flow a definition's Comment names; None for a machine flowc did not emit."""
    head, _, tail = _COMMENT.partition("{flow}")
    if comment.startswith(head) and comment.endswith(tail) and len(comment) > len(head + tail):
        return comment[len(head) : len(comment) - len(tail)]
    return None


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def emit(ir: FlowIR, options: TargetOptions) -> EmitResult:
    opts, out = resolve(ir, options)
    if has_errors(out):
        return EmitResult([], out)
    trigger, found = read_trigger(ir, opts)
    out.extend(found)
    definition, found = build_definition(ir, opts, trigger)
    out.extend(found)
    if has_errors(out):
        return EmitResult([], out)
    text = render(definition)
    out.extend(check_definition(ir, text))
    if has_errors(out):
        return EmitResult([], out)
    files = [EmittedFile(REGISTRY["stepfunctions"].output_file(name=opts.state_machine_name), text)]
    dec = ir.decorator("schedule")
    if dec is not None:
        document, found = schedule_document(dec, opts)
        out.extend(found)
        if document is not None:
            files.append(EmittedFile(f"{opts.state_machine_name}.schedule.json", render(document)))
    if trigger is not None:
        rule = rule_document(trigger, opts)
        files.append(EmittedFile(f"{opts.state_machine_name}.rule.json", render(rule)))
    if has_errors(out):
        return EmitResult([], out)
    return EmitResult(files, out)
