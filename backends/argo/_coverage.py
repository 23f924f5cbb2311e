"""Argo's handling of every decorator argument (see :mod:`backends.coverage`)."""

from __future__ import annotations

from backends.coverage import (
    EVERY_OTHER,
    PER_ARGUMENT,
    SHARED,
    WHOLE,
    Handling,
    Mapped,
    Rejected,
    Table,
    declare,
    kubernetes_secrets_table,
    merged,
    project_table,
    schedule_table,
)
from flowc import codes


def _no_pod_field(what: str) -> Rejected:
    return Rejected(
        codes.FC308, f"flowc does not emit {what} on Argo yet; the pod would run without it"
    )


_REQUESTS = {
    "cpu": Mapped("container.resources.requests.cpu"),
    "memory": Mapped("container.resources.requests.memory"),
    "disk": Mapped("container.resources.requests.ephemeral-storage"),
    "gpu": Mapped("container.resources.limits.<vendor>.com/gpu"),
}
_SHARED_MEMORY = _no_pod_field("a memory-backed /dev/shm volume")
_TMPFS = _no_pod_field("a tmpfs volume")

_KUBERNETES: dict[str, Handling] = {
    WHOLE: Mapped("container.resources.requests (Metaflow's cpu, memory and disk defaults)"),
    **_REQUESTS,
    "image": Mapped("container.image"),
    "image_pull_policy": Mapped("container.imagePullPolicy"),
    "image_pull_secrets": Rejected(
        codes.FC308,
        "Argo sets image pull secrets for the whole workflow (spec.imagePullSecrets), "
        "not per step; the pull would fail without them",
        "attach the secrets to the service account instead",
    ),
    "service_account": Mapped("template.serviceAccountName"),
    "secrets": Mapped("container.envFrom.secretRef"),
    "node_selector": Mapped("template.nodeSelector"),
    "namespace": Rejected(
        codes.FC308,
        "Argo runs every pod of a workflow in the workflow's namespace; this step would "
        "not run in the namespace it names",
        "set the namespace for the whole flow with --namespace",
    ),
    "gpu_vendor": Mapped("container.resources.limits.<vendor>.com/gpu"),
    "tolerations": Mapped("template.tolerations"),
    "labels": Mapped("template.metadata.labels"),
    "annotations": Mapped("template.metadata.annotations"),
    "use_tmpfs": _TMPFS,
    "tmpfs_tempdir": _TMPFS,
    "tmpfs_size": _TMPFS,
    "tmpfs_path": _TMPFS,
    "persistent_volume_claims": _no_pod_field("persistent volume mounts"),
    "shared_memory": _SHARED_MEMORY,
    "port": Mapped("container.ports (and MF_MASTER_PORT in a @parallel step's JobSet)"),
    "compute_pool": _no_pod_field("compute pool placement"),
    "executable": Rejected(
        codes.FC308,
        "the Python executable is set for the whole flow; this step would run another one",
        "pass --python",
    ),
    "hostname_resolution_timeout": _no_pod_field(
        "a wait for the control node's hostname to resolve"
    ),
    "qos": _no_pod_field("a quality-of-service class other than requests only (Burstable)"),
    "extended_resources": _no_pod_field("extended resource requests"),
    "security_context": _no_pod_field("a container security context"),
}

# backends/argo/_sensor.py reads the events and options (rejecting options it does not map).
_TRIGGERS = Mapped("Argo Events Sensor: dependencies, trigger parameters")
_TRIGGER_OPTIONS = Mapped("Sensor trigger conditionsReset (reset_at; other options are FC308)")

ARGO: Table = merged(
    SHARED,
    {
        "retry": {
            WHOLE: Mapped("template.retryStrategy.limit"),
            "times": Mapped("template.retryStrategy.limit"),
            "minutes_between_retries": Mapped("template.retryStrategy.backoff.duration"),
        },
        "timeout": {WHOLE: PER_ARGUMENT, EVERY_OTHER: Mapped("template.activeDeadlineSeconds")},
        "resources": {
            WHOLE: PER_ARGUMENT,
            **_REQUESTS,
            "shared_memory": _SHARED_MEMORY,
        },
        "environment": {WHOLE: PER_ARGUMENT, "vars": Mapped("container.env")},
        "kubernetes": _KUBERNETES,
        "batch": {
            EVERY_OTHER: Rejected(
                codes.FC308,
                "@batch runs the step on AWS Batch; on Argo it runs as a Kubernetes pod "
                "without these settings",
                "use @kubernetes or @resources",
            )
        },
        "secrets": kubernetes_secrets_table("container.envFrom.secretRef"),
        "unbounded_test_foreach_internal": {
            WHOLE: Rejected(
                codes.FC301,
                "cannot be expressed on Argo (an unbounded foreach test decorator)",
            )
        },
        "parallel": {
            WHOLE: Mapped("a JobSet resource template: control job (node 0) + N-1 workers")
        },
        "schedule": schedule_table(
            "CronWorkflow spec.schedules (beside a WorkflowTemplate: workflowTemplateRef)",
            "CronWorkflow spec.timezone",
        ),
        "project": project_table(
            "metadata.name project-branch-flow, flowc/project label",
            "metadata.name, flowc/branch label, pod environment",
        ),
        "trigger": {WHOLE: _TRIGGERS, EVERY_OTHER: _TRIGGERS, "options": _TRIGGER_OPTIONS},
        "trigger_on_finish": {
            WHOLE: _TRIGGERS,
            EVERY_OTHER: _TRIGGERS,
            "options": _TRIGGER_OPTIONS,
        },
        "exit_hook": {
            WHOLE: Mapped("spec.onExit: the exit-hooks template, the shim's exit-hooks command"),
            "on_success": Mapped(
                "exit-hooks template args `--on-success`, run when `{{workflow.status}}` is "
                "Succeeded"
            ),
            "on_error": Mapped(
                "exit-hooks template args `--on-error`, run when `{{workflow.status}}` is "
                "Failed or Error"
            ),
            "options": Rejected(
                codes.FC302,
                "is ignored: flowc's exit hooks take no engine options (Metaflow gives "
                "them no meaning either)",
            ),
        },
    },
)

COVERAGE = declare("argo", ARGO)
