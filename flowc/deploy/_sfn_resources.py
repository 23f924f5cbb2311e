"""The three Step Functions resources of a deployed flow, each compared with what AWS
holds and then created, updated, left alone or deleted (``document`` None: the flow no
longer has it, so a copy this flow's machine owns is removed)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flowc.deploy._model import DeployError, ResourceChange

if TYPE_CHECKING:
    from flowc.deploy.stepfunctions import StepFunctionsTarget

_NOT_FOUND = ("ResourceNotFoundException", "StateMachineDoesNotExist", "NotFoundException")
# The schedule's fields CreateSchedule takes and GetSchedule returns.
_SCHEDULE_FIELDS = (
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "State",
    "Target",
)


def lookup(target: StepFunctionsTarget, service: str, operation: str, **request: Any) -> Any:
    """The resource, or None when AWS says it does not exist."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(target.client(service), operation)(**request)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
            return None
        raise DeployError(f"{service} {operation}: {exc}") from exc
    except BotoCoreError as exc:
        raise DeployError(f"{service} {operation}: {exc}") from exc


def apply_machine(
    target: StepFunctionsTarget, name: str, arn: str, definition: str
) -> ResourceChange:
    held = lookup(target, "stepfunctions", "describe_state_machine", stateMachineArn=arn)
    logging = {} if target.logging is None else {"loggingConfiguration": target.logging}
    if held is None:
        target._call(
            "stepfunctions",
            "create_state_machine",
            name=name,
            definition=definition,
            roleArn=target.role_arn,
            type="STANDARD",
            **logging,
        )
        return ResourceChange.CREATED
    if (
        _same_json(held["definition"], definition)
        and held["roleArn"] == target.role_arn
        and (target.logging is None or _same_logging(held, target.logging))
    ):
        return ResourceChange.UNCHANGED
    target._call(
        "stepfunctions",
        "update_state_machine",
        stateMachineArn=arn,
        definition=definition,
        roleArn=target.role_arn,
        **logging,
    )
    return ResourceChange.UPDATED


def _same_logging(held: Any, wanted: dict[str, Any]) -> bool:
    """The machine logs as ``wanted`` says (AWS fills in the fields left out)."""
    have = held.get("loggingConfiguration") or {"level": "OFF"}
    return all(
        (have.get(key) or default) == (wanted.get(key) or default)
        for key, default in (
            ("level", "OFF"),
            ("includeExecutionData", False),
            ("destinations", []),
        )
    )


def delete_machine(target: StepFunctionsTarget, arn: str) -> ResourceChange | None:
    if lookup(target, "stepfunctions", "describe_state_machine", stateMachineArn=arn) is None:
        return None
    target._call("stepfunctions", "delete_state_machine", stateMachineArn=arn)
    return ResourceChange.DELETED


def apply_schedule(
    target: StepFunctionsTarget, name: str, arn: str, document: dict[str, Any] | None
) -> ResourceChange | None:
    held = lookup(target, "scheduler", "get_schedule", Name=name)
    if document is None:
        if held is None or held.get("Target", {}).get("Arn") != arn:
            return None  # none, or another machine's schedule of the same name
        target._call("scheduler", "delete_schedule", Name=name)
        return ResourceChange.DELETED
    if held is None:
        target._call("scheduler", "create_schedule", **document)
        return ResourceChange.CREATED
    if all(_covers(held.get(f), document.get(f)) for f in _SCHEDULE_FIELDS):
        return ResourceChange.UNCHANGED
    target._call("scheduler", "update_schedule", **document)
    return ResourceChange.UPDATED


def apply_rule(
    target: StepFunctionsTarget, name: str, arn: str, document: dict[str, Any] | None
) -> ResourceChange | None:
    bus = document["PutRule"]["EventBusName"] if document else "default"
    held = lookup(target, "events", "describe_rule", Name=name, EventBusName=bus)
    held_targets: list[dict[str, Any]] = []
    if held is not None:
        listed = target._call("events", "list_targets_by_rule", Rule=name, EventBusName=bus)
        held_targets = listed.get("Targets", [])
    if document is None:
        ours = [t["Id"] for t in held_targets if t.get("Arn") == arn]
        if held is None or not ours:
            return None
        target._call("events", "remove_targets", Rule=name, EventBusName=bus, Ids=ours)
        target._call("events", "delete_rule", Name=name, EventBusName=bus)
        return ResourceChange.DELETED
    put_rule, put_targets = document["PutRule"], document["PutTargets"]
    if (
        held is not None
        and _same_json(held.get("EventPattern", "null"), put_rule["EventPattern"])
        and held.get("State") == put_rule["State"]
        and held.get("Description") == put_rule["Description"]
        and _covers(held_targets, put_targets["Targets"])
    ):
        return ResourceChange.UNCHANGED
    target._call("events", "put_rule", **put_rule)
    target._call("events", "put_targets", **put_targets)
    return ResourceChange.CREATED if held is None else ResourceChange.UPDATED


def _same_json(a: str, b: str) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return a == b


def _covers(held: Any, wanted: Any) -> bool:
    """Whether what AWS holds says everything ``wanted`` says (AWS adds defaults of its
    own, such as a schedule target's retry policy, which are not a difference)."""
    if isinstance(wanted, dict):
        return isinstance(held, dict) and all(_covers(held.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return (
            isinstance(held, list)
            and len(held) == len(wanted)
            and all(_covers(h, w) for h, w in zip(held, wanted, strict=True))
        )
    return bool(held == wanted)
