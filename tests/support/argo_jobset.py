"""The JobSet controller's part of an Argo ``resource`` template, played on this machine.

No Kubernetes and no JobSet controller run here. For a ``create`` of a
``jobset.x-k8s.io/v1alpha2`` JobSet, this module does what the controller and the kubelet
would: every replicated job's ``replicas`` Jobs of one pod each start at once (a gang), each
pod a local process with its container's ``env``, where ``valueFrom.fieldRef`` reads what
the controller puts on a pod (the ``jobset.sigs.k8s.io/job-index``, ``restart-attempt``,
``jobset-name`` and ``replicatedjob-name`` annotations, ``metadata.name``,
``metadata.namespace``). The JobSet completes when every pod exits 0 (the default, and
``successPolicy: {operator: All}``), and fails otherwise; a failure recreates the whole gang
while ``failurePolicy.maxRestarts`` allows. ``status.terminalState`` is what Argo's
``successCondition``/``failureCondition`` read: the harness insists on those two conditions.
Anything else in the manifest the harness cannot honour raises :class:`HarnessError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.argo_templating import FAILED, SUCCEEDED, HarnessError

API_VERSION = "jobset.x-k8s.io/v1alpha2"
SUCCESS = "status.terminalState == Completed"
FAILURE = "status.terminalState == Failed"
_ANNOTATION = re.compile(r"^metadata\.annotations\['([^']+)'\]$")
_POD_KEYS = {
    "containers",
    "restartPolicy",
    "subdomain",
    "activeDeadlineSeconds",
    "nodeSelector",
    "tolerations",
    "serviceAccountName",
}

#: Runs one pod: (record path, container, pod spec, field values) → (phase, message).
PodRunner = Callable[[str, dict[str, Any], dict[str, Any], dict[str, str]], tuple[str, str]]


def check_resource(resource: dict[str, Any], manifest: dict[str, Any]) -> None:
    """Refuse what the harness does not model as the real controller would run it."""
    if resource.get("action") != "create":
        raise HarnessError(f"resource action {resource.get('action')!r} is not modelled")
    if (manifest.get("apiVersion"), manifest.get("kind")) != (API_VERSION, "JobSet"):
        raise HarnessError("only JobSet resources are modelled")
    if (resource.get("successCondition"), resource.get("failureCondition")) != (
        SUCCESS,
        FAILURE,
    ):
        raise HarnessError("a JobSet resource must wait on status.terminalState")
    spec = manifest["spec"]
    unknown = set(spec) - {"network", "replicatedJobs", "successPolicy", "failurePolicy"}
    if unknown:
        raise HarnessError(f"JobSet spec fields {sorted(unknown)} are not modelled")
    if spec.get("successPolicy", {"operator": "All"}) != {"operator": "All"}:
        raise HarnessError("only successPolicy operator All is modelled")
    for job in spec["replicatedJobs"]:
        job_spec = job["template"]["spec"]
        if (job_spec.get("completions", 1), job_spec.get("parallelism", 1)) != (1, 1):
            raise HarnessError("only Jobs of one pod are modelled")
        pod = job_spec["template"]["spec"]
        if set(pod) - _POD_KEYS:
            raise HarnessError(f"pod spec fields {sorted(set(pod) - _POD_KEYS)} are not modelled")
        if pod.get("restartPolicy") != "Never" or len(pod["containers"]) != 1:
            raise HarnessError("only restartPolicy Never pods of one container are modelled")


def resolve_env(container: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """``container`` with every ``valueFrom.fieldRef`` env entry given its value."""
    env = []
    for var in container.get("env", []):
        source = var.get("valueFrom")
        if source is None:
            env.append(var)
            continue
        path = source.get("fieldRef", {}).get("fieldPath")
        if path not in fields:
            raise HarnessError(f"env {var['name']!r}: valueFrom {source} is not modelled")
        env.append({"name": var["name"], "value": fields[path]})
    return {**container, "env": env}


def run_jobset(manifest: dict[str, Any], path: str, run_pod: PodRunner) -> tuple[str, str]:
    """Run the JobSet's gang to its terminal state: (``Succeeded``/``Failed``, message)."""
    name = manifest["metadata"]["name"]
    namespace = manifest["metadata"].get("namespace", "default")
    spec = manifest["spec"]
    restarts = int(spec.get("failurePolicy", {}).get("maxRestarts", 0))
    message = ""
    for attempt in range(restarts + 1):
        pods = []
        for job in spec["replicatedJobs"]:
            for index in range(int(job.get("replicas", 1))):
                pod_name = f"{name}-{job['name']}-{index}-0"
                fields = {
                    "metadata.name": pod_name,
                    "metadata.namespace": namespace,
                    **{
                        f"metadata.annotations['jobset.sigs.k8s.io/{key}']": value
                        for key, value in {
                            "job-index": str(index),
                            "restart-attempt": str(attempt),
                            "jobset-name": name,
                            "replicatedjob-name": job["name"],
                        }.items()
                    },
                }
                pod = job["template"]["spec"]["template"]["spec"]
                container = resolve_env(pod["containers"][0], fields)
                pods.append((f"{path}/{pod_name}", container, pod, fields))
        with ThreadPoolExecutor(max_workers=max(1, len(pods))) as pool:
            results = list(pool.map(lambda p: run_pod(*p), pods))
        failed = [m for phase, m in results if phase != SUCCEEDED]
        if not failed:
            return SUCCEEDED, ""
        message = f"JobSet {name} failed (restart {attempt}): {failed[0]}"
    return FAILED, message
