"""Airflow's handling of every decorator argument, per operator mode (see
:mod:`backends.coverage`): ``kubernetes`` runs each step as a KubernetesPodOperator pod,
``local`` as a process on the Airflow worker."""

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
    kubernetes_secrets_table,
    merged,
    parallel_only,
    parallel_rejected,
    project_table,
    schedule_table,
)
from flowc import codes

_REQUESTS: dict[str, Handling] = {
    "cpu": Mapped("container_resources.requests.cpu"),
    "memory": Mapped("container_resources.requests.memory"),
    "disk": Mapped("container_resources.requests.ephemeral-storage"),
    "gpu": Mapped("container_resources.limits.<vendor>.com/gpu"),
    "shared_memory": Mapped("an emptyDir (medium Memory) mounted at /dev/shm"),
}


def _not_emitted(what: str) -> Rejected:
    return Rejected(
        codes.FC308, f"flowc does not emit {what} on Airflow yet; the pod would run without it"
    )


_TMPFS = _not_emitted("a tmpfs volume")
_PARALLEL_ONLY = parallel_only("Airflow")
_POD = {
    WHOLE: Mapped("container_resources (Metaflow's cpu, memory and disk defaults)"),
    **_REQUESTS,
    "gpu_vendor": Mapped("container_resources.limits.<vendor>.com/gpu"),
    "image": Mapped("KubernetesPodOperator image"),
    "image_pull_policy": Mapped("container.image_pull_policy"),
    "image_pull_secrets": Mapped("pod spec.image_pull_secrets"),
    "service_account": Mapped("KubernetesPodOperator service_account_name"),
    "secrets": Mapped("container.env_from.secret_ref"),
    "node_selector": Mapped("pod spec.node_selector"),
    "namespace": Mapped("KubernetesPodOperator namespace"),
    "tolerations": Mapped("pod spec.tolerations"),
    "labels": Mapped("pod metadata.labels"),
    "annotations": Mapped("pod metadata.annotations"),
    "persistent_volume_claims": Mapped("pod spec.volumes (persistentVolumeClaim) and mounts"),
    "use_tmpfs": _TMPFS,
    "tmpfs_tempdir": _TMPFS,
    "tmpfs_size": _TMPFS,
    "tmpfs_path": _TMPFS,
    "port": _PARALLEL_ONLY,
    "compute_pool": _not_emitted("compute pool placement"),
    "executable": Rejected(
        codes.FC308,
        "the Python executable is set for the whole flow; this step would run another one",
        "pass --python",
    ),
    "hostname_resolution_timeout": _PARALLEL_ONLY,
    "qos": _not_emitted("a quality-of-service class other than requests only (Burstable)"),
    "extended_resources": _not_emitted("extended resource requests"),
    "security_context": _not_emitted("a container security context"),
}
# backends/airflow/_assets.py reads the events (and rejects options).
_TRIGGERS = Mapped("DAG schedule on assets; payload fields to the start task's parameters")
_TRIGGER_OPTIONS = Rejected(
    codes.FC308,
    "has no Airflow asset equivalent flowc emits; the DAG schedule would ignore it",
    "remove options=",
)

_COMMON: Table = merged(
    SHARED,
    {
        "retry": {
            WHOLE: Mapped("task retries"),
            "times": Mapped("task retries"),
            "minutes_between_retries": Mapped("task retry_delay"),
        },
        "timeout": {WHOLE: PER_ARGUMENT, EVERY_OTHER: Mapped("task execution_timeout")},
        "environment": {WHOLE: PER_ARGUMENT, "vars": Mapped("task environment (STEP_ENV)")},
        "batch": {
            EVERY_OTHER: Rejected(
                codes.FC308,
                "@batch runs the step on AWS Batch; on Airflow it runs without these settings",
                "use @kubernetes or @resources",
            )
        },
        "unbounded_test_foreach_internal": {
            WHOLE: Rejected(
                codes.FC301,
                "cannot be expressed on Airflow (an unbounded foreach test decorator)",
            )
        },
        "parallel": {WHOLE: parallel_rejected("Airflow")},
        "schedule": schedule_table("DAG schedule", "DAG schedule (CronTriggerTimetable timezone)"),
        "project": project_table(
            "DAG id PROJECT.BRANCH.FLOW, tag project:NAME", "DAG id, tag branch:BRANCH"
        ),
        "trigger": {WHOLE: _TRIGGERS, EVERY_OTHER: _TRIGGERS, "options": _TRIGGER_OPTIONS},
        "trigger_on_finish": {
            WHOLE: _TRIGGERS,
            EVERY_OTHER: _TRIGGERS,
            "options": _TRIGGER_OPTIONS,
        },
        "exit_hook": {
            WHOLE: Mapped(
                "a final teardown task `exit-hooks` (runs when all upstream tasks are done) "
                "running the shim's exit-hooks command"
            ),
            "on_success": Mapped(
                "`exit-hooks` task `--on-success`, run when the end step committed"
            ),
            "on_error": Mapped("`exit-hooks` task `--on-error`, run when it did not"),
            "options": Rejected(
                codes.FC302,
                "is ignored: flowc's exit hooks take no engine options (Metaflow gives "
                "them no meaning either)",
            ),
        },
    },
)

KUBERNETES_OPERATOR: Coverage = declare(
    "airflow (operator=kubernetes)",
    merged(
        _COMMON,
        {
            "resources": {WHOLE: PER_ARGUMENT, **_REQUESTS},
            "kubernetes": _POD,
            "secrets": kubernetes_secrets_table("container.env_from.secret_ref"),
        },
    ),
)

LOCAL_OPERATOR: Coverage = declare(
    "airflow (operator=local)",
    merged(
        _COMMON,
        {
            "resources": {
                EVERY_OTHER: Rejected(
                    codes.FC302,
                    "the local operator runs steps as processes on the Airflow worker; "
                    "as in Metaflow without a compute decorator, resources are not reserved",
                )
            },
            "kubernetes": {
                EVERY_OTHER: Rejected(
                    codes.FC308,
                    "the local operator runs steps as processes on the Airflow worker, "
                    "not as Kubernetes pods",
                    "compile with --option operator=kubernetes",
                )
            },
            "secrets": {
                EVERY_OTHER: Rejected(
                    codes.FC308,
                    "the local operator does not fetch secrets; the step would run without them",
                    "compile with --option operator=kubernetes",
                )
            },
        },
    ),
)


def coverage(local: bool) -> Coverage:
    return LOCAL_OPERATOR if local else KUBERNETES_OPERATOR
