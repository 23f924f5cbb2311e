"""Step Functions reading of :class:`backends.base.TargetOptions`.

Everything comes from the options; nothing is looked up in an AWS account. Unknown or
invalid values are FC305 errors that name the option, so a typo never yields a
definition that fails only at deploy time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from backends.base import TargetOptions
from backends.fanout import OPTION_KEYS as FANOUT_OPTION_KEYS
from backends.option_keys import unknown_option_keys
from backends.project import engine_name
from backends.run_settings import OPTION_KEYS as RUN_OPTION_KEYS
from backends.stepfunctions._intrinsics import unsafe_literal
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR

COMPUTES = ("batch", "ecs", "callback")
MAP_MODES = ("inline", "distributed")

# Every key read from ``extra``, with what it means (shown in errors and docs).
OPTION_KEYS: dict[str, str] = {
    "compute": "task binding: batch (default), ecs or callback",
    "job_queue": "AWS Batch job queue (batch; default flowc-job-queue)",
    "job_definition": "AWS Batch job definition (batch; default flowc-job-definition)",
    "cluster": "ECS cluster (ecs; default flowc)",
    "task_definition": "ECS task definition (ecs; default flowc)",
    "container_name": "container in the ECS task definition (ecs; default flowc)",
    "launch_type": "ECS launch type (ecs; default FARGATE)",
    "subnets": "comma-separated subnet ids for awsvpc networking (ecs)",
    "security_groups": "comma-separated security group ids (ecs)",
    "assign_public_ip": "ENABLED or DISABLED (ecs; default DISABLED)",
    "queue_url": "SQS queue URL the callback worker polls (callback; required)",
    "map_mode": "foreach Map mode: inline (default) or distributed",
    "max_concurrency": "Map MaxConcurrency, 0 = engine default (default 0)",
    "workflow_timeout": "seconds an execution may take in all (the state machine's "
    "TimeoutSeconds, at most 99,999,999; default none)",
    "flow_file": "path of the flow file inside the task image",
    "state_machine_name": "state machine name (default: the flow class name; "
    "PROJECT.BRANCH.FLOW under @project)",
    "state_machine_arn": "ARN the schedule targets (default built from region/account)",
    "region": "AWS region for the schedule's target ARN",
    "account_id": "AWS account id for the schedule's target ARN",
    "scheduler_role_arn": "IAM role EventBridge Scheduler assumes to start executions",
    "events_role_arn": "IAM role the @trigger/@trigger_on_finish rule assumes to start "
    "executions (required with a trigger)",
    "event_bus": "EventBridge bus of the trigger rule (default: default)",
    "event_source": "event source the @trigger rule matches besides the detail-type",
    **FANOUT_OPTION_KEYS,
    **RUN_OPTION_KEYS,
}

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


@dataclass
class SfnOptions:
    """Resolved settings. ``bucket``/``prefix`` split ``datastore_root`` (s3:// only);
    ``prefix`` is empty or ends with ``/``."""

    compute: str
    datastore_root: str
    bucket: str
    prefix: str
    python: str
    flow_file: str
    code_package: str | None
    image: str
    job_queue: str
    job_definition: str
    cluster: str
    task_definition: str
    container_name: str
    launch_type: str
    subnets: list[str]
    security_groups: list[str]
    assign_public_ip: str
    queue_url: str
    map_mode: str
    max_concurrency: int
    state_machine_name: str
    state_machine_arn: str | None
    region: str
    account_id: str
    scheduler_role_arn: str
    # The whole execution's TimeoutSeconds (None: no limit).
    workflow_timeout: int | None = None
    # The deployment's @project branch (flowc compile --branch/--production), and the
    # environment that carries it to every task.
    branch: str | None = None
    production: bool = False
    project_environment: tuple[tuple[str, str], ...] = ()
    environments: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _text(extra: dict[str, Any], key: str, default: str) -> str:
    value = extra.get(key)
    return str(value) if value not in (None, "") else default


def _list(extra: dict[str, Any], key: str) -> list[str]:
    value = extra.get(key)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def _timeout(value: Any, bad: Any) -> int | None:
    """``workflow_timeout``: whole seconds that fit a state machine's ``TimeoutSeconds``."""
    from backends.stepfunctions._limits import TIMEOUT_SECONDS_MAX

    if value in (None, ""):
        return None
    try:
        seconds = int(str(value))
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= TIMEOUT_SECONDS_MAX:
        bad(
            f"option workflow_timeout={value!r} is not a number of seconds from 1 to "
            f"{TIMEOUT_SECONDS_MAX:,} (Step Functions' TimeoutSeconds)"
        )
        return None
    return seconds


def machine_name(flow: str, project: str | None, branch: str | None) -> str:
    """The state machine name of ``flow`` deployed without a name option: its deployed
    name ``PROJECT.BRANCH.FLOW`` under a project (backends/project.py), else the flow."""
    if not project:
        return flow
    return engine_name("stepfunctions", f"{project}.{branch or 'prod'}.{flow}")


def resolve(ir: FlowIR, options: TargetOptions) -> tuple[SfnOptions, list[Diagnostic]]:
    extra = dict(options.extra)
    out: list[Diagnostic] = []

    def bad(message: str, hint: str | None = None) -> None:
        out.append(diag(codes.FC305, message, None, hint))

    out.extend(unknown_option_keys("stepfunctions", extra, OPTION_KEYS))
    compute = _text(extra, "compute", "batch")
    if compute not in COMPUTES:
        bad(f"option compute={compute!r} is not one of {', '.join(COMPUTES)}")
        compute = "batch"
    map_mode = _text(extra, "map_mode", "inline")
    if map_mode not in MAP_MODES:
        bad(f"option map_mode={map_mode!r} is not one of {', '.join(MAP_MODES)}")
        map_mode = "inline"
    try:
        max_concurrency = int(extra.get("max_concurrency") or 0)
        if max_concurrency < 0:
            raise ValueError
    except (TypeError, ValueError):
        bad(
            f"option max_concurrency={extra.get('max_concurrency')!r} is not a non-negative integer"
        )
        max_concurrency = 0
    workflow_timeout = _timeout(extra.get("workflow_timeout"), bad)
    root = options.datastore_root
    bucket, prefix = "", ""
    if root.startswith("s3://") and root[5:].split("/", 1)[0]:
        bucket, _, prefix = root[5:].partition("/")
        prefix = prefix.strip("/")
        prefix = f"{prefix}/" if prefix else ""
    else:
        bad(
            f"datastore root {root!r} is not an S3 URL; Step Functions tasks share their "
            "datastore through S3 and the state machine reads foreach counts and switch "
            "choices from it",
            "pass --datastore s3://BUCKET/PREFIX",
        )
    flow_file = extra.get("flow_file")
    if not isinstance(flow_file, str) or not flow_file:
        flow_file = ir.file if not os.path.isabs(ir.file) else os.path.basename(ir.file)
    queue_url = _text(extra, "queue_url", "")
    if compute == "callback" and not queue_url:
        bad("compute=callback needs option queue_url (the SQS queue the worker polls)")
    from backends.project import deployed_name

    # Under @project the machine is the deployed flow name (PROJECT.BRANCH.FLOW).
    deployed, project, found = deployed_name(
        ir, "stepfunctions", options.branch, options.production
    )
    out.extend(found)
    name = _text(extra, "state_machine_name", deployed or ir.name)
    if not _NAME.match(name):
        bad(
            f"state machine name {name!r} must be 1-80 characters of A-Z a-z 0-9 _ . -",
            "set --option state_machine_name=NAME",
        )
    opts = SfnOptions(
        compute=compute,
        datastore_root=root.rstrip("/"),
        bucket=bucket,
        prefix=prefix,
        python=options.python,
        flow_file=flow_file,
        code_package=options.code_package,
        image=options.image,
        job_queue=_text(extra, "job_queue", "flowc-job-queue"),
        job_definition=_text(extra, "job_definition", "flowc-job-definition"),
        cluster=_text(extra, "cluster", "flowc"),
        task_definition=_text(extra, "task_definition", "flowc"),
        container_name=_text(extra, "container_name", "flowc"),
        launch_type=_text(extra, "launch_type", "FARGATE"),
        subnets=_list(extra, "subnets"),
        security_groups=_list(extra, "security_groups"),
        assign_public_ip=_text(extra, "assign_public_ip", "DISABLED"),
        queue_url=queue_url,
        map_mode=map_mode,
        max_concurrency=max_concurrency,
        state_machine_name=name,
        state_machine_arn=extra.get("state_machine_arn") or None,
        region=_text(extra, "region", "REGION"),
        account_id=_text(extra, "account_id", "ACCOUNT_ID"),
        scheduler_role_arn=_text(
            extra, "scheduler_role_arn", "arn:aws:iam::ACCOUNT_ID:role/flowc-scheduler"
        ),
        workflow_timeout=workflow_timeout,
        branch=options.branch,
        production=options.production,
        project_environment=project.environment if project is not None else (),
        environments=dict(options.environments),
        extra=extra,
    )
    for label, value in (
        ("python", opts.python),
        ("flow file", opts.flow_file),
        ("datastore root", opts.datastore_root),
        ("code package", opts.code_package or ""),
        ("flow name", ir.name),
    ):
        if unsafe_literal(value):
            bad(
                f"the {label} {value!r} contains a quote, brace, backslash or control "
                "character, which cannot appear in a Step Functions intrinsic literal"
            )
    return opts, out
