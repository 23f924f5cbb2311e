"""The resource around the templates: kind, metadata, arguments, schedule; and YAML.

Serialisation is deterministic: the models dumped by alias without empty fields, keys
reordered so ``name`` leads each mapping (for readers), then written by ``_yaml.dump``
(PyYAML's safe dumper, in that order), which quotes whatever a YAML 1.1 reader would
otherwise reinterpret (``yes``, ``y``, ``1e3``, ``: ``, leading ``*``…), so every value
parses back to the same string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backends.argo._literals import encode_parameter_value
from backends.argo._model import Arguments, Parameter
from backends.argo._names import (
    IMAGE,
    LABEL_VALUE,
    MAX_NAME,
    dns1123,
    is_dns1123,
    is_label,
    is_subdomain,
    resource_name,
)
from backends.argo._options import ArgoOptions
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR

API_VERSION = "argoproj.io/v1alpha1"


@dataclass
class ResourceHeader:
    """The resource's name and labels, with the diagnostics found choosing them."""

    name: str
    labels: dict[str, str]
    annotations: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def label_value(text: str) -> str:
    """A valid label value for ``text`` (names are ≤ 63 and DNS-safe already)."""
    return text if LABEL_VALUE.match(text) and len(text) <= MAX_NAME else dns1123(text)


def header(ir: FlowIR, opts: ArgoOptions) -> ResourceHeader:
    labels = {"app.kubernetes.io/managed-by": "flowc", "flowc/flow": label_value(ir.name)}
    wanted, project, found = resource_name(ir, opts.kind, opts.branch, opts.production)
    diagnostics: list[Diagnostic] = list(found)
    if project is not None:
        labels["flowc/project"] = label_value(project.project_name)
        labels["flowc/branch"] = label_value(project.branch_name)
    for key, value in opts.labels.items():
        if is_label(key, value):
            labels[key] = value
        else:
            diagnostics.append(
                diag(
                    codes.FC305,
                    f"label {key}={value!r} is not a valid Kubernetes label",
                    None,
                    "values: at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends",
                )
            )
    diagnostics.extend(_check_options(opts))
    annotations = {"flowc/source-sha256": ir.source_sha256}
    if ir.docstring:
        # Top-level metadata is not templated by Argo, so the text is kept as written.
        annotations["workflows.argoproj.io/description"] = ir.docstring
    return ResourceHeader(wanted, labels, annotations, diagnostics)


def _check_options(opts: ArgoOptions) -> list[Diagnostic]:
    """Options end up in the manifest as they are; refuse what Kubernetes would reject
    (or Argo would template)."""
    out = []
    if opts.namespace is not None and not is_dns1123(opts.namespace):
        out.append(
            diag(codes.FC305, f"namespace {opts.namespace!r} is not a Kubernetes name", None)
        )
    if opts.service_account is not None and not is_subdomain(opts.service_account):
        out.append(
            diag(
                codes.FC305,
                f"service account {opts.service_account!r} is not a Kubernetes name",
                None,
            )
        )
    if opts.parallelism == -1:
        out.append(diag(codes.FC305, "parallelism must be a positive integer", None))
    if opts.workflow_timeout == -1:
        out.append(diag(codes.FC305, "workflow_timeout must be a positive number of seconds", None))
    if opts.priority is None and opts.extra.get("priority") is not None:
        out.append(diag(codes.FC305, "priority must be an integer", None))
    if not IMAGE.match(opts.image):
        out.append(
            diag(codes.FC305, f"image {opts.image!r} is not a container image reference", None)
        )
    if not re.match(r"^[A-Za-z0-9._/+-]+$", opts.python):
        out.append(diag(codes.FC305, f"python {opts.python!r} is not an executable path", None))
    return out


def arguments(ir: FlowIR, param_names: dict[str, str]) -> tuple[Any, list[Diagnostic]]:
    """``spec.arguments``: one parameter per flow parameter, defaults as inert JSON."""

    diagnostics: list[Diagnostic] = []
    params = []
    for p in ir.parameters:
        value: str | None
        if p.default_source is not None:
            value = None
            diagnostics.append(
                diag(
                    codes.FC302,
                    f"parameter '{p.name}': default {p.default_source} is not a literal; "
                    "Argo will require a value at submit time",
                    p.location.span(),
                )
            )
        elif p.has_default:
            value = encode_parameter_value(p.default)
        elif p.required:
            value = None
        else:
            value = encode_parameter_value(None)
        description = p.help if p.help and "{{" not in p.help else None
        params.append(Parameter(name=param_names[p.name], value=value, description=description))
    return (Arguments(parameters=params) if params else None), diagnostics


def schedule(ir: FlowIR) -> tuple[list[str], str | None, list[Diagnostic]]:
    """Cron schedules and timezone from ``@schedule``."""
    dec = ir.decorator("schedule")
    if dec is None:
        return (
            [],
            None,
            [
                diag(
                    codes.FC305,
                    "kind CronWorkflow needs a @schedule decorator on the flow",
                    None,
                    "add @schedule(daily=True) or choose --kind WorkflowTemplate",
                )
            ],
        )
    from backends.coverage import resolved
    from runtime_shim.catalogue import InvalidValue, parse_cron, schedule_cron

    values = resolved(dec)
    cron = schedule_cron(values)
    if cron is None:
        hint = "use hourly=True, daily=True, weekly=True or cron='...'"
        return (
            [],
            None,
            [diag(codes.FC305, "@schedule names no schedule", dec.location.span(), hint)],
        )
    try:
        # Argo's CronWorkflow reads the normal 5 fields, as the catalogue writes them.
        crons = [parse_cron(cron).text]
    except InvalidValue as error:
        return [], None, [diag(codes.FC305, f"@schedule cron: {error}", dec.location.span())]
    return crons, values.get("timezone"), []


# Keys readers look for first; the rest keep hera's (alphabetical) order.
_KEY_ORDER = {
    k: i
    for i, k in enumerate(
        [
            "apiVersion",
            "kind",
            "name",
            "generateName",
            "namespace",
            "metadata",
            "spec",
            "labels",
            "schedules",
            "timezone",
            "entrypoint",
            "template",
            "depends",
            "when",
            "withSequence",
            "inputs",
            "outputs",
            "arguments",
            "workflowMetadata",
            "dag",
            "image",
            "command",
            "args",
            "env",
            "envFrom",
            "value",
            "valueFrom",
        ]
    )
}


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        items = [(k, _ordered(v)) for k, v in value.items()]
        items.sort(key=lambda kv: _KEY_ORDER.get(kv[0], len(_KEY_ORDER)))
        return dict(items)
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def to_document(model: Any) -> dict[str, Any]:
    """A model (or a document already made of dicts) with its keys in reading order."""
    document: dict[str, Any] = _ordered(model if isinstance(model, dict) else model.to_dict())
    return document


def to_yaml(document: dict[str, Any]) -> str:
    from backends.argo._yaml import dump

    return dump(document)
