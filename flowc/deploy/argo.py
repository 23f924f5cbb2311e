"""Deploying to Argo Workflows through the Argo Server's REST API (hera's clients).

``deploy`` applies the documents ``flowc compile --target argo`` emits for a flow: the
WorkflowTemplate, then the CronWorkflow beside it (``@schedule``) and the Sensor that
starts it on events (``@trigger``/``@trigger_on_finish``). Each is read first; a missing
one is created, a changed one replaced with the live ``resourceVersion`` (so a concurrent
change is refused, not overwritten), an unchanged one left alone. "Unchanged" is decided by
the ``flowc/manifest-sha256`` annotation flowc writes on every object it applies, not by
comparing the live object, which the server fills with defaults. A CronWorkflow or Sensor
that flowc made for an earlier version of the flow, which no longer has ``@schedule`` or
``@trigger``, is deleted, so a re-deploy converges on what the flow says.

``trigger`` submits a Workflow from the template (``workflowTemplateRef`` with the
parameters) named by a fresh ``argo-…`` run id: the run id the tasks write under is the
Workflow's name (``--run-id {{workflow.name}}`` in every step), so it is the one the user
is shown. Endpoint and credentials: ``flowc.deploy._argo_config``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from flowc.deploy._argo_api import KINDS, ArgoApi
from flowc.deploy._argo_config import CONNECTION_OPTIONS, ArgoConnection, read_connection
from flowc.deploy._argo_status import run_state, run_status
from flowc.deploy._model import (
    CompiledDeployment,
    DeployError,
    DeployOutcome,
    DeployTarget,
    ResourceChange,
    ResourceOutcome,
    RunStatus,
    TriggeredRunRef,
)
from flowc.deploy._runs import new_run_id

MANIFEST_HASH = "flowc/manifest-sha256"
MANAGED_BY = ("app.kubernetes.io/managed-by", "flowc")
FLOW_LABEL = "flowc/flow"
TEMPLATE_SUFFIX = ".workflowtemplate.yaml"


def manifest_hash(document: Mapping[str, Any]) -> str:
    """The hash of a document as flowc emitted it (without its own hash annotation)."""
    plain = copy.deepcopy(dict(document))
    plain.get("metadata", {}).get("annotations", {}).pop(MANIFEST_HASH, None)
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def documents(compiled: CompiledDeployment) -> dict[str, dict[str, Any]]:
    """The emitted documents by kind, each annotated with its manifest hash."""
    import yaml

    kind = str(compiled.options.get("kind", "WorkflowTemplate"))
    if kind != "WorkflowTemplate":
        raise DeployError(
            f"flowc deploy applies a WorkflowTemplate; kind {kind} is for `flowc compile` "
            "(drop --target-option kind)"
        )
    emitted = compiled.file_ending(TEMPLATE_SUFFIX)
    found: dict[str, dict[str, Any]] = {}
    for document in yaml.safe_load_all(emitted.content):
        if not document:
            continue
        annotations = document.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[MANIFEST_HASH] = manifest_hash(document)
        found[str(document["kind"])] = document
    template = found.get("WorkflowTemplate")
    if template is None or template["metadata"].get("name") != compiled.deployed_name:
        raise DeployError(
            f"{emitted.path} does not hold the WorkflowTemplate {compiled.deployed_name}"
        )
    return found


def _managed(live: Mapping[str, Any]) -> bool:
    labels = (live.get("metadata") or {}).get("labels") or {}
    return bool(labels.get(MANAGED_BY[0]) == MANAGED_BY[1])


class ArgoTarget(DeployTarget):
    """Argo Workflows, through the Argo Server at ``ARGO_SERVER``."""

    name: ClassVar[str] = "argo"
    connection_options: ClassVar[Mapping[str, str]] = CONNECTION_OPTIONS

    def __init__(self, connection: ArgoConnection) -> None:
        self.connection = connection
        self.api = ArgoApi(connection)

    @classmethod
    def from_environment(cls, options: Mapping[str, Any]) -> ArgoTarget:
        return cls(read_connection(options))

    @property
    def namespace(self) -> str:
        return self.connection.namespace

    # -- deploy / delete -----------------------------------------------------------------
    def deploy(self, compiled: CompiledDeployment) -> DeployOutcome:
        wanted = documents(compiled)
        for emitted in wanted.values():
            written = emitted["metadata"].get("namespace")
            if written is not None and written != self.namespace:
                # trigger/status/terminate find runs in the target's namespace only.
                raise DeployError(
                    f"the flow is compiled for namespace {written} but the Argo target "
                    f"uses namespace {self.namespace}; set ARGO_NAMESPACE={written} "
                    "(or --target-option namespace=...) so runs are found there too"
                )
        name = compiled.deployed_name
        outcomes: list[ResourceOutcome] = []
        namespace = self.namespace
        for index, kind in enumerate(KINDS):
            document = wanted.get(kind)
            try:
                if document is not None:
                    outcomes.append(self._apply(kind, document, namespace))
                else:
                    stale = self._remove_stale(kind, name, namespace)
                    if stale is not None:
                        outcomes.append(stale)
            except DeployError as exc:
                outcomes.append(ResourceOutcome(kind, name, ResourceChange.FAILED, str(exc)))
                outcomes.extend(
                    ResourceOutcome(later, name, ResourceChange.NOT_APPLIED)
                    for later in KINDS[index + 1 :]
                    if later in wanted
                )
                break
        return DeployOutcome(self.name, name, tuple(outcomes))

    def _apply(self, kind: str, document: dict[str, Any], namespace: str) -> ResourceOutcome:
        name = str(document["metadata"]["name"])
        live = self.api.get(kind, name, namespace)
        if live is None:
            self.api.create(kind, document, namespace)
            return ResourceOutcome(kind, name, ResourceChange.CREATED)
        annotations = (live.get("metadata") or {}).get("annotations") or {}
        if annotations.get(MANIFEST_HASH) == document["metadata"]["annotations"][MANIFEST_HASH]:
            return ResourceOutcome(kind, name, ResourceChange.UNCHANGED)
        if not _managed(live):
            raise DeployError(
                f"{kind} {name} in namespace {namespace} was not made by flowc "
                f"(no {MANAGED_BY[0]}={MANAGED_BY[1]} label); delete or rename it first"
            )
        replacement = copy.deepcopy(document)
        replacement["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        self.api.update(kind, replacement, namespace)
        return ResourceOutcome(kind, name, ResourceChange.UPDATED)

    def _remove_stale(self, kind: str, name: str, namespace: str) -> ResourceOutcome | None:
        live = self.api.get(kind, name, namespace)
        if live is None or not _managed(live):
            return None
        self.api.delete(kind, name, namespace)
        return ResourceOutcome(kind, name, ResourceChange.DELETED, "the flow no longer declares it")

    def delete(self, deployed_name: str) -> DeployOutcome:
        """Remove the Sensor, CronWorkflow and WorkflowTemplate; an empty outcome when
        none of them is there."""
        outcomes = []
        for kind in reversed(KINDS):
            if self.api.delete(kind, deployed_name, self.namespace):
                outcomes.append(ResourceOutcome(kind, deployed_name, ResourceChange.DELETED))
        return DeployOutcome(self.name, deployed_name, tuple(reversed(outcomes)))

    # -- runs ----------------------------------------------------------------------------
    def trigger(self, deployed_name: str, parameters: Mapping[str, str]) -> TriggeredRunRef:
        template = self.api.get("WorkflowTemplate", deployed_name, self.namespace)
        if template is None:
            raise DeployError(
                f"no WorkflowTemplate {deployed_name} in namespace {self.namespace}; "
                "run `flowc deploy --target argo` first"
            )
        declared = [
            str(p["name"])
            for p in ((template.get("spec") or {}).get("arguments") or {}).get("parameters") or []
        ]
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise DeployError(
                f"WorkflowTemplate {deployed_name} has no parameter {', '.join(unknown)} "
                f"(it takes {', '.join(declared) or 'none'})"
            )
        workflow = self.api.submit(
            deployed_name,
            [f"{k}={v}" for k, v in parameters.items()],
            self.namespace,
            name=new_run_id(self.name),
        )
        run = str(workflow["metadata"]["name"])
        labels = (template.get("metadata") or {}).get("labels") or {}
        return TriggeredRunRef(
            target=self.name,
            flow_name=str(labels.get(FLOW_LABEL, deployed_name)),
            deployed_name=deployed_name,
            run_id=run,
            engine_run_id=run,
        )

    def status(self, ref: TriggeredRunRef) -> RunStatus:
        return run_status(ref, self.api.workflow(ref.engine_run_id, self.namespace))

    def terminate(self, ref: TriggeredRunRef) -> None:
        state, _ = run_state(self.api.workflow(ref.engine_run_id, self.namespace))
        if not state.finished:
            self.api.terminate(ref.engine_run_id, self.namespace)
