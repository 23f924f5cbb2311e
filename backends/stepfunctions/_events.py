"""``@trigger``/``@trigger_on_finish`` → an EventBridge rule beside the state machine.

The rule file (``<machine>.rule.json``) holds the two requests that deploy it: ``PutRule``
(the event pattern) and ``PutTargets`` (the state machine, the role EventBridge assumes to
call ``states:StartExecution``, and an ``InputTransformer``). The transformer writes one
event object, in the shape ``runtime_shim.events`` reads, under the execution input key
:data:`TRIGGER_KEY`; the state machine's trigger prelude (:func:`trigger_states`) fills
the mapped parameters from its payload, so a field the event lacks leaves the parameter's
default, as in Metaflow, and hands the event to every task as ``FLOWC_TRIGGER_EVENT_<key>``.

* ``@trigger(event=NAME)``: pattern ``{"detail-type": [NAME]}`` (and ``source`` when the
  ``event_source`` option is set); the event's ``detail`` is its payload.
* ``@trigger_on_finish(flow=Up)``: pattern on Step Functions' own ``Execution Status
  Change`` events with ``status`` ``SUCCEEDED`` from the upstream's state machine (its
  deployed name, :func:`machine_name`); the upstream run id is the execution's name, so the
  event's id is the pathspec of the upstream's end task, ``Up/<name>/end/_``.

EventBridge starts a target for each matching event and has no "all of these arrived", so
several events (or upstream flows), whose Metaflow meaning is "all of them", are FC308, and
so are the decorators' ``options`` (declared in ``_coverage.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from backends.events import EventTrigger, FlowTriggers, flow_triggers
from backends.stepfunctions._naming import StateNames
from backends.stepfunctions._options import SfnOptions, deployed_project, machine_name
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR
from runtime_shim.events import EVENT_VARIABLE_PREFIX

#: The execution input key the rule's InputTransformer writes the event under.
TRIGGER_KEY = "flowc_trigger"
#: The state data key holding the event as JSON text (empty when no event started the run).
TRIGGER_DATA = "$.trigger"
#: The target id inside the rule.
TARGET_ID = "flowc-start-execution"
#: What Step Functions publishes when an execution changes status.
SFN_SOURCE = "aws.states"
SFN_DETAIL_TYPE = "Step Functions Execution Status Change"
#: The task id of a top-level step in the datastore (the end step is never in a foreach).
TOP_LEVEL_TASK = "_"


@dataclass(frozen=True)
class SfnTrigger:
    """The one event a deployed machine starts on."""

    event: EventTrigger
    triggers: FlowTriggers

    @property
    def variable(self) -> str:
        return f"{EVENT_VARIABLE_PREFIX}{self.event.key.upper()}"


def read_trigger(ir: FlowIR, opts: SfnOptions) -> tuple[SfnTrigger | None, list[Diagnostic]]:
    """The flow's trigger, and everything that keeps it from an EventBridge rule."""
    project, branch = deployed_project(ir)
    found, out = flow_triggers(ir, project, branch)
    if not found:
        return None, out
    if len(found) > 1:
        out.append(
            diag(
                codes.FC308,
                "@trigger and @trigger_on_finish together are not deployable on Step "
                "Functions (as in Metaflow): one rule cannot wait for both",
                found[1].decorator.location.span(),
                "use one of the two decorators",
            )
        )
    triggers = found[0]
    dec = triggers.decorator
    if len(triggers.events) > 1:
        out.append(
            diag(
                codes.FC308,
                f"@{dec.name} names {len(triggers.events)} "
                f"{'events' if dec.name == 'trigger' else 'flows'}; Metaflow starts the "
                "run when all of them have arrived, and an EventBridge rule starts an "
                "execution for each matching event (it has no 'all of')",
                dec.location.span(),
                "trigger on one event, or join the events upstream into one",
            )
        )
    for parameter in ir.parameters:
        if parameter.name == TRIGGER_KEY:
            out.append(
                diag(
                    codes.FC304,
                    f"parameter '{TRIGGER_KEY}' has the name of the execution input key the "
                    "rule hands the event in; a manual start giving it would be read as an event",
                    parameter.location.span(),
                    "rename the parameter",
                )
            )
    needed = [("events_role_arn", "the IAM role EventBridge assumes to call states:StartExecution")]
    if triggers.events[0].kind == "run" or not opts.state_machine_arn:
        # The ARNs in the target (and a trigger_on_finish pattern) are built from these.
        needed += [
            ("region", "the region of the state machines' ARNs"),
            ("account_id", "the account of the state machines' ARNs"),
        ]
    for name, meaning in needed:
        if not opts.extra.get(name):
            out.append(
                diag(
                    codes.FC305,
                    f"@{dec.name} needs option {name} ({meaning}); a rule without it "
                    "never starts the state machine",
                    dec.location.span(),
                    f"pass --option {name}=...",
                )
            )
    return SfnTrigger(triggers.events[0], triggers), out


def _arn(opts: SfnOptions, name: str) -> str:
    return f"arn:aws:states:{opts.region}:{opts.account_id}:stateMachine:{name}"


def _pattern_and_input(
    trigger: SfnTrigger, opts: SfnOptions
) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The rule's event pattern, the InputTemplate and its InputPathsMap."""
    event = trigger.event
    if event.kind == "event":
        pattern: dict[str, Any] = {"detail-type": [event.name]}
        source = opts.extra.get("event_source")
        if source:
            pattern["source"] = [str(source)]
        paths = {"id": "$.id", "time": "$.time", "payload": "$.detail"}
        body = (
            f'{{"type": "event", "name": "{event.name}", "id": "<id>", '
            '"timestamp": "<time>", "payload": <payload>}'
        )
        return pattern, f'{{"{TRIGGER_KEY}": {body}}}', paths
    assert event.flow is not None
    upstream = machine_name(event.flow, event.project, event.branch)
    pattern = {
        "source": [SFN_SOURCE],
        "detail-type": [SFN_DETAIL_TYPE],
        "detail": {"status": ["SUCCEEDED"], "stateMachineArn": [_arn(opts, upstream)]},
    }
    paths = {"run": "$.detail.name", "time": "$.time", "execution": "$.detail.executionArn"}
    pathspec = f"{event.flow}/<run>/end/{TOP_LEVEL_TASK}"
    body = (
        f'{{"type": "run", "name": "{event.name}", "id": "{pathspec}", '
        f'"timestamp": "<time>", "payload": {{"flow_name": "{event.flow}", '
        f'"run_id": "<run>", "pathspec": "{pathspec}", "execution_arn": "<execution>"}}}}'
    )
    return pattern, f'{{"{TRIGGER_KEY}": {body}}}', paths


def rule_document(trigger: SfnTrigger, opts: SfnOptions) -> dict[str, Any]:
    """The ``PutRule`` and ``PutTargets`` requests of the machine's rule."""
    pattern, template, paths = _pattern_and_input(trigger, opts)
    bus = str(opts.extra.get("event_bus") or "default")
    rule = opts.state_machine_name[:64]  # rule names are at most 64 characters
    return {
        "PutRule": {
            "Name": rule,
            "EventBusName": bus,
            "EventPattern": json.dumps(pattern, sort_keys=True),
            "State": "ENABLED",
            "Description": f"starts {opts.state_machine_name} on {trigger.event.name}",
        },
        "PutTargets": {
            "Rule": rule,
            "EventBusName": bus,
            "Targets": [
                {
                    "Id": TARGET_ID,
                    "Arn": opts.state_machine_arn or _arn(opts, opts.state_machine_name),
                    "RoleArn": str(opts.extra.get("events_role_arn")),
                    "InputTransformer": {"InputPathsMap": paths, "InputTemplate": template},
                }
            ],
        },
    }


def _mapping_states(
    parameter: str, payload_field: str, names: StateNames, after: str
) -> tuple[str, dict[str, Any]]:
    """``flowc.has-P`` (is the payload field there?) → ``flowc.take-P`` → ``flowc.put-P``
    (merged into ``input``) → ``after``; without the field, straight to ``after``."""
    has = names.flowc(f"has-{parameter}")
    take, put = names.flowc(f"take-{parameter}"), names.flowc(f"put-{parameter}")
    field_path = f"$.event.payload.{payload_field}"
    return has, {
        has: {
            "Type": "Choice",
            "Choices": [{"Variable": field_path, "IsPresent": True, "Next": take}],
            "Default": after,
        },
        take: {
            "Type": "Pass",
            "Parameters": {
                "event.$": "$.event",
                "input.$": "$.input",
                "one": {f"{parameter}.$": field_path},
            },
            "Next": put,
        },
        put: {
            "Type": "Pass",
            "Parameters": {
                "event.$": "$.event",
                "input.$": "States.JsonMerge($.input, $.one, false)",
            },
            "Next": after,
        },
    }


def trigger_states(
    trigger: SfnTrigger, names: StateNames, params: bool, following: str
) -> tuple[str, dict[str, Any]]:
    """The states that read the execution input before the defaults: the entry state's
    name and the states. They leave ``{"input": ..., "trigger": ...}``: the parameters
    the run was given (the input of a manual start, the mapped payload fields of an
    event) and the event as JSON text (empty for a manual start)."""
    entry, manual, event = names.flowc("trigger"), names.flowc("manual"), names.flowc("event")
    done = names.flowc("triggered")
    mapped = sorted(trigger.event.parameters.items()) if params else []
    # Built from the last parameter back, so each mapping knows the state after it.
    after, mappings = done, dict[str, Any]()
    for parameter, payload_field in reversed(mapped):
        after, found = _mapping_states(parameter, payload_field, names, after)
        mappings = {**found, **mappings}
    return entry, {
        entry: {
            "Type": "Choice",
            "Choices": [{"Variable": f"$.{TRIGGER_KEY}", "IsPresent": True, "Next": event}],
            "Default": manual,
        },
        manual: {"Type": "Pass", "Parameters": {"input.$": "$", "trigger": ""}, "Next": following},
        event: {
            "Type": "Pass",
            "Parameters": {"event.$": f"$.{TRIGGER_KEY}", "input": {}},
            "Next": after,
        },
        **mappings,
        done: {
            "Type": "Pass",
            "Parameters": {"input.$": "$.input", "trigger.$": "States.JsonToString($.event)"},
            "Next": following,
        },
    }
