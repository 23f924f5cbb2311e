"""Compile-time checks of Step Functions' documented limits, reported with measured sizes.

- definition size: 1,048,576 bytes (FC307: ``CreateStateMachine`` refuses a larger one);
- a Task state's ``TimeoutSeconds``: 1 to 99,999,999 (FC307 at the ``@timeout``);
- Batch ``ContainerOverrides`` and ECS overrides: 8,192 characters (measured with the
  longest values the run can fill in: an 80-character execution name and, per foreach
  level, ``MAX_INDEX_DIGITS`` of the Map mode);
- an SQS message (callback binding): 262,144 bytes;
- state input/output: 262,144 bytes (the parameter defaults are carried in the state).
"""

from __future__ import annotations

import json
from typing import Any

from backends.stepfunctions._bindings import BATCH_OVERRIDES_LIMIT, batch_overrides
from backends.stepfunctions._command import ShimCommand
from backends.stepfunctions._decorators import StepSettings, env_list
from flowc import codes
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import FlowIR

DEFINITION_LIMIT = 1024 * 1024
TIMEOUT_SECONDS_MAX = 99_999_999
PAYLOAD_LIMIT = 256 * 1024
SQS_MESSAGE_LIMIT = 256 * 1024


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def check_definition(ir: FlowIR, text: str) -> list[Diagnostic]:
    size = len(text.encode())
    if size <= DEFINITION_LIMIT:
        return []
    return [
        diag(
            codes.FC307,
            f"the state machine definition is {size:,} bytes; Step Functions "
            f"accepts at most {DEFINITION_LIMIT:,}",
            Span.at(ir.file, 1, 0),
            "split the flow, or move large parameter defaults out of the flow",
        )
    ]


def check_timeouts(ir: FlowIR, settings: dict[str, StepSettings]) -> list[Diagnostic]:
    """``@timeout`` must fit a Task state's ``TimeoutSeconds`` (1..99,999,999)."""
    out = []
    for step_name, step_settings in settings.items():
        seconds = step_settings.timeout_seconds
        dec = ir.step(step_name).decorator("timeout")
        if dec is None or seconds <= TIMEOUT_SECONDS_MAX:
            continue
        out.append(
            diag(
                codes.FC307,
                f"@timeout on step '{step_name}' is {seconds:,} seconds; a Step Functions "
                f"Task state's TimeoutSeconds is at most {TIMEOUT_SECONDS_MAX:,}",
                dec.location.span(),
                "use a shorter timeout (99,999,999 seconds is about 3.2 years)",
            )
        )
    return out


def check_commands(
    ir: FlowIR, compute: str, commands: dict[str, ShimCommand], settings: dict[str, StepSettings]
) -> list[Diagnostic]:
    out = []
    for step_name, cmd in commands.items():
        step = ir.step(step_name)
        span = step.location.span()
        if compute in ("batch", "ecs"):
            # ECS caps a task's overrides at the same 8,192 characters as Batch.
            overrides = batch_overrides("", settings[step_name])
            overrides.pop("Command.$")
            overrides["Command"] = cmd.worst_case
            size = len(json.dumps(overrides, separators=(",", ":")))
            if size > BATCH_OVERRIDES_LIMIT:
                service = "AWS Batch" if compute == "batch" else "Amazon ECS"
                out.append(
                    diag(
                        codes.FC303,
                        f"step '{step_name}': the container overrides can reach {size:,} "
                        f"characters; {service} accepts at most {BATCH_OVERRIDES_LIMIT:,}",
                        span,
                        "shorten parameter defaults, environment values or the "
                        "datastore/code-package URLs",
                    )
                )
        elif compute == "callback":
            body = {
                "TaskToken": "t" * 1024,
                "Step": step_name,
                "Command": cmd.worst_case,
                "Environment": env_list(settings[step_name]),
            }
            size = _size(body)
            if size > SQS_MESSAGE_LIMIT:
                out.append(
                    diag(
                        codes.FC303,
                        f"step '{step_name}': the task message can reach "
                        f"{size:,} bytes; SQS accepts at most {SQS_MESSAGE_LIMIT:,}",
                        span,
                    )
                )
    return out


def check_payload(ir: FlowIR, defaults: dict[str, Any]) -> list[Diagnostic]:
    size = _size(defaults)
    # The parameters travel in the state data and again in the start step's command.
    if 2 * size <= PAYLOAD_LIMIT:
        return []
    return [
        diag(
            codes.FC303,
            f"the parameter defaults take {size:,} bytes and are carried twice "
            f"in the start state's data; Step Functions passes at most "
            f"{PAYLOAD_LIMIT:,} bytes between states",
            Span.at(ir.file, 1, 0),
            "keep large inputs in S3 and pass their URL as a parameter",
        )
    ]
