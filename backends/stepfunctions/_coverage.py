"""Step Functions' handling of every decorator argument, per compute mode (see
:mod:`backends.coverage`): ``batch`` submits an AWS Batch job, ``ecs`` runs an ECS task,
``callback`` sends the command to an SQS queue that the user's own worker polls."""

from __future__ import annotations

from backends.coverage import (
    EVERY_OTHER,
    PER_ARGUMENT,
    SHARED,
    WHOLE,
    Coverage,
    Handling,
    Mapped,
    Rejected,
    Table,
    declare,
    merged,
    parallel_rejected,
    project_table,
    schedule_table,
)
from flowc import codes

_DEFINITION = Rejected(
    codes.FC308,
    "this setting belongs to the Batch job definition or ECS task definition, which "
    "flowc does not write; the step would run without it",
    "set it in the job or task definition and remove the argument",
)
_NOT_KUBERNETES = Rejected(
    codes.FC308,
    "the step runs on AWS Batch or ECS, not Kubernetes; this setting has no equivalent",
    "use @batch or @resources",
)
_ON_WORKER = Rejected(
    codes.FC308,
    "with compute=callback the step runs on your own worker, which flowc does not configure",
    "configure the worker yourself, or compile with --option compute=batch",
)


def _requests(to: str) -> dict[str, Handling]:
    return {name: Mapped(to) for name in ("cpu", "memory", "gpu")}


def _compute(requests: str, queue: Handling) -> Table:
    """The step decorators of a mode that submits a container (batch or ecs)."""
    return {
        "resources": {
            WHOLE: PER_ARGUMENT,
            **_requests(requests),
            "disk": _DEFINITION,
            "shared_memory": _DEFINITION,
        },
        "kubernetes": {WHOLE: PER_ARGUMENT, EVERY_OTHER: _NOT_KUBERNETES, **_requests(requests)},
        "batch": {
            WHOLE: PER_ARGUMENT,
            EVERY_OTHER: _DEFINITION,
            **_requests(requests),
            "queue": queue,
        },
    }


_TRIGGERS = Mapped("EventBridge rule: EventPattern, target InputTransformer")
_TRIGGER_OPTIONS = Rejected(
    codes.FC308,
    "has no EventBridge equivalent flowc emits; the rule would ignore it",
    "remove the options",
)

_COMMON: Table = merged(
    SHARED,
    {
        "retry": {
            WHOLE: Mapped("Task state Retry.MaxAttempts"),
            "times": Mapped("Task state Retry.MaxAttempts"),
            "minutes_between_retries": Mapped("Task state Retry.IntervalSeconds"),
        },
        "timeout": {WHOLE: PER_ARGUMENT, EVERY_OTHER: Mapped("Task state TimeoutSeconds")},
        "environment": {WHOLE: PER_ARGUMENT, "vars": Mapped("container environment")},
        "secrets": {
            EVERY_OTHER: Rejected(
                codes.FC308,
                "flowc does not fetch secrets on Step Functions yet; the step would run "
                "without them",
                "attach the secrets in the Batch job definition or ECS task definition",
            )
        },
        "unbounded_test_foreach_internal": {
            WHOLE: Rejected(
                codes.FC301,
                "cannot be expressed on Step Functions (an unbounded foreach test decorator)",
            )
        },
        "parallel": {WHOLE: parallel_rejected("Step Functions")},
        "schedule": schedule_table(
            "EventBridge Scheduler ScheduleExpression",
            "EventBridge Scheduler ScheduleExpressionTimezone",
        ),
        "project": project_table(
            "state machine name PROJECT.BRANCH.FLOW", "state machine name, task environment"
        ),
        "trigger": {WHOLE: _TRIGGERS, EVERY_OTHER: _TRIGGERS, "options": _TRIGGER_OPTIONS},
        "trigger_on_finish": {
            WHOLE: _TRIGGERS,
            EVERY_OTHER: _TRIGGERS,
            "options": _TRIGGER_OPTIONS,
        },
        "exit_hook": {
            WHOLE: Mapped(
                "the steps as the branch of a `flowc.flow` Parallel state whose Catch leads "
                "to the on_error hooks, then Fail; its success to the on_success hooks, "
                "then Succeed"
            ),
            "on_success": Mapped("`flowc.hooks_succeeded` Task state `--on-success`"),
            "on_error": Mapped("`flowc.hooks_failed` Task state `--on-error`"),
            "options": Rejected(
                codes.FC302,
                "is ignored: flowc's exit hooks take no engine options (Metaflow gives "
                "them no meaning either)",
            ),
        },
    },
)

BY_COMPUTE: dict[str, Coverage] = {
    "batch": declare(
        "stepfunctions (compute=batch)",
        merged(
            _COMMON,
            _compute(
                "ContainerOverrides.ResourceRequirements", Mapped("SubmitJob Parameters.JobQueue")
            ),
        ),
    ),
    "ecs": declare(
        "stepfunctions (compute=ecs)",
        merged(
            _COMMON,
            _compute(
                "ContainerOverrides Cpu/Memory/ResourceRequirements",
                Rejected(
                    codes.FC308,
                    "a Batch job queue has no meaning on ECS; the task runs on the cluster",
                    "compile with --option compute=batch",
                ),
            ),
        ),
    ),
    "callback": declare(
        "stepfunctions (compute=callback)",
        merged(
            _COMMON,
            {
                "resources": {
                    EVERY_OTHER: Rejected(
                        codes.FC302,
                        "with compute=callback the step runs on your own worker; as in "
                        "Metaflow without a compute decorator, resources are not reserved",
                    )
                },
                "kubernetes": {EVERY_OTHER: _ON_WORKER},
                "batch": {EVERY_OTHER: _ON_WORKER},
            },
        ),
    ),
}
