"""``@trigger`` and ``@trigger_on_finish`` read once for every target: the events a
deployed flow waits for, and how each event's payload fills the flow's parameters.

The rules are Metaflow's (``events_decorator.py`` and its Argo Workflows deployer):

* an event is a name, or ``{"name": ..., "parameters": ...}`` where ``parameters`` maps
  a flow parameter to a payload field, either as a dict or as a list of names (same name
  both sides) and ``(parameter, field)`` pairs; parameter names are case-insensitive and
  stored lower-case; a parameter mapped twice, an event named twice, a parameter the flow
  does not have, or a name or field with characters outside Metaflow's sets is an error;
* a single event without a mapping fills every parameter from the payload field of the
  same name;
* ``@trigger_on_finish(flow=...)`` names a flow (``FooFlow``), a project flow
  (``project.branch.FooFlow``), or ``{"name": ..., "project": ..., "project_branch":
  ...}``; a flow without project or branch of its own takes the deploying flow's; the
  event waited for is ``metaflow.[PROJECT.BRANCH.]FLOW.end``, which a finished run
  publishes, filtered on the payload's ``project_name``/``branch_name``.

Each target turns a :class:`FlowTriggers` into its engine's listener (an Argo Events
Sensor, Airflow assets, an EventBridge rule); names that an engine restricts further are
checked by that target.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator, FlowIR
from runtime_shim.events import AUTO_GENERATED_FIELD

#: Metaflow's characters for an event name, a payload field and a flow name.
EVENT_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
PAYLOAD_FIELD = re.compile(r"^[A-Za-z0-9_]+$")
FLOW_NAME = re.compile(r"^[A-Za-z0-9_]+$")


EventKind = Literal["event", "run"]


@dataclass(frozen=True)
class EventTrigger:
    """One event the deployed flow waits for.

    ``parameters`` maps a flow parameter's name (lower-case) to the payload field that
    fills it. ``filters`` are payload fields that must equal the given values (a
    ``run`` event's project and branch). ``flow`` is the upstream flow of a ``run``
    event. ``key`` is a short identifier unique within the flow, made of letters,
    digits and ``_`` only, for engines that need one per event (a parameter, a
    dependency or a variable name).
    """

    name: str
    kind: EventKind
    parameters: dict[str, str] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    flow: str | None = None
    project: str | None = None
    branch: str | None = None

    @property
    def key(self) -> str:
        digest = base64.b32encode(hashlib.sha1(self.name.encode()).digest()).decode()
        plain = re.sub(r"[^A-Za-z0-9_]", "", self.name)
        return f"{plain}_{digest[:4].lower()}"


@dataclass(frozen=True)
class FlowTriggers:
    """Everything a flow's trigger decorators say: its events and the engine options.

    ``decorator`` is the decorator the events came from, for a target's diagnostics.
    """

    events: tuple[EventTrigger, ...]
    options: dict[str, Any]
    decorator: Decorator

    @property
    def mapped_parameters(self) -> dict[str, tuple[EventTrigger, str]]:
        """Each flow parameter filled from an event: the event and its payload field."""
        return {
            parameter: (event, payload_field)
            for event in self.events
            for parameter, payload_field in event.parameters.items()
        }


def flow_triggers(
    ir: FlowIR, project: str | None = None, branch: str | None = None
) -> tuple[list[FlowTriggers], list[Diagnostic]]:
    """The flow's triggers, one entry per trigger decorator, and what is wrong with them.

    ``project`` and ``branch`` are the deployed flow's own (``@project``'s name and the
    branch name, e.g. ``user.alice`` or ``prod``), which ``@trigger_on_finish`` inherits.
    """
    found: list[FlowTriggers] = []
    problems: list[Diagnostic] = []
    trigger = ir.decorator("trigger")
    if trigger is not None:
        events = _trigger_events(ir, trigger, problems)
        if events:
            found.append(FlowTriggers(tuple(events), dict(trigger.args["options"]), trigger))
    on_finish = ir.decorator("trigger_on_finish")
    if on_finish is not None:
        events = _finish_events(on_finish, project, branch, problems)
        if events:
            found.append(FlowTriggers(tuple(events), dict(on_finish.args["options"]), on_finish))
    return found, problems


def deployed_project(ir: FlowIR, branch: str | None = None) -> tuple[str | None, str | None]:
    """``(project, branch)`` of the deployed flow in Metaflow's form (``prod``,
    ``test.BRANCH``, ``prod.BRANCH``), or ``(None, None)`` without ``@project``.

    ``branch`` is the deploy's own (an option); otherwise ``@project``'s. A named branch
    is a test branch unless ``@project(production=True)``; without one the flow is
    deployed as production (``prod``), since a deployed name cannot depend on who runs it.
    """
    project = ir.decorator("project")
    if project is None or not isinstance(project.args.get("name"), str):
        return None, None
    declared = project.args.get("branch")
    branch = branch or (declared if isinstance(declared, str) and declared else None)
    if branch is None:
        return project.args["name"], "prod"
    production = bool(project.args.get("production"))
    return project.args["name"], f"{'prod' if production else 'test'}.{branch}"


def finished_run_event_names(flow: str, end_step: str, project_flow_name: str | None) -> list[str]:
    """The events a finished run of ``flow`` publishes (as Metaflow's Argo tasks do)."""
    qualified = project_flow_name or flow
    names = [f"metaflow.{qualified}.{end_step}"]
    if end_step != "end":
        names.append(f"metaflow.{qualified}.end")
    return names


def _trigger_events(ir: FlowIR, deco: Decorator, problems: list[Diagnostic]) -> list[EventTrigger]:
    if _not_literal(deco, ("event", "events"), problems):
        return []
    # The catalogue stores ``event`` and ``events`` alike as lists.
    raw = list(deco.args.get("event") or deco.args.get("events") or [])
    params = {p.name.lower() for p in ir.parameters}
    events: list[EventTrigger] = []
    seen_params: set[str] = set()
    for item in raw:
        name = item if isinstance(item, str) else item.get("name")
        if not isinstance(name, str) or not EVENT_NAME.match(name):
            problems.append(
                _rule(
                    deco,
                    f"event name {name!r} may hold only letters, digits, '_', '-' and '.'",
                )
            )
            continue
        if any(e.name == name for e in events):
            problems.append(_rule(deco, f"event {name!r} is named twice"))
            continue
        mapping = _mapping(deco, name, {} if isinstance(item, str) else item, problems)
        parameters: dict[str, str] = {}
        for parameter, payload_field in mapping.items():
            lowered = parameter.lower()
            if not PAYLOAD_FIELD.match(payload_field):
                problems.append(
                    _rule(
                        deco,
                        f"payload field {payload_field!r} of event {name!r} may hold only "
                        "letters, digits and '_'",
                    )
                )
            elif lowered not in params:
                problems.append(
                    _rule(
                        deco,
                        f"event {name!r} maps to parameter {parameter!r}, which "
                        "the flow does not have",
                        _known(params),
                    )
                )
            elif lowered in seen_params:
                problems.append(_rule(deco, f"parameter {lowered!r} is mapped twice"))
            else:
                seen_params.add(lowered)
                parameters[lowered] = payload_field
        events.append(EventTrigger(name=name, kind="event", parameters=parameters))
    if len(events) == 1 and not events[0].parameters:
        # Metaflow: one event and no mapping fills every parameter from its namesake field.
        only = events[0]
        same = {p: p for p in sorted(params) if PAYLOAD_FIELD.match(p)}
        events = [EventTrigger(name=only.name, kind="event", parameters=same)]
    return events


def _mapping(
    deco: Decorator, event: str, item: dict[str, Any], problems: list[Diagnostic]
) -> dict[str, str]:
    parameters = item.get("parameters") or {}
    if isinstance(parameters, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()):
            return dict(parameters)
    elif isinstance(parameters, list):
        mapping: dict[str, str] = {}
        for entry in parameters:
            if isinstance(entry, str):
                mapping[entry] = entry
            elif (
                isinstance(entry, list | tuple)
                and len(entry) == 2
                and all(isinstance(part, str) for part in entry)
            ):
                mapping[entry[0]] = entry[1]
            else:
                break
        else:
            return mapping
    problems.append(
        _rule(
            deco,
            f"the parameters of event {event!r} are neither a dict of names nor a list of "
            "names and (parameter, field) pairs",
        )
    )
    return {}


def _finish_events(
    deco: Decorator, project: str | None, branch: str | None, problems: list[Diagnostic]
) -> list[EventTrigger]:
    if _not_literal(deco, ("flow", "flows"), problems):
        return []
    raw = list(deco.args.get("flow") or deco.args.get("flows") or [])
    events: list[EventTrigger] = []
    for item in raw:
        upstream = _upstream(deco, item, problems)
        if upstream is None:
            continue
        flow, own_project, own_branch = upstream
        event_project = own_project or project
        event_branch = own_branch or branch
        if bool(event_project) != bool(event_branch):
            problems.append(
                _rule(
                    deco,
                    f"upstream flow {flow!r} has a project but no branch, or a branch but no "
                    "project: the event it would wait for is never published",
                    "give both 'project' and 'project_branch', or use @project",
                )
            )
            continue
        qualified = ".".join(v for v in (event_project, event_branch, flow) if v)
        name = f"metaflow.{qualified}.end"
        if any(e.name == name for e in events):
            problems.append(_rule(deco, f"upstream flow {qualified!r} is named twice"))
            continue
        filters: dict[str, Any] = {AUTO_GENERATED_FIELD: True}
        if event_project:
            filters["project_name"] = event_project
            filters["branch_name"] = event_branch
        events.append(
            EventTrigger(
                name=name,
                kind="run",
                filters=filters,
                flow=flow,
                project=event_project,
                branch=event_branch,
            )
        )
    return events


def _upstream(
    deco: Decorator, item: Any, problems: list[Diagnostic]
) -> tuple[str, str | None, str | None] | None:
    """``(flow, project, branch)`` of one ``@trigger_on_finish`` entry, as Metaflow parses it."""
    project: str | None = None
    branch: str | None = None
    if isinstance(item, dict):
        name = item.get("name")
        if not isinstance(name, str) or "." in name:
            problems.append(_rule(deco, f"upstream flow {item!r} needs a 'name' without dots"))
            return None
        project, branch = item.get("project"), item.get("project_branch")
        if not all(v is None or isinstance(v, str) for v in (project, branch)):
            problems.append(_rule(deco, f"'project' and 'project_branch' of {name!r} are text"))
            return None
        flow = name
    elif isinstance(item, str):
        dots = item.count(".")
        if dots == 0:
            flow = item
        elif dots >= 2:
            project, tail = item.split(".", 1)
            branch, flow = tail.rsplit(".", 1)
        else:
            problems.append(
                _rule(
                    deco,
                    f"upstream flow {item!r} is neither a flow name nor 'project.branch.FlowName'",
                )
            )
            return None
    else:
        problems.append(_rule(deco, f"upstream flow {item!r} is neither a name nor a dict"))
        return None
    if not FLOW_NAME.match(flow):
        problems.append(_rule(deco, f"flow name {flow!r} may hold only letters, digits and '_'"))
        return None
    return flow, project, branch


def _not_literal(deco: Decorator, names: tuple[str, ...], problems: list[Diagnostic]) -> bool:
    """A trigger whose events are not literals cannot be deployed from the source alone."""
    unread = [n for n in names if n in deco.source_args]
    for name in unread:
        problems.append(
            diag(
                codes.FC208_RULE,
                f"@{deco.name}({name}=...) is not a literal (`{deco.source_args[name]}`): "
                "a deployed listener needs its events at compile time",
                deco.location.span(),
                "write the event names and mappings as literals",
            )
        )
    return bool(unread)


def _rule(deco: Decorator, message: str, hint: str | None = None) -> Diagnostic:
    return diag(codes.FC208_RULE, f"@{deco.name}: {message}", deco.location.span(), hint)


def _known(params: set[str]) -> str:
    return "the flow's parameters: " + (", ".join(sorted(params)) or "none")
