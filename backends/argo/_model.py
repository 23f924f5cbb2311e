"""Light stand-ins for the hera models flowc builds manifests from.

``import hera.workflows`` costs 0.5 to 0.9 s, several times the rest of a compile, so the
emitter builds the same structures with these classes: the same class names and
snake_case field names as ``hera.workflows.models``, serialised by the same camelCase
aliases, unset fields omitted. A field a class does not declare is a ``TypeError`` at
construction, so a typo cannot produce a silently wrong manifest. The tests hold the two
in line: every emitted file validates against the JSON Schema generated from hera's
models (``schemas/argo``) and round-trips through them unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar


def _alias(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _dump(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


class Model:
    """Keyword fields from ``FIELDS``; ``to_dict`` gives the Kubernetes JSON form."""

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **fields: Any) -> None:
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {sorted(unknown)}")
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self.FIELDS:
            raise AttributeError(name)
        return self._fields.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_fields":
            object.__setattr__(self, name, value)
        elif name in self.FIELDS:
            self._fields[name] = value
        else:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """Set fields only, keys in alphabetical order of their aliases (as hera dumps)."""
        items = [(_alias(k), _dump(v)) for k, v in self._fields.items() if v is not None]
        return dict(sorted(items))


class ObjectMeta(Model):
    FIELDS = (
        "name",
        "generate_name",
        "namespace",
        "labels",
        "annotations",
    )


class Parameter(Model):
    FIELDS = (
        "name",
        "value",
        "description",
        "value_from",
        "default",
        "enum",
    )


class ValueFrom(Model):
    FIELDS = (
        "path",
        "expression",
        "parameter",
        "default",
    )


class Arguments(Model):
    FIELDS = ("parameters",)


class Inputs(Model):
    FIELDS = ("parameters",)


class Outputs(Model):
    FIELDS = ("parameters",)


class Sequence(Model):
    FIELDS = (
        "count",
        "start",
        "end",
    )


class DAGTask(Model):
    FIELDS = (
        "name",
        "template",
        "depends",
        "when",
        "arguments",
        "with_sequence",
        "with_param",
    )


class DAGTemplate(Model):
    FIELDS = (
        "tasks",
        "fail_fast",
    )


class EnvVar(Model):
    FIELDS = (
        "name",
        "value",
    )


class SecretEnvSource(Model):
    FIELDS = ("name",)


class EnvFromSource(Model):
    FIELDS = ("secret_ref",)


class ResourceRequirements(Model):
    FIELDS = (
        "requests",
        "limits",
    )


class Backoff(Model):
    FIELDS = (
        "duration",
        "factor",
        "max_duration",
    )


class RetryStrategy(Model):
    FIELDS = (
        "limit",
        "retry_policy",
        "backoff",
    )


class ContainerPort(Model):
    FIELDS = ("container_port",)


class Container(Model):
    FIELDS = (
        "ports",
        "image_pull_policy",
        "image",
        "command",
        "args",
        "env",
        "env_from",
        "resources",
        "working_dir",
    )


class Metadata(Model):
    FIELDS = ("labels", "annotations")


class ResourceTemplate(Model):
    FIELDS = (
        "action",
        "manifest",
        "set_owner_reference",
        "success_condition",
        "failure_condition",
    )


class Template(Model):
    FIELDS = (
        "name",
        "metadata",
        "inputs",
        "outputs",
        "dag",
        "container",
        "resource",
        "retry_strategy",
        "active_deadline_seconds",
        "node_selector",
        "tolerations",
        "service_account_name",
    )


class WorkflowSpec(Model):
    FIELDS = (
        "workflow_metadata",
        "parallelism",
        "active_deadline_seconds",
        "priority",
        "entrypoint",
        "on_exit",
        "arguments",
        "templates",
        "service_account_name",
    )


class CronWorkflowSpec(Model):
    FIELDS = (
        "schedules",
        "timezone",
        "workflow_spec",
    )


class WorkflowTemplate(Model):
    FIELDS = (
        "api_version",
        "kind",
        "metadata",
        "spec",
    )


class Workflow(Model):
    FIELDS = (
        "api_version",
        "kind",
        "metadata",
        "spec",
    )


class CronWorkflow(Model):
    FIELDS = (
        "api_version",
        "kind",
        "metadata",
        "spec",
    )
