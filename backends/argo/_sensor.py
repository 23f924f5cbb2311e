"""``@trigger``/``@trigger_on_finish`` on Argo: an Argo Events ``Sensor`` beside the
WorkflowTemplate, as Metaflow deploys it.

The events come through one Argo Events EventSource event (a webhook, by default
``argo-events-webhook``/``metaflow-event``) on one event bus; the Sensor has a
dependency per flow event, filtered on ``body.payload.name`` (and, for a finished run,
the payload fields the run's event carries), and one trigger that creates a Workflow
from the WorkflowTemplate (``workflowTemplateRef``), as ``argo submit --from`` would:

* each flow parameter an event maps is set from its payload field, as JSON
  (``toRawJson``, the form every flowc step parameter takes); a missing field keeps the
  parameter's default;
* each event's whole webhook body goes into a workflow parameter of its own
  (``dataKey: body``, ``null`` when the event is not part of the firing), which every
  pod reads as ``FLOWC_TRIGGER_EVENT_<key>`` (the variable ``current.trigger`` is built
  from, runtime_shim/events.py).

All events of the flow must have arrived before the Workflow is created (the Sensor's
default: its dependencies AND-ed), as in Metaflow; ``options={"reset_at": {"cron":
..., "timezone": ...}}`` forgets the arrived ones on a schedule (``conditionsReset``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.argo._manifest import API_VERSION, ResourceHeader
from backends.argo._model import Arguments, EnvVar, Parameter, Template
from backends.argo._names import name_problem
from backends.argo._options import EVENT_OPTIONS, WEBHOOK_OPTION, ArgoOptions
from backends.events import EventTrigger, FlowTriggers, deployed_project, flow_triggers
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR
from runtime_shim.argo_events import WEBHOOK_URL_VARIABLE
from runtime_shim.events import ARGO_DEPLOYED_VARIABLE, EVENT_VARIABLE_PREFIX

#: The parameter that a payload field or an event body is written to.
_DEST = "spec.arguments.parameters.#(name={name}).value"
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
#: The options of a trigger decorator flowc maps.
_TRIGGER_OPTIONS = ("reset_at",)


@dataclass(frozen=True)
class SensorPlan:
    """What the WorkflowTemplate and the Sensor share: every event the flow waits for,
    the workflow parameter holding each event's body, and the trigger options."""

    events: tuple[EventTrigger, ...]
    event_parameters: dict[str, str]  # event name -> workflow parameter
    triggers: tuple[FlowTriggers, ...]
    flow_parameters: dict[str, str]  # flow parameter (lower-case) -> workflow parameter

    def environment(self) -> list[tuple[str, str]]:
        """``(variable, value)`` for every pod: each event's body."""
        out = []
        for event in self.events:
            parameter = self.event_parameters[event.name]
            variable = f"{EVENT_VARIABLE_PREFIX}{event.key.upper()}"
            out.append((variable, f"{{{{workflow.parameters.{parameter}}}}}"))
        return out


def read_triggers(ir: FlowIR, opts: ArgoOptions) -> tuple[list[FlowTriggers], list[Diagnostic]]:
    """The flow's triggers, and everything that keeps them from an Argo Sensor."""
    project, branch = deployed_project(ir, opts.branch, opts.production)
    triggers, diagnostics = flow_triggers(ir, project, branch)
    if not triggers:
        return triggers, diagnostics
    if len(triggers) > 1:
        diagnostics.append(
            diag(
                codes.FC308,
                "@trigger and @trigger_on_finish together are not deployable on Argo (as in "
                "Metaflow): one Sensor trigger cannot wait for both",
                triggers[1].decorator.location.span(),
                "use one of the two decorators",
            )
        )
    for found in triggers:
        for option in sorted(set(found.options) - set(_TRIGGER_OPTIONS)):
            diagnostics.append(
                diag(
                    codes.FC308,
                    f"@{found.decorator.name}(options={{{option!r}: ...}}) has no Argo Events "
                    "equivalent flowc emits; the Sensor would ignore it",
                    found.decorator.location.span(),
                    "flowc maps options={'reset_at': {'cron': ..., 'timezone': ...}}",
                )
            )
    reset_at = triggers[0].options.get("reset_at")
    if reset_at is not None:
        problem = _reset_problem(reset_at)
        if problem:
            deco = triggers[0].decorator
            diagnostics.append(
                diag(
                    codes.FC305,
                    f"@{deco.name}(options={{'reset_at': ...}}): {problem}",
                    deco.location.span(),
                    "reset_at={'cron': '0 0 * * *', 'timezone': 'UTC'}",
                )
            )
    if opts.kind != "WorkflowTemplate":
        first = triggers[0].decorator
        diagnostics.append(
            diag(
                codes.FC305,
                f"@{first.name} needs kind WorkflowTemplate: the Sensor submits the run from "
                f"the WorkflowTemplate, and a {opts.kind} cannot be referenced",
                first.location.span(),
                "compile with --option kind=WorkflowTemplate (the default)",
            )
        )
    diagnostics.extend(_check_options(opts))
    return triggers, diagnostics


def _reset_problem(value: Any) -> str | None:
    """What is wrong with a ``reset_at`` option (a cron and an optional IANA time zone),
    by the catalogue's rules for ``@schedule``'s cron and timezone."""
    from runtime_shim.catalogue import CRON, TIMEZONE, InvalidValue

    if not isinstance(value, dict) or "cron" not in value:
        return "needs {'cron': '...'} and optionally 'timezone'"
    unknown = sorted(set(value) - {"cron", "timezone"})
    if unknown:
        return f"unknown key(s) {', '.join(map(repr, unknown))}"
    try:
        CRON.normalise(value["cron"])
        if value.get("timezone") is not None:
            TIMEZONE.normalise(value["timezone"])
    except InvalidValue as error:
        return str(error)
    return None


def plan(
    triggers: list[FlowTriggers],
    parameter_name: Callable[[str, str], str],
    flow_parameters: dict[str, str],
) -> SensorPlan | None:
    """The Sensor plan of ``triggers`` (None without any). ``parameter_name(key,
    wanted)`` allocates a workflow parameter name beside the flow's own;
    ``flow_parameters`` are the workflow parameters of the flow's parameters."""
    if not triggers:
        return None
    events = tuple(e for t in triggers for e in t.events)
    names = {e.name: parameter_name(f"event:{e.name}", f"flowc-event-{e.key}") for e in events}
    lowered = {name.lower(): argo for name, argo in flow_parameters.items()}
    return SensorPlan(events, names, tuple(triggers), lowered)


def event_option(opts: ArgoOptions, key: str) -> str:
    value = opts.extra.get(key)
    return value if isinstance(value, str) and value else EVENT_OPTIONS[key][0]


def _check_options(opts: ArgoOptions) -> list[Diagnostic]:
    out = []
    for key in ("event_bus", "event_source", "sensor_service_account"):
        problem = name_problem(key.replace("_", " "), event_option(opts, key))
        if problem:
            out.append(diag(codes.FC305, problem, None))
    if not _EVENT_NAME.match(event_option(opts, "event")):
        out.append(
            diag(codes.FC305, f"event {event_option(opts, 'event')!r} is not an event name", None)
        )
    return out


def add_event_parameters(
    templates: list[Template], args: Arguments | None, sensor_plan: SensorPlan
) -> Arguments:
    """Each event's workflow parameter (``null`` until the Sensor sets it), and its
    variable in every container."""
    parameters = list(args.parameters) if args is not None else []
    parameters += [
        Parameter(name=name, value="null", description="set by the Sensor: the event's body")
        for name in sensor_plan.event_parameters.values()
    ]
    variables = [EnvVar(name=k, value=v) for k, v in sensor_plan.environment()]
    for template in templates:
        if template.container is not None:
            template.container.env = list(template.container.env or []) + variables
    return Arguments(parameters=parameters)


def mark_deployed(templates: list[Template], name: str) -> None:
    """``ARGO_WORKFLOW_TEMPLATE`` in every container, as Metaflow sets it: the mark of a
    deployed run, without which a task neither publishes its finished-run event nor
    ``ArgoEvent.safe_publish()`` (so a local run never starts deployed flows)."""
    variable = EnvVar(name=ARGO_DEPLOYED_VARIABLE, value=name)
    for template in templates:
        if template.container is not None:
            template.container.env = [*(template.container.env or []), variable]


def add_webhook_url(templates: list[Template], opts: ArgoOptions) -> list[Diagnostic]:
    """``--option events_webhook_url=URL``: the URL in every container, where a finished
    run's end task and ``ArgoEvent`` read it (runtime_shim/argo_events.py)."""
    url = opts.extra.get(WEBHOOK_OPTION)
    if url is None:
        return []
    if not isinstance(url, str) or not re.match(r"^https?://[^\s{}$]+$", url):
        return [diag(codes.FC305, f"{WEBHOOK_OPTION} {url!r} is not an http(s) URL", None)]
    variable = EnvVar(name=WEBHOOK_URL_VARIABLE, value=url)
    for template in templates:
        if template.container is not None:
            template.container.env = [*(template.container.env or []), variable]
    return []


def sensor(
    ir: FlowIR,
    opts: ArgoOptions,
    sensor_plan: SensorPlan,
    head: ResourceHeader,
    defaults: dict[str, str | None],
) -> dict[str, Any]:
    """The Sensor document, named and labelled as the WorkflowTemplate ``head``;
    ``defaults`` are the WorkflowTemplate's parameter values by workflow parameter."""
    name = head.name
    metadata: dict[str, Any] = {"name": name}
    if opts.namespace:
        metadata["namespace"] = opts.namespace
    metadata.update(labels=dict(head.labels), annotations=dict(head.annotations))
    resource_meta: dict[str, Any] = {"generateName": f"{name}-"}
    if opts.namespace:
        resource_meta["namespace"] = opts.namespace
    arguments = [
        {"name": p, "value": v} if v is not None else {"name": p} for p, v in defaults.items()
    ]
    template: dict[str, Any] = {
        "name": name,
        "k8s": {
            "operation": "create",
            "source": {
                "resource": {
                    "apiVersion": API_VERSION,
                    "kind": "Workflow",
                    "metadata": resource_meta,
                    "spec": {
                        "arguments": {"parameters": arguments},
                        "workflowTemplateRef": {"name": name},
                    },
                }
            },
            "parameters": _trigger_parameters(sensor_plan, defaults),
        },
    }
    reset_at = sensor_plan.triggers[0].options.get("reset_at")
    if reset_at:
        template["conditionsReset"] = [_reset(reset_at)]
    required = {p.name.lower() for p in ir.parameters if p.required and not p.has_default}
    return {
        "apiVersion": API_VERSION,
        "kind": "Sensor",
        "metadata": metadata,
        "spec": {
            "eventBusName": event_option(opts, "event_bus"),
            "template": {"serviceAccountName": event_option(opts, "sensor_service_account")},
            "dependencies": [_dependency(opts, e, required) for e in sensor_plan.events],
            "triggers": [{"template": template}],
        },
    }


def _reset(value: Any) -> dict[str, Any]:
    settings = value if isinstance(value, dict) else {}
    return {"byTime": {k: settings[k] for k in ("cron", "timezone") if settings.get(k)}}


def _dependency(opts: ArgoOptions, event: EventTrigger, required: set[str]) -> dict[str, Any]:
    exprs = [_expr(f"name == {_quoted(event.name)}", "name", "body.payload.name")]
    # An event without a required parameter's field could not start the run.
    exprs += [
        _expr("true == true", "field", f"body.payload.{field}")
        for parameter, field in event.parameters.items()
        if parameter in required
    ]
    exprs += [
        _expr(f"field == {_quoted(str(value))}", "field", f"body.payload.{key}")
        for key, value in event.filters.items()
        if value
    ]
    return {
        "name": event.key,
        "eventSourceName": event_option(opts, "event_source"),
        "eventName": event_option(opts, "event"),
        "filters": {"exprs": exprs},
    }


def _expr(expression: str, field: str, path: str) -> dict[str, Any]:
    return {"expr": expression, "fields": [{"name": field, "path": path}]}


def _quoted(text: str) -> str:
    """A govaluate string literal (event names and filters hold no quotes or backslashes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _trigger_parameters(
    sensor_plan: SensorPlan, defaults: dict[str, str | None]
) -> list[dict[str, Any]]:
    out = []
    for event in sensor_plan.events:
        for parameter, field in event.parameters.items():
            target = sensor_plan.flow_parameters[parameter]
            src: dict[str, Any] = {
                "dependencyName": event.key,
                "dataTemplate": payload_template(field),
            }
            if defaults.get(target) is not None:
                src["value"] = defaults[target]
            out.append({"src": src, "dest": _DEST.format(name=target)})
    for event in sensor_plan.events:
        target = sensor_plan.event_parameters[event.name]
        out.append(
            {
                "src": {"dependencyName": event.key, "dataKey": "body", "value": "null"},
                "dest": _DEST.format(name=target),
            }
        )
    return out


def payload_template(field: str) -> str:
    """The Go template that writes payload field ``field`` as JSON, and nothing (so the
    parameter keeps its default) when the payload lacks it."""
    return (
        f'{{{{ if hasKey $.Input.body.payload "{field}" }}}}'
        f'{{{{ get $.Input.body.payload "{field}" | toRawJson }}}}{{{{ end }}}}'
    )
