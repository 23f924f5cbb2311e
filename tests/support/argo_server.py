"""A recording stand-in for the Argo Server's REST API that checks every request against
the Argo Server's published OpenAPI description (``api/openapi-spec/swagger.json`` of the
argo-workflows Go module, copied to ``tools/argo-openapi/`` by tools/setup_test_tools.sh).

No Argo Server can run in the tests (it needs a Kubernetes API server), so the deploy
target's requests are checked against what the server declares instead:

- the path and method are one of the spec's operations;
- every query parameter is one the operation declares;
- the JSON body validates (``jsonschema``, every ``$ref`` resolved) against the operation's
  body schema, with unknown fields refused, so a misspelt field fails rather than being
  silently dropped (the server's JSON decoder drops them without a word); the spec's
  ``IntOrString`` and ``Quantity`` (``type: string``) also take the numbers Kubernetes'
  decoders accept, and a Sensor trigger's ``K8SResource`` takes the object Argo Events
  decodes (the description spells the protobuf's ``{"value": <bytes>}``).

A request that fails a check is answered 400 (gRPC code 3, as the server's gateway answers
a bad request) and recorded in ``violations``. Objects are kept in memory and answered as
the server would: created ones get a ``resourceVersion``, updates must carry the current
one (else 409), submitted Workflows get a name from the template's and the phase a test
sets with :meth:`ArgoApiServer.set_workflow_status`. Every answer is itself validated
against the operation's response schema, so hera parses what a real server could send.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = REPO / "tools" / "argo-openapi"
SPEC_PATH = SPEC_DIR / "swagger.json"

# The spec's scalar types whose Kubernetes decoders accept more than ``type: string``.
_LENIENT = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["string", "integer"]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number"]},
    # Argo Events decodes a trigger's resource as raw JSON (K8SResource.UnmarshalJSON, as
    # json.RawMessage); the description spells the protobuf's {"value": <bytes>}.
    "github.com.argoproj.argo_events.pkg.apis.events.v1alpha1.K8SResource": {"type": "object"},
}

# URL collection -> the stored kind, for the resources the fake keeps.
_COLLECTIONS = {
    "workflow-templates": "WorkflowTemplate",
    "cron-workflows": "CronWorkflow",
    "sensors": "Sensor",
    "workflows": "Workflow",
}
# The body field holding the object, per create/update operation.
_BODY_FIELD = {
    "WorkflowTemplate": "template",
    "CronWorkflow": "cronWorkflow",
    "Sensor": "sensor",
}


def spec_version() -> str:
    """The argo-workflows module version the spec was taken from."""
    return (SPEC_DIR / "VERSION").read_text(encoding="utf-8").strip()


def load_spec() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        raise FileNotFoundError(f"{SPEC_PATH} is missing: run tools/setup_test_tools.sh")
    return dict(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def strict_definitions(definitions: dict[str, Any]) -> dict[str, Any]:
    """The spec's definitions with unknown fields refused wherever an object lists its
    properties, and the lenient scalars above."""
    strict = copy.deepcopy(definitions)

    def tighten(schema: Any) -> None:
        if isinstance(schema, dict):
            if "properties" in schema and "additionalProperties" not in schema:
                schema["additionalProperties"] = False
            for key in ("properties", "patternProperties"):
                for sub in schema.get(key, {}).values():
                    tighten(sub)
            for key in ("items", "additionalProperties"):
                tighten(schema.get(key))
            for key in ("allOf", "anyOf", "oneOf"):
                for sub in schema.get(key, []):
                    tighten(sub)

    for name, schema in strict.items():
        tighten(schema)
        if name in _LENIENT:
            strict[name] = {k: v for k, v in schema.items() if k in ("description", "title")}
            strict[name].update(_LENIENT[name])
    return strict


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))

    def body_schema(self) -> dict[str, Any] | None:
        for parameter in self.spec.get("parameters", []):
            if parameter.get("in") == "body":
                return dict(parameter["schema"])
        return None

    def query_names(self) -> set[str]:
        return {p["name"] for p in self.spec.get("parameters", []) if p.get("in") == "query"}

    def response_schema(self) -> dict[str, Any] | None:
        found = self.spec.get("responses", {}).get("200", {}).get("schema")
        return dict(found) if found else None


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it, and the operation it matched."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    operation_id: str
    problems: tuple[str, ...]
    authorization: str | None = None


class SpecChecker:
    """Matches requests to the spec's operations and validates bodies against it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from jsonschema import Draft4Validator

        self._validator_class = Draft4Validator
        self.definitions = strict_definitions(spec["definitions"])
        self.operations: list[Operation] = []
        for template, item in spec["paths"].items():
            pieces = re.split(r"(\{[^}]+\})", template)
            regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in pieces)
            for method, op in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    self.operations.append(
                        Operation(method.upper(), template, re.compile(f"^{regex}$"), op)
                    )

    def match(self, method: str, path: str) -> tuple[Operation | None, str | None]:
        """The operation for ``method path``, or why there is none."""
        on_path = [op for op in self.operations if op.pattern.match(path)]
        if not on_path:
            return None, f"{path} is not a path of the Argo Server API"
        # A literal segment (``/submit``) beats a ``{name}`` placeholder.
        on_path.sort(key=lambda op: op.template.count("{"))
        for op in on_path:
            if op.method == method:
                return op, None
        return None, f"{method} is not an operation of {on_path[0].template}"

    def problems(self, schema: dict[str, Any], value: Any) -> list[str]:
        """Every way ``value`` breaks ``schema`` (a ``$ref`` into the definitions)."""
        root = {**schema, "definitions": self.definitions}
        validator = self._validator_class(root)
        found = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}" for e in found
        ]

    def check(self, op: Operation, query: dict[str, list[str]], body: Any) -> list[str]:
        out = [
            f"query parameter {q!r} is not declared" for q in sorted(set(query) - op.query_names())
        ]
        schema = op.body_schema()
        if schema is None:
            if body is not None:
                out.append("the operation takes no body")
        elif body is None:
            out.append("the operation needs a JSON body")
        else:
            out.extend(self.problems(schema, body))
        return out


@dataclass
class _Store:
    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    version: int = 0
    submitted: int = 0


class ArgoApiServer:
    """The fake server on 127.0.0.1 (an ephemeral port), run in a thread."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.checker = SpecChecker(spec if spec is not None else load_spec())
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self._store = _Store()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> ArgoApiServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    # -- what tests look at and set ----------------------------------------------------
    def writes(self) -> list[RecordedRequest]:
        """The requests that change something (not GETs)."""
        return [r for r in self.requests if r.method != "GET"]

    def stored(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self._store.objects.get((kind, namespace, name))

    def put(self, kind: str, namespace: str, obj: dict[str, Any]) -> None:
        """Store an object as if someone else had created it."""
        with self._lock:
            stamped = self._stamp(copy.deepcopy(obj), namespace)
            self._store.objects[(kind, namespace, obj["metadata"]["name"])] = stamped

    def remove(self, kind: str, namespace: str, name: str) -> None:
        with self._lock:
            del self._store.objects[(kind, namespace, name)]

    def set_workflow_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Give a submitted Workflow the status the controller would have written."""
        with self._lock:
            self._store.objects[("Workflow", namespace, name)]["status"] = status

    # -- the API -------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, answer = server._answer(
                    self.command,
                    url.path,
                    parse_qs(url.query),
                    raw,
                    self.headers.get("Authorization"),
                )
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        return Handler

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
        authorization: str | None,
    ) -> tuple[int, Any]:
        body: Any = None
        problems: list[str] = []
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                problems.append(f"the body is not JSON: {exc}")
        op, missing = self.checker.match(method, path)
        if op is None:
            problems.append(str(missing))
        else:
            problems.extend(self.checker.check(op, query, body))
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method,
                    path,
                    query,
                    body,
                    op.operation_id if op else "",
                    tuple(problems),
                    authorization,
                )
            )
            if problems:
                self.violations.extend(f"{method} {path}: {p}" for p in problems)
                return 400, _error(3, "; ".join(problems))
            assert op is not None
            status, answer = self._apply(method, path, body)
            schema = op.response_schema()
            if status == 200 and schema is not None:
                wrong = self.checker.problems(schema, answer)
                if wrong:
                    self.violations.extend(f"answer to {method} {path}: {p}" for p in wrong)
            return status, answer

    def _apply(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")[2:]  # after api/v1
        kind = _COLLECTIONS.get(parts[0])
        if kind is None:
            return 501, _error(12, f"{path} is not served by this fake")
        namespace = parts[1]
        if kind == "Workflow" and len(parts) == 3 and parts[2] == "submit":
            return self._submit(namespace, body)
        if len(parts) == 2 and method == "POST":
            return self._create(kind, namespace, body[_BODY_FIELD[kind]])
        name = parts[2]
        key = (kind, namespace, name)
        current = self._store.objects.get(key)
        if current is None:
            return 404, _error(5, f'{kind.lower()}s.argoproj.io "{name}" not found')
        if method == "GET":
            return 200, current
        if method == "DELETE":
            del self._store.objects[key]
            return 200, {}
        if kind == "Workflow" and parts[3:] == ["terminate"]:
            if current.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"):
                return 400, _error(9, "cannot shutdown a completed workflow")
            current["spec"]["shutdown"] = "Terminate"
            return 200, current
        if method == "PUT" and len(parts) == 3:
            return self._update(key, current, body[_BODY_FIELD[kind]])
        return 501, _error(12, f"{method} {path} is not served by this fake")

    def _stamp(self, obj: dict[str, Any], namespace: str) -> dict[str, Any]:
        self._store.version += 1
        meta = obj.setdefault("metadata", {})
        meta["namespace"] = namespace
        meta["resourceVersion"] = str(self._store.version)
        meta.setdefault("uid", f"00000000-0000-0000-0000-{self._store.version:012d}")
        meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        return obj

    def _create(self, kind: str, namespace: str, obj: dict[str, Any]) -> tuple[int, Any]:
        name = obj["metadata"]["name"]
        key = (kind, namespace, name)
        if key in self._store.objects:
            return 409, _error(6, f'{kind.lower()}s.argoproj.io "{name}" already exists')
        obj = self._stamp(copy.deepcopy(obj), namespace)
        self._store.objects[key] = obj
        return 200, obj

    def _update(
        self, key: tuple[str, str, str], current: dict[str, Any], obj: dict[str, Any]
    ) -> tuple[int, Any]:
        sent = obj.get("metadata", {}).get("resourceVersion")
        if sent != current["metadata"]["resourceVersion"]:
            return 409, _error(
                10,
                f'Operation cannot be fulfilled on "{key[2]}": the object has been modified '
                f"(resourceVersion {sent!r}, current {current['metadata']['resourceVersion']!r})",
            )
        obj = copy.deepcopy(obj)
        obj["metadata"]["uid"] = current["metadata"]["uid"]
        obj = self._stamp(obj, key[1])
        self._store.objects[key] = obj
        return 200, obj

    def _submit(self, namespace: str, body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("resourceKind") != "WorkflowTemplate":
            return 400, _error(3, f"resourceKind {body.get('resourceKind')!r} is not handled")
        template_name = body["resourceName"]
        if ("WorkflowTemplate", namespace, template_name) not in self._store.objects:
            return 404, _error(5, f'workflowtemplates.argoproj.io "{template_name}" not found')
        self._store.submitted += 1
        options = body.get("submitOptions", {})
        name = options.get("name") or f"{template_name}-{_suffix(self._store.submitted)}"
        if ("Workflow", namespace, name) in self._store.objects:
            return 409, _error(6, f'workflows.argoproj.io "{name}" already exists')
        parameters = [
            {"name": text.partition("=")[0], "value": text.partition("=")[2]}
            for text in options.get("parameters", [])
        ]
        labels = dict(pair.split("=", 1) for pair in options.get("labels", "").split(",") if pair)
        workflow: dict[str, Any] = {
            "metadata": {"name": name, "labels": labels},
            "spec": {"workflowTemplateRef": {"name": template_name}},
        }
        if parameters:
            workflow["spec"]["arguments"] = {"parameters": parameters}
        workflow = self._stamp(workflow, namespace)
        self._store.objects[("Workflow", namespace, name)] = workflow
        return 200, workflow


def _suffix(n: int) -> str:
    """Argo's five-character generated-name suffix, deterministic here."""
    letters = "bcdfghjklmnpqrstvwxz2456789"
    out = ""
    for _ in range(5):
        n, digit = divmod(n, len(letters))
        out += letters[digit]
    return out


def _error(code: int, message: str) -> dict[str, Any]:
    """The gRPC gateway's error body (``grpc.gateway.runtime.Error``)."""
    return {"code": code, "message": message, "error": message}


def request_bodies(server: ArgoApiServer, operation_id: str) -> Iterator[Any]:
    """The bodies of every request that matched ``operation_id``."""
    return (r.body for r in server.requests if r.operation_id == operation_id)
