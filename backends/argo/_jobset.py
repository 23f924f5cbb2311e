"""A ``@parallel`` step as a JobSet, gang-scheduled the way Metaflow runs it on Argo.

``self.next(self.train, num_parallel=N)`` makes ``train`` one DAG task whose ``resource``
template creates a ``jobset.x-k8s.io/v1alpha2`` JobSet: a ``control`` replicated job of one
pod (node 0) and a ``worker`` replicated job of N-1 pods (nodes 1..N-1), each pod a
one-completion Job running the step's shim command. Argo waits for the JobSet's
``status.terminalState`` (``Completed`` or ``Failed``), as Metaflow's template does.

A pod learns its place from its environment: ``FLOWC_GANG_JOB`` (``control`` or
``worker``) and ``FLOWC_GANG_JOB_INDEX`` (the JobSet controller's
``jobset.sigs.k8s.io/job-index`` annotation) give the node index (the shim appends it to the
task's index path, runtime_shim/parallel.py), ``MF_PARALLEL_MAIN_IP`` is the control pod's
DNS name in the JobSet's headless service. Node ``k`` is then the task at foreach position
``k`` of the split, exactly as in a local run, so the join finds all N tasks by the split's
recorded count with nothing passed to it.

``@retry`` becomes the JobSet's ``failurePolicy.maxRestarts`` (a restart recreates every
pod of the gang, and the attempt number is the ``jobset.sigs.k8s.io/restart-attempt``
annotation), ``@timeout`` each pod's ``activeDeadlineSeconds``, ``@kubernetes(port=P)`` the
container port (as on any step) and Metaflow's ``MF_MASTER_ADDR``/``MF_MASTER_PORT``;
everything else a container template carries reaches the pods' container and pod spec.
"""

from __future__ import annotations

import json
from typing import Any

from backends.argo._containers import (
    ArgoEngine,
    StepNames,
    pod_metadata,
    shim_args,
    step_container,
)
from backends.argo._decorators import StepSettings
from backends.argo._model import Inputs, Parameter, ResourceTemplate, Template
from backends.argo._options import ArgoOptions
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR, Step
from runtime_shim import command as shim
from runtime_shim.parallel import (
    CONTROL_JOB,
    GANG_JOB_ENV,
    GANG_JOB_INDEX_ENV,
    MAIN_IP_ENV,
    WORKER_JOB,
)

API_VERSION = "jobset.x-k8s.io/v1alpha2"
KIND = "JobSet"
SUCCESS = "status.terminalState == Completed"
FAILURE = "status.terminalState == Failed"
JOB_INDEX_ANNOTATION = "jobset.sigs.k8s.io/job-index"
RESTART_ANNOTATION = "jobset.sigs.k8s.io/restart-attempt"
ATTEMPT_ENV = "FLOWC_GANG_ATTEMPT"
#: The input a gang's template takes when N is only known at run time (the split's count).
NODES = "nodes"
CONTAINER = "main"
# Substituted by Argo before the controller sees the manifest; JSON would quote it.
_WORKERS = f"{{{{=asInt(inputs.parameters.{NODES}) - 1}}}}"


def gang_split(ir: FlowIR, step: Step) -> Step | None:
    """The split that runs ``step`` as a gang (``num_parallel``), or None."""
    parents = [ir.step(p) for p in step.parents]
    return next((p for p in parents if p.num_parallel is not None), None)


def jobset_problems(ir: FlowIR, step: Step, split: Step) -> list[Diagnostic]:
    """What flowc cannot yet carry into a JobSet for gang ``step``."""
    out = []
    if split.foreach_stack:
        out.append(
            diag(
                codes.FC301,
                f"@parallel step '{step.name}' inside a foreach: flowc does not emit a "
                "JobSet per foreach item on Argo yet",
                step.location.span(),
                "run the gang outside the foreach",
            )
        )
    retry = step.decorator("retry")
    if (
        retry is not None
        and retry.args.get("minutes_between_retries")
        and ("minutes_between_retries" in retry.given)
    ):
        out.append(
            diag(
                codes.FC308,
                f"@retry on @parallel step '{step.name}': a JobSet restarts its gang at "
                "once; minutes_between_retries cannot be carried",
                retry.location.span(),
                "leave minutes_between_retries out",
            )
        )
    return out


class GangEngine(ArgoEngine):
    """The shim command inside a JobSet pod: the attempt is the JobSet's restart count,
    which Kubernetes expands from the pod's environment."""

    def placeholder(self, value: shim.Placeholder) -> str:
        if value.kind == shim.ATTEMPT.kind:
            return f"$({ATTEMPT_ENV})"
        return super().placeholder(value)


def jobset_name(ordinal: int) -> str:
    """The JobSet's name: unique per run and gang, short enough that the control pod's
    hostname (``NAME-control-0-0``) stays a DNS label, and starting with a letter, as its
    headless service's name must."""
    return f"js-{{{{workflow.uid}}}}-{ordinal}"


def _field_env(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def _replicated_job(
    role: str, replicas: Any, container: dict[str, Any], pod: dict[str, Any]
) -> dict[str, Any]:
    env = [{"name": GANG_JOB_ENV, "value": role}, *container.get("env", [])]
    return {
        "name": role,
        "replicas": replicas,
        "template": {
            "spec": {
                # A failed pod fails its Job at once; the JobSet restarts the whole gang.
                "backoffLimit": 0,
                "completions": 1,
                "parallelism": 1,
                "template": {
                    **pod,
                    "spec": {**pod["spec"], "containers": [{**container, "env": env}]},
                },
            }
        },
    }


def jobset_manifest(
    ir: FlowIR,
    step: Step,
    split: Step,
    opts: ArgoOptions,
    names: StepNames,
    settings: StepSettings,
    ordinal: int,
) -> str:
    """The JobSet as the JSON text of the resource template's ``manifest`` (Argo fills in
    its ``{{...}}`` tags before the JobSet controller reads it)."""
    name = jobset_name(ordinal)
    address = f"{name}-{CONTROL_JOB}-0-0.{name}"
    args = shim_args(ir, step, opts, names, False, settings, GangEngine(names))
    container = step_container(args, opts, settings).to_dict()
    container["name"] = CONTAINER
    container["env"] = [
        _field_env(GANG_JOB_INDEX_ENV, f"metadata.annotations['{JOB_INDEX_ANNOTATION}']"),
        _field_env(ATTEMPT_ENV, f"metadata.annotations['{RESTART_ANNOTATION}']"),
        {"name": MAIN_IP_ENV, "value": address},
        *container.get("env", []),
    ]
    if settings.port is not None:
        # Metaflow's names for where a gang's framework finds its rendezvous.
        container["env"] += [
            {"name": "MF_MASTER_ADDR", "value": address},
            {"name": "MF_MASTER_PORT", "value": str(settings.port)},
        ]
    pod_spec: dict[str, Any] = {"restartPolicy": "Never", "subdomain": name}
    if settings.timeout_seconds:
        pod_spec["activeDeadlineSeconds"] = settings.timeout_seconds
    if settings.node_selector:
        pod_spec["nodeSelector"] = dict(settings.node_selector)
    if settings.tolerations:
        pod_spec["tolerations"] = list(settings.tolerations)
    if settings.service_account:
        pod_spec["serviceAccountName"] = settings.service_account
    pod: dict[str, Any] = {"spec": pod_spec}
    meta = pod_metadata(settings)
    if meta is not None:
        pod["metadata"] = meta.to_dict()
    workers: Any = split.num_parallel - 1 if isinstance(split.num_parallel, int) else _WORKERS
    spec: dict[str, Any] = {
        "network": {"enableDNSHostnames": True, "subdomain": name},
        "replicatedJobs": [
            _replicated_job(CONTROL_JOB, 1, container, pod),
            _replicated_job(WORKER_JOB, workers, container, pod),
        ],
        "successPolicy": {"operator": "All"},
    }
    if settings.retries:
        spec["failurePolicy"] = {"maxRestarts": settings.retries}
    document = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": name,
            "labels": {"workflows.argoproj.io/workflow": "{{workflow.name}}"},
        },
        "spec": spec,
    }
    # Compact JSON (a YAML document too): the manifest is one string in the Workflow.
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace(json.dumps(_WORKERS), _WORKERS)


def jobset_template(
    ir: FlowIR,
    step: Step,
    split: Step,
    opts: ArgoOptions,
    names: StepNames,
    settings: StepSettings,
    ordinal: int,
) -> Template:
    """The resource template that creates gang ``step``'s JobSet and waits for it."""
    inputs = None
    if not isinstance(split.num_parallel, int):
        inputs = Inputs(parameters=[Parameter(name=NODES)])
    return Template(
        name=names.templates[step.name],
        inputs=inputs,
        resource=ResourceTemplate(
            action="create",
            set_owner_reference=True,
            success_condition=SUCCESS,
            failure_condition=FAILURE,
            manifest=jobset_manifest(ir, step, split, opts, names, settings, ordinal),
        ),
    )
