"""Parameter values of a run: computed by the start task, read by every other task."""

from __future__ import annotations

import json
import time

from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore
from runtime_shim.parameters import Parameter, ParameterError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def declared_parameters(cls: type[Any]) -> dict[str, Parameter]:
    """``{attribute: Parameter}`` of a flow class (including inherited ones)."""
    found: dict[str, Parameter] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, Parameter):
                found[attr] = value
    return found


def parameter_values(cls: type[Any], given: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """``{attribute: (name, value)}`` from overrides (keyed by name or attribute) and
    defaults; raises ParameterError naming the parameter."""
    declared = declared_parameters(cls)
    by_name = {p.name: attr for attr, p in declared.items()}
    unknown = [k for k in given if k not in by_name and k not in declared]
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; the flow declares "
            f"{', '.join(sorted(by_name)) or 'none'}"
        )
    values: dict[str, tuple[str, Any]] = {}
    for attr, param in declared.items():
        if param.name in given or attr in given:
            raw = given[param.name] if param.name in given else given[attr]
            value = param.read(str(raw)) if param.IS_INCLUDE_FILE else param.convert(raw)  # type: ignore[attr-defined]
        else:
            default = param.default
            if default is None and param.required:
                raise ParameterError(f"parameter {param.name!r} is required but was not given")
            if param.IS_INCLUDE_FILE and default is not None:
                value = param.read(str(default))  # type: ignore[attr-defined]
            else:
                value = param.default_value()
        values[attr] = (param.name, value)
    return values


def parameter_refs(
    ds: FlowDatastore, cls: type[Any], spec: Any
) -> tuple[dict[str, Any], dict[str, ArtifactRef]]:
    """The run record and ``{attribute: ArtifactRef}`` of the parameters."""
    record = ds.read_run(spec.run_id)
    if record is None or "parameter_artifacts" not in record:
        if spec.inputs != "none":
            raise RuntimeError(
                f"run {spec.run_id} has no run record: the start step must run first"
            )
        values = parameter_values(cls, spec.params)
        refs = {attr: ds.save_value(value) for attr, (_name, value) in values.items()}
        fresh = dict(record or {})
        fresh.update(
            {
                "flow": spec.flow,
                "run_id": spec.run_id,
                "parameters": {name: _jsonable(value) for name, value in values.values()},
                "parameter_artifacts": {a: r.to_json() for a, r in refs.items()},
            }
        )
        fresh.setdefault("created", time.time())
        fresh.setdefault("tags", [])
        fresh.setdefault("system_tags", run_system_tags(cls))
        if spec.origin_run_id:
            fresh.setdefault("origin_run_id", spec.origin_run_id)
        if record is None:
            ds.write_run(spec.run_id, fresh, if_absent=True)
        else:
            ds.write_run(spec.run_id, fresh, if_absent=False)
        stored = ds.read_run(spec.run_id) or fresh
        record = stored
    refs = {a: ArtifactRef.from_json(r) for a, r in record["parameter_artifacts"].items()}
    return record, refs


def run_system_tags(cls: type[Any]) -> list[str]:
    """The system tags of a run of ``cls`` started by this process's user."""
    from runtime_shim.identity import get_username
    from runtime_shim.tags import system_tags

    project = (getattr(cls, "_flowc_flow_decorators", {}).get("project") or {}).get("name")
    return system_tags(get_username(), project, None)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
