"""Task states that run a step's shim command on a compute target.

- ``batch`` (default): ``batch:submitJob.sync``; the command and resources go in
  ``ContainerOverrides`` (limited by AWS to 8,192 characters, checked at compile time).
- ``ecs``: ``ecs:runTask.sync`` with a container override.
- ``callback``: ``sqs:sendMessage.waitForTaskToken``; a worker receives the command and
  the task token, runs the command and answers ``SendTaskSuccess``/``SendTaskFailure``.

Every binding discards the task's result (``ResultPath: null``): the state data stays the
small record flowc carries (run id, index path, counters), and nothing a job returns can
grow it toward the 256 KiB payload limit.
"""

from __future__ import annotations

from typing import Any

from backends.stepfunctions._command import ShimCommand
from backends.stepfunctions._decorators import StepSettings, env_list
from backends.stepfunctions._options import SfnOptions

BATCH_OVERRIDES_LIMIT = 8192


def _batch_resources(settings: StepSettings) -> list[dict[str, str]]:
    out = []
    if settings.cpu is not None:
        out.append({"Type": "VCPU", "Value": f"{settings.cpu:g}"})
    if settings.memory is not None:
        out.append({"Type": "MEMORY", "Value": str(settings.memory)})
    if settings.gpu:
        out.append({"Type": "GPU", "Value": str(settings.gpu)})
    return out


def _environment(settings: StepSettings, trigger: str | None) -> list[dict[str, Any]]:
    """The step's variables, and the triggering event's (from the state data) if any."""
    env = env_list(settings)
    if trigger is not None:
        env.append({"Name": trigger, "Value.$": "$.trigger"})
    return env


def batch_overrides(
    command: str, settings: StepSettings, trigger: str | None = None
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"Command.$": command}
    env = _environment(settings, trigger)
    if env:
        overrides["Environment"] = env
    resources = _batch_resources(settings)
    if resources:
        overrides["ResourceRequirements"] = resources
    return overrides


def _batch(
    name: str, cmd: ShimCommand, settings: StepSettings, opts: SfnOptions, trigger: str | None
) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {
            "JobName": name[:128],  # Batch job names are at most 128 characters
            "JobQueue": settings.job_queue or opts.job_queue,
            "JobDefinition": opts.job_definition,
            "ContainerOverrides": batch_overrides(cmd.expression, settings, trigger),
        },
    }


def _ecs(
    name: str, cmd: ShimCommand, settings: StepSettings, opts: SfnOptions, trigger: str | None
) -> dict[str, Any]:
    container: dict[str, Any] = {"Name": opts.container_name, "Command.$": cmd.expression}
    env = _environment(settings, trigger)
    if env:
        container["Environment"] = env
    if settings.cpu is not None:
        container["Cpu"] = int(settings.cpu * 1024)
    if settings.memory is not None:
        container["Memory"] = settings.memory
    if settings.gpu:
        container["ResourceRequirements"] = [{"Type": "GPU", "Value": str(settings.gpu)}]
    params: dict[str, Any] = {
        "Cluster": opts.cluster,
        "TaskDefinition": opts.task_definition,
        "LaunchType": opts.launch_type,
        "Overrides": {"ContainerOverrides": [container]},
    }
    if opts.subnets:
        vpc: dict[str, Any] = {"Subnets": opts.subnets, "AssignPublicIp": opts.assign_public_ip}
        if opts.security_groups:
            vpc["SecurityGroups"] = opts.security_groups
        params["NetworkConfiguration"] = {"AwsvpcConfiguration": vpc}
    return {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Parameters": params}


def _callback(
    name: str, cmd: ShimCommand, settings: StepSettings, opts: SfnOptions, trigger: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "TaskToken.$": "$$.Task.Token",
        "Step": name,
        "Command.$": cmd.expression,
    }
    env = _environment(settings, trigger)
    if env:
        body["Environment"] = env
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": opts.queue_url, "MessageBody": body},
    }


_BINDINGS = {"batch": _batch, "ecs": _ecs, "callback": _callback}


def task_state(
    name: str,
    cmd: ShimCommand,
    settings: StepSettings,
    opts: SfnOptions,
    trigger: str | None = None,
) -> dict[str, Any]:
    """The Task state running ``cmd`` (a step's, or the exit hooks' under the name
    ``exit-hooks``), without ``Next``/``End``; ``trigger`` is the variable that hands the
    task the triggering event."""
    state = _BINDINGS[opts.compute](name, cmd, settings, opts, trigger)
    if settings.timeout_seconds:
        state["TimeoutSeconds"] = settings.timeout_seconds
    state["ResultPath"] = None
    if settings.retries:
        state["Retry"] = [
            {
                "ErrorEquals": ["States.ALL"],
                "IntervalSeconds": max(1, settings.retry_delay_seconds),
                "MaxAttempts": settings.retries,
                "BackoffRate": 1.0,
            }
        ]
    return state
