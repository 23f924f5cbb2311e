"""Argo-specific reading of :class:`backends.base.TargetOptions`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from backends.base import TargetOptions
from backends.fanout import OPTION_KEYS as FANOUT_OPTION_KEYS
from backends.run_settings import OPTION_KEYS as RUN_OPTION_KEYS
from flowc.ir import FlowIR

KINDS = ("WorkflowTemplate", "Workflow", "CronWorkflow")

#: The Argo Events settings of a trigger flow's Sensor: option key -> (default, meaning).
#: The names are Metaflow's configuration's (``METAFLOW_ARGO_EVENTS_*``).
EVENT_OPTIONS: dict[str, tuple[str, str]] = {
    "event_bus": ("default", "Argo Events EventBus the Sensor reads (ARGO_EVENTS_EVENT_BUS)"),
    "event_source": (
        "argo-events-webhook",
        "Argo Events EventSource the events arrive through (ARGO_EVENTS_EVENT_SOURCE)",
    ),
    "event": ("metaflow-event", "the EventSource's event name (ARGO_EVENTS_EVENT)"),
    "sensor_service_account": (
        "operate-workflow-sa",
        "service account of the Sensor, allowed to create Workflows (ARGO_EVENTS_SERVICE_ACCOUNT)",
    ),
}
#: Sets METAFLOW_ARGO_EVENTS_WEBHOOK_URL in every pod, so that a finished run publishes
#: its event (and ``ArgoEvent(...).safe_publish()`` works) without a secret.
WEBHOOK_OPTION = "events_webhook_url"
OFFLOAD_OPTION = "node_status_offload"

# Every key read from ``--option``/``[tool.flowc.argo]``, with what it means.
OPTION_KEYS: dict[str, str] = {
    "kind": "the resource: WorkflowTemplate (default), Workflow or CronWorkflow",
    "flow_file": "path of the flow file inside the image",
    "branch": "@project branch, as flowc compile --branch NAME",
    "parallelism": "most pods running at once (spec.parallelism)",
    "workflow_timeout": "seconds a run may take in all (spec.activeDeadlineSeconds)",
    "priority": "the workflow's priority when the controller limits parallel workflows "
    "(spec.priority, an integer)",
    **{key: f"{meaning}; default {default!r}" for key, (default, meaning) in EVENT_OPTIONS.items()},
    WEBHOOK_OPTION: "Argo Events webhook URL every pod publishes finished-run events to "
    "(METAFLOW_ARGO_EVENTS_WEBHOOK_URL)",
    OFFLOAD_OPTION: "true when the controller offloads node statuses to a database "
    "(persistence.nodeStatusOffLoad): wide runs are then not limited by the object's size",
    **FANOUT_OPTION_KEYS,
    **RUN_OPTION_KEYS,
}


@dataclass
class ArgoOptions:
    """What the emitter needs, resolved once.

    ``parallelism`` caps the pods running at once (``spec.parallelism``) and
    ``workflow_timeout`` the seconds a run may take (``spec.activeDeadlineSeconds``); -1
    marks an invalid value of either. ``priority`` is ``spec.priority`` (None: invalid
    or not given; ``extra`` keeps the text for the check). ``flow_file`` is the flow's
    path inside the image (relative to its working directory): ``extra["flow_file"]``
    if given, else the IR's path when it is relative, else the file's base name.
    """

    kind: str
    image: str
    namespace: str | None
    service_account: str | None
    datastore_root: str
    labels: dict[str, str]
    code_package: str | None
    python: str
    flow_file: str
    branch: str | None
    production: bool
    parallelism: int | None
    workflow_timeout: int | None = None
    priority: int | None = None
    environments: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def _positive_int(value: object) -> int | None:
    """``--option parallelism=N`` (or ``workflow_timeout=S``) arrives as text; anything
    but N > 0 is rejected later."""
    if value is None:
        return None
    try:
        number = int(str(value))
    except ValueError:
        return -1
    return number if number > 0 else -1


def _integer(value: object) -> int | None:
    try:
        return None if value is None else int(str(value))
    except ValueError:
        return None


def resolve(ir: FlowIR, options: TargetOptions) -> ArgoOptions:
    extra = dict(options.extra)
    flow_file = extra.get("flow_file")
    if not isinstance(flow_file, str) or not flow_file:
        flow_file = ir.file if not os.path.isabs(ir.file) else os.path.basename(ir.file)
    # --option branch=NAME is the older spelling of flowc compile --branch NAME.
    branch = options.branch or extra.get("branch")
    parallelism = extra.get("parallelism")
    return ArgoOptions(
        kind=str(extra.get("kind") or "WorkflowTemplate"),
        image=options.image,
        namespace=options.namespace,
        service_account=options.service_account,
        datastore_root=options.datastore_root,
        labels=dict(options.labels),
        code_package=options.code_package,
        python=options.python,
        flow_file=flow_file,
        branch=branch if isinstance(branch, str) and branch else None,
        production=options.production,
        parallelism=_positive_int(parallelism),
        workflow_timeout=_positive_int(extra.get("workflow_timeout")),
        priority=_integer(extra.get("priority")),
        environments=dict(options.environments),
        extra=extra,
    )
