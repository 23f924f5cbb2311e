"""``ArgoEvent``: publish an event to an Argo Events webhook (Metaflow's ``argo_events``).

The request is Metaflow's: ``POST`` of ``{"name": NAME, "payload": {...}}`` as JSON to
the webhook URL, where the payload carries ``name``, a fresh ``id``, ``timestamp``
(epoch seconds), ``utc_date`` (``YYYYMMDD``) and ``generated-by-metaflow`` beside the
caller's fields. An Argo Events webhook EventSource hands that body on as the event's
``body``, which a flow's Sensor filters and maps (backends/argo/_sensor.py).

Configuration, as Metaflow reads it: the URL from ``METAFLOW_ARGO_EVENTS_WEBHOOK_URL``
(or ``ARGO_EVENTS_WEBHOOK_URL``); a connection failure is tried
``METAFLOW_SERVICE_RETRY_COUNT`` times (5); with ``METAFLOW_ARGO_EVENTS_WEBHOOK_AUTH=service`` the
headers of ``METAFLOW_SERVICE_HEADERS`` (a JSON object) are sent too; ``access_token``
becomes a bearer ``Authorization`` header.

A finished run on Argo (its containers carry ``ARGO_WORKFLOW_TEMPLATE``) publishes
``metaflow.<project_flow_name or flow>.<end step>`` (and ``...end`` when the end step
has another name) from its end task when a webhook URL is configured
(:func:`publish_finished_run`); a failure to publish is printed, not raised.
``safe_publish`` sends only on Argo too; ``publish`` always.
"""

from __future__ import annotations

import json
import os
import sys
import time

from runtime_shim.events import ARGO_DEPLOYED_VARIABLE, AUTO_GENERATED_FIELD
from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["ArgoEvent", "ArgoEventException"]

#: How often a connection failure is tried (Metaflow's ``SERVICE_RETRY_COUNT``).
DEFAULT_RETRIES = 5
#: The configured webhook URL (Metaflow's ``ARGO_EVENTS_WEBHOOK_URL`` setting).
WEBHOOK_URL_VARIABLE = "METAFLOW_ARGO_EVENTS_WEBHOOK_URL"
#: The ``current`` fields of ``@project`` a finished run's event carries.
PROJECT_FIELDS = (
    "project_name",
    "branch_name",
    "is_user_branch",
    "is_production",
    "project_flow_name",
)


class ArgoEventException(MetaflowException):
    headline = "Argo Event Exception"


def webhook_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """The configured Argo Events webhook URL, or None."""
    return environ.get(WEBHOOK_URL_VARIABLE) or environ.get("ARGO_EVENTS_WEBHOOK_URL") or None


def _headers(access_token: str | None, environ: Mapping[str, str]) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    if environ.get("METAFLOW_ARGO_EVENTS_WEBHOOK_AUTH") == "service":
        extra = json.loads(environ.get("METAFLOW_SERVICE_HEADERS") or "{}")
        headers.update({str(k): str(v) for k, v in extra.items()})
    return headers


class ArgoEvent:
    """A named event with a payload, published to Argo Events (Metaflow's ``ArgoEvent``).

    ``name`` may be a callable returning the name. ``url`` overrides the configured
    webhook URL.
    """

    def __init__(
        self,
        name: str | Callable[[], str],
        url: str | None = None,
        payload: Mapping[str, Any] | None = None,
        access_token: str | None = None,
    ) -> None:
        if callable(name):
            name = name()
            if not isinstance(name, str):
                raise ArgoEventException(
                    f"Callable for 'name' must return a string, got {type(name).__name__}"
                )
        self._name = name
        self._url = url
        self._payload: dict[str, Any] = dict(payload or {})
        self._access_token = access_token

    def add_to_payload(self, key: str, value: Any) -> ArgoEvent:
        """Set ``key`` in the payload to ``str(value)`` (as Metaflow does); returns self."""
        self._payload[key] = str(value)
        return self

    def safe_publish(
        self, payload: Mapping[str, Any] | None = None, ignore_errors: bool = True
    ) -> str | None:
        """Publish only inside a deployed run on Argo Workflows; elsewhere print that
        nothing was published."""
        return self.publish(payload=payload, force=False, ignore_errors=ignore_errors)

    def publish(
        self,
        payload: Mapping[str, Any] | None = None,
        force: bool = True,
        ignore_errors: bool = True,
    ) -> str | None:
        """Send the event; return its id. Errors are printed when ``ignore_errors``,
        else raised as :class:`ArgoEventException`."""
        if not (force or on_argo()):
            return self._fail(
                f"Argo Event ({self._name}) was not published. Use ArgoEvent(...).publish(...) "
                "to force publish.",
                ignore_errors,
            )
        try:
            return self._send(dict(payload or {}))
        except Exception as error:
            message = f"Unable to publish Argo Event ({self._name}): {error}"
            return self._fail(message, ignore_errors)

    def body(self, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The JSON document :meth:`publish` posts (a fresh id and timestamp each call)."""
        # Imported here: every end task imports this module, few publish.
        import uuid
        from datetime import UTC, datetime

        now = time.time()
        return {
            "name": self._name,
            "payload": {
                "name": self._name,
                "id": str(uuid.uuid4()),
                "timestamp": int(now),
                "utc_date": datetime.fromtimestamp(now, UTC).strftime("%Y%m%d"),
                "generated-by-metaflow": True,
                **self._payload,
                **dict(payload or {}),
            },
        }

    def _send(self, payload: dict[str, Any]) -> str:
        import urllib.error
        import urllib.request

        url = self._url or webhook_url()
        if not url:
            raise ArgoEventException(
                "no Argo Events webhook URL: set METAFLOW_ARGO_EVENTS_WEBHOOK_URL or pass url="
            )
        data = self.body(payload)
        request = urllib.request.Request(
            url,
            method="POST",
            headers=_headers(self._access_token, os.environ),
            data=json.dumps(data).encode("utf-8"),
        )
        retries = max(1, int(os.environ.get("METAFLOW_SERVICE_RETRY_COUNT") or DEFAULT_RETRIES))
        for attempt in range(retries):
            try:
                # Bounded: a task must not hang on the event bus.
                with urllib.request.urlopen(request, timeout=60):
                    pass
                break
            except urllib.error.HTTPError:
                raise
            except urllib.error.URLError:
                if attempt == retries - 1:
                    raise
                time.sleep(2**attempt)
        print(f"Argo Event ({self._name}) published.", file=sys.stderr)
        event_id: str = data["payload"]["id"]
        return event_id

    @staticmethod
    def _fail(message: str, ignore_errors: bool) -> None:
        if not ignore_errors:
            raise ArgoEventException(message)
        print(message, file=sys.stderr)
        return None


def finished_run_events(current: Any, end_step: str) -> list[ArgoEvent]:
    """The events a run publishes once its end task ``current`` has succeeded."""
    qualified = current.get("project_flow_name") or current.flow_name
    names = [f"metaflow.{qualified}.{end_step}"]
    if end_step != "end":
        names.append(f"metaflow.{qualified}.end")
    events = []
    for name in names:
        event = ArgoEvent(name)
        event.add_to_payload("id", current.pathspec)
        event.add_to_payload("pathspec", current.pathspec)
        event.add_to_payload("flow_name", current.flow_name)
        event.add_to_payload("run_id", current.run_id)
        event.add_to_payload("step_name", end_step)
        event.add_to_payload("task_id", current.task_id)
        for key in PROJECT_FIELDS:
            if current.get(key):
                event.add_to_payload(key, current.get(key))
        event.add_to_payload(AUTO_GENERATED_FIELD, True)
        events.append(event)
    return events


def on_argo(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this task runs in a deployed Argo Workflow (the emitter marks every
    container with ``ARGO_WORKFLOW_TEMPLATE``, as Metaflow does)."""
    return bool(environ.get(ARGO_DEPLOYED_VARIABLE))


def publish_finished_run(current: Any, end_step: str) -> None:
    """Publish the finished-run events of a deployed run (on Argo, with a webhook URL
    configured); never raises. Local runs publish nothing, as in Metaflow."""
    if not (on_argo() and webhook_url()):
        return
    for event in finished_run_events(current, end_step):
        event.publish(ignore_errors=True)
