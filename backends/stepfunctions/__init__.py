"""The AWS Step Functions target: an Amazon States Language definition (JSONPath).

``BACKEND.emit(ir, options)`` is pure and deterministic. It writes ``<Flow>.asl.json``;
when the flow has ``@schedule``, ``<Flow>.schedule.json`` (an EventBridge Scheduler
``CreateSchedule`` request); when it has ``@trigger`` or ``@trigger_on_finish``,
``<Flow>.rule.json`` (the EventBridge ``PutRule`` and ``PutTargets`` requests, see
:mod:`backends.stepfunctions._events`). It reads no AWS account: every name the definition
refers to (job queue, cluster, SQS queue, bucket) comes from the options.

Target options (``TargetOptions.extra``, ``--option KEY=VALUE``) are listed in
:data:`backends.stepfunctions._options.OPTION_KEYS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.base import EmitResult, TargetOptions
from flowc.ir import FlowIR

__all__ = ["BACKEND", "StepFunctionsBackend"]


@dataclass(frozen=True)
class StepFunctionsBackend:
    name: str = "stepfunctions"

    def emit(self, ir: FlowIR, options: TargetOptions) -> EmitResult:
        from backends.stepfunctions._emit import emit

        return emit(ir, options)


BACKEND = StepFunctionsBackend()
