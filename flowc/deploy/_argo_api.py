"""The Argo Server calls the Argo target makes, through hera's generated clients, with
plain dicts in and out.

WorkflowTemplates, CronWorkflows and Workflows go through hera's ``WorkflowsService``.
Sensors belong to Argo Events, whose API the Argo Server serves as well
(``/api/v1/sensors``); hera's ``WorkflowsService`` has no Sensor calls, so they go through
its ``EventsService``, against the same server, token and namespace.

A Sensor's trigger carries the Workflow it creates as a Kubernetes resource. Argo Events
decodes that field as raw JSON (``K8SResource.UnmarshalJSON`` keeps the bytes, as
``json.RawMessage`` does), but the published API description, and hera's model generated
from it, spell it as the protobuf's ``{"value": <bytes>}``; hera's model therefore drops
the Workflow. So a Sensor's body is written here and sent on hera's session, with hera's
headers and error mapping. The description's Sensor has no ``apiVersion``/``kind`` (the
endpoint names the kind, and Kubernetes fills them in), so they are left out. hera is
imported here only (it costs about 0.6 s), when a target is opened.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from flowc.deploy._argo_config import ArgoConnection
from flowc.deploy._model import DeployError

# The kinds a deploy applies, in the order they are applied (the CronWorkflow and the
# Sensor start Workflows from the template, so it comes first).
KINDS = ("WorkflowTemplate", "CronWorkflow", "Sensor")


class NotFound(DeployError):
    """The server has no object of that name."""


def _plain(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _untyped(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("apiVersion", "kind")}


class ArgoApi:
    """One connection's calls; every failure is a ``DeployError`` saying what was asked
    of which server."""

    def __init__(self, connection: ArgoConnection) -> None:
        try:
            from hera.events.service import EventsService
            from hera.workflows.service import WorkflowsService
        except ImportError as exc:
            raise DeployError("the Argo target needs hera: pip install 'flowc[argo]'") from exc

        self.connection = connection
        url, verify, token = connection.url, connection.verify_ssl, connection.token
        namespace = connection.namespace
        self.workflows = WorkflowsService(url, verify, token, namespace=namespace)
        self.events = EventsService(url, verify, token, namespace=namespace)

    def _call(self, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        import requests
        from hera.exceptions import HeraException
        from hera.exceptions import NotFound as HeraNotFound

        try:
            return _plain(call())
        except HeraNotFound as exc:
            raise NotFound(f"{what}: {exc}") from exc
        except HeraException as exc:
            raise DeployError(f"{what} on the Argo Server at {self.connection.url}: {exc}") from exc
        except requests.RequestException as exc:
            raise DeployError(
                f"{what}: cannot reach the Argo Server at {self.connection.url} ({exc}); "
                "check ARGO_SERVER and ARGO_SECURE"
            ) from exc

    # -- WorkflowTemplate / CronWorkflow / Sensor ----------------------------------------
    def get(self, kind: str, name: str, namespace: str) -> dict[str, Any] | None:
        """The live object, or None when there is none."""
        calls = {
            "WorkflowTemplate": self.workflows.get_workflow_template,
            "CronWorkflow": self.workflows.get_cron_workflow,
            "Sensor": self.events.get_sensor,
        }
        try:
            return self._call(f"reading {kind} {name}", lambda: calls[kind](name, namespace))
        except NotFound:
            return None

    def create(self, kind: str, document: dict[str, Any], namespace: str) -> dict[str, Any]:
        from hera.workflows import models as wf

        name = document["metadata"]["name"]
        call: Callable[[], Any]
        if kind == "WorkflowTemplate":
            template = wf.WorkflowTemplateCreateRequest(template=wf.WorkflowTemplate(**document))
            call = partial(self.workflows.create_workflow_template, template, namespace)
        elif kind == "CronWorkflow":
            cron = wf.CreateCronWorkflowRequest(cron_workflow=wf.CronWorkflow(**document))
            call = partial(self.workflows.create_cron_workflow, cron, namespace)
        else:
            url = f"api/v1/sensors/{namespace}"
            call = partial(self._send_sensor, "post", url, {"sensor": _untyped(document)})
        return self._call(f"creating {kind} {name}", call)

    def update(self, kind: str, document: dict[str, Any], namespace: str) -> dict[str, Any]:
        """Replace the object; ``document`` carries the live ``resourceVersion``."""
        from hera.workflows import models as wf

        name = document["metadata"]["name"]
        call: Callable[[], Any]
        if kind == "WorkflowTemplate":
            template = wf.WorkflowTemplateUpdateRequest(
                name=name, template=wf.WorkflowTemplate(**document)
            )
            call = partial(self.workflows.update_workflow_template, name, template, namespace)
        elif kind == "CronWorkflow":
            cron = wf.UpdateCronWorkflowRequest(
                name=name, cron_workflow=wf.CronWorkflow(**document)
            )
            call = partial(self.workflows.update_cron_workflow, name, cron, namespace)
        else:
            url = f"api/v1/sensors/{namespace}/{name}"
            body = {"name": name, "sensor": _untyped(document)}
            call = partial(self._send_sensor, "put", url, body)
        return self._call(f"updating {kind} {name}", call)

    def _send_sensor(self, method: str, path: str, body: dict[str, Any]) -> Any:
        """Create or update a Sensor with its trigger's resource as raw JSON (see above)."""
        from urllib.parse import urljoin

        from hera.events.models import Sensor
        from hera.exceptions import exception_from_server_response

        service = self.events
        headers = {"Content-Type": "application/json"}
        if service.token:
            headers["Authorization"] = service.token
        response = service.session.request(
            method,
            url=urljoin(service.host, path),
            headers=headers,
            data=json.dumps(body),
            verify=service.verify_ssl,
            cert=service.client_certs,
        )
        if not response.ok:
            raise exception_from_server_response(response)
        return Sensor(**response.json())

    def delete(self, kind: str, name: str, namespace: str) -> bool:
        """Delete the object; False when there was none."""
        calls = {
            "WorkflowTemplate": self.workflows.delete_workflow_template,
            "CronWorkflow": self.workflows.delete_cron_workflow,
            "Sensor": self.events.delete_sensor,
        }
        try:
            self._call(f"deleting {kind} {name}", lambda: calls[kind](name, namespace))
        except NotFound:
            return False
        return True

    # -- Workflows -----------------------------------------------------------------------
    def submit(
        self, template: str, parameters: list[str], namespace: str, name: str
    ) -> dict[str, Any]:
        """Start a Workflow named ``name`` from the WorkflowTemplate ``template``
        (parameters as ``NAME=VALUE``)."""
        from hera.workflows import models as wf

        options = wf.SubmitOpts(name=name, parameters=parameters or None)
        request = wf.WorkflowSubmitRequest(
            namespace=namespace,
            resource_kind="WorkflowTemplate",
            resource_name=template,
            submit_options=options,
        )
        return self._call(
            f"submitting a Workflow from WorkflowTemplate {template}",
            lambda: self.workflows.submit_workflow(request, namespace),
        )

    def workflow(self, name: str, namespace: str) -> dict[str, Any]:
        return self._call(
            f"reading Workflow {name}", lambda: self.workflows.get_workflow(name, namespace)
        )

    def terminate(self, name: str, namespace: str) -> dict[str, Any]:
        from hera.workflows import models as wf

        request = wf.WorkflowTerminateRequest(name=name, namespace=namespace)
        return self._call(
            f"terminating Workflow {name}",
            lambda: self.workflows.terminate_workflow(name, request, namespace),
        )
