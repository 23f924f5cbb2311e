"""Play an Argo Events Sensor for the subset flowc emits (backends/argo/_sensor.py).

No Argo Events runs here, so this stands in for the sensor controller with the
documented semantics of what flowc writes, and refuses anything else
(:class:`SensorError`):

* an event from a webhook EventSource is ``{"header": {...}, "body": <posted JSON>}``;
  it reaches the dependencies whose ``eventSourceName``/``eventName`` it came through;
* ``filters.exprs``: each expression's ``fields`` are gjson paths into the event (dotted
  keys); a path that does not exist fails the filter; a field's value is its gjson
  string form; the expressions are AND-ed (the default ``exprLogicalOperator``) and
  each is one of ``NAME == 'text'`` or ``true == true``;
* the trigger fires once every dependency has an event (dependencies AND-ed, the
  default without ``conditions``) and then forgets them;
* ``k8s`` trigger ``create`` of ``source.resource`` with ``parameters``, resolved as
  argo-events' ``ResolveParamValue``: ``dataTemplate`` first (only the template
  ``payload_template`` writes: sprig's ``hasKey``/``get``/``toRawJson``; an empty result
  is a failure), then ``dataKey`` (gjson: a JSON block as its raw text, ``null`` as
  ``null``, a string unquoted, a number or boolean as its text), then ``value``; a
  missing value with no default is an error; ``dest`` is only
  ``spec.arguments.parameters.#(name=N).value``, set as a string (sjson without
  ``useRawData``);
* the created Workflow's ``workflowTemplateRef`` is resolved as Argo does: the
  template's spec, with the Workflow's arguments overriding the template's by name.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

_TEXT_EQUALS = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*) == '(?P<value>(?:[^'\\]|\\.)*)'$")
_DEST = re.compile(r"^spec\.arguments\.parameters\.#\(name=(?P<name>[^)]+)\)\.value$")
_PAYLOAD_TEMPLATE = re.compile(
    r'^\{\{ if hasKey \$\.Input\.body\.payload "(?P<a>[A-Za-z0-9_]+)" \}\}'
    r'\{\{ get \$\.Input\.body\.payload "(?P<b>[A-Za-z0-9_]+)" \| toRawJson \}\}\{\{ end \}\}$'
)
_MISSING = object()


class SensorError(Exception):
    """The Sensor uses something this stand-in does not model, or would fail."""


def gjson_get(document: Any, path: str) -> Any:
    """The value at a dotted gjson path (no wildcards or escapes), or ``_MISSING``."""
    value = document
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def gjson_string(value: Any) -> str:
    """gjson's ``Result.String()`` of a value (blocks as compact raw JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _go_number(float(value))
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _go_number(number: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'f' or 'e', -1, 64)`` as encoding/json uses it."""
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{abs(int(exponent)):02d}"
    return text


def to_raw_json(value: Any) -> str:
    """sprig's ``toRawJson`` of a value decoded by gjson (numbers are float64)."""
    if isinstance(value, dict):
        items = (f"{to_raw_json(k)}:{to_raw_json(v)}" for k, v in sorted(value.items()))
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_raw_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        if math.isnan(float(value)) or math.isinf(float(value)):
            raise SensorError("toRawJson: unsupported value")
        return _go_number(float(value))
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass
class Sensor:
    """One Sensor document; :meth:`receive` an event, get the Workflows it creates."""

    document: dict[str, Any]
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    arrived: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.document.get("kind") != "Sensor":
            raise SensorError("not a Sensor")
        spec = self.document["spec"]
        unknown = set(spec) - {"eventBusName", "template", "dependencies", "triggers"}
        if unknown:
            raise SensorError(f"spec fields not modelled: {sorted(unknown)}")
        self.dependencies = spec["dependencies"]
        self.triggers = spec["triggers"]

    def receive(
        self, body: Any, event_source: str, event_name: str, header: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Deliver one webhook event; return the Workflows created (resolved)."""
        event = {"header": header or {}, "body": body}
        for dependency in self.dependencies:
            if (dependency["eventSourceName"], dependency["eventName"]) != (
                event_source,
                event_name,
            ):
                continue
            if self._passes(dependency, event):
                self.arrived[dependency["name"]] = event
        if len(self.arrived) < len(self.dependencies):
            return []
        events, self.arrived = self.arrived, {}
        return [self._fire(trigger, events) for trigger in self.triggers]

    def _passes(self, dependency: dict[str, Any], event: dict[str, Any]) -> bool:
        filters = dependency.get("filters") or {}
        if set(filters) - {"exprs"}:
            raise SensorError(f"filters not modelled: {sorted(set(filters) - {'exprs'})}")
        for rule in filters.get("exprs", []):
            scope = {}
            for entry in rule["fields"]:
                value = gjson_get(event, entry["path"])
                if value is _MISSING:
                    return False
                scope[entry["name"]] = gjson_string(value)
            if not _evaluate(rule["expr"], scope):
                return False
        return True

    def _fire(self, trigger: dict[str, Any], events: dict[str, dict[str, Any]]) -> dict[str, Any]:
        template = trigger["template"]
        unknown = set(template) - {"name", "k8s", "conditionsReset"}
        if unknown or set(trigger) != {"template"}:
            raise SensorError(f"trigger fields not modelled: {sorted(unknown)}")
        k8s = template["k8s"]
        if k8s.get("operation") != "create":
            raise SensorError(f"operation {k8s.get('operation')!r} not modelled")
        resource = copy.deepcopy(k8s["source"]["resource"])
        for parameter in k8s.get("parameters", []):
            value = _resolve(parameter["src"], events)
            if value is None:
                continue
            _set_dest(resource, parameter["dest"], value)
        return self._resolved(resource)

    def _resolved(self, workflow: dict[str, Any]) -> dict[str, Any]:
        ref = workflow["spec"].get("workflowTemplateRef")
        if ref is None:
            return workflow
        if ref["name"] not in self.templates:
            raise SensorError(f"WorkflowTemplate {ref['name']!r} is not deployed")
        spec = copy.deepcopy(self.templates[ref["name"]]["spec"])
        given = {p["name"]: p for p in workflow["spec"].get("arguments", {}).get("parameters", [])}
        declared = spec.get("arguments", {}).get("parameters", [])
        unknown = set(given) - {p["name"] for p in declared}
        if unknown:
            raise SensorError(f"arguments the template does not declare: {sorted(unknown)}")
        spec["arguments"] = {"parameters": [given.get(p["name"], p) for p in declared]}
        return {
            "apiVersion": workflow["apiVersion"],
            "kind": "Workflow",
            "metadata": workflow["metadata"],
            "spec": spec,
        }


def _evaluate(expression: str, scope: dict[str, str]) -> bool:
    if expression == "true == true":
        return True
    found = _TEXT_EQUALS.match(expression)
    if found is None:
        raise SensorError(f"expression {expression!r} not modelled")
    if found["name"] not in scope:
        raise SensorError(f"expression names unknown field {found['name']!r}")
    literal = re.sub(r"\\(.)", r"\1", found["value"])
    return scope[found["name"]] == literal


def _resolve(src: dict[str, Any], events: dict[str, dict[str, Any]]) -> str | None:
    unknown = set(src) - {"dependencyName", "dataKey", "dataTemplate", "value"}
    if unknown:
        raise SensorError(f"parameter source fields not modelled: {sorted(unknown)}")
    default = src.get("value")
    event = events.get(src["dependencyName"])
    if event is None:
        return default
    template = src.get("dataTemplate")
    if template:
        found = _PAYLOAD_TEMPLATE.match(template)
        if found is None or found["a"] != found["b"]:
            raise SensorError(f"dataTemplate {template!r} not modelled")
        payload = gjson_get(event, "body.payload")
        if isinstance(payload, dict) and found["a"] in payload:
            return to_raw_json(payload[found["a"]])
        # An empty result is an error: argo-events falls back to the key, then the value.
    key = src.get("dataKey")
    if key:
        value = gjson_get(event, key)
        if value is not _MISSING:
            if value is None:
                return "null"
            return gjson_string(value)
    if default is not None:
        return str(default)
    raise SensorError(f"unable to resolve a parameter of {src['dependencyName']!r}")


def _set_dest(resource: dict[str, Any], dest: str, value: str) -> None:
    found = _DEST.match(dest)
    if found is None:
        raise SensorError(f"dest {dest!r} not modelled")
    parameters = resource["spec"].setdefault("arguments", {}).setdefault("parameters", [])
    for parameter in parameters:
        if parameter["name"] == found["name"]:
            parameter["value"] = value
            return
    raise SensorError(f"dest {dest!r}: no such parameter in the resource")
