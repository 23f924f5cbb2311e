"""Parameter values of a run: computed by the start task, read by every other task."""

from __future__ import annotations

import json
import os
import time

from runtime_shim.configs import (
    ConfigError,
    ConfigValue,
    activate,
    declared_configs,
    pending_value,
    wrap,
)
from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore
from runtime_shim.identity import get_username
from runtime_shim.parameters import (
    Parameter,
    ParameterContext,
    ParameterError,
    environment_default,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# FlowSpec members that are never constants (Metaflow's ``_NON_PARAMETERS``).
NON_PARAMETERS = frozenset({"cmd", "foreach_stack", "index", "input", "script_name", "name"})


def declared_parameters(cls: type[Any]) -> dict[str, Parameter]:
    """``{attribute: Parameter}`` of a flow class (including inherited ones)."""
    found: dict[str, Parameter] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, Parameter):
                found[attr] = value
    return found


def parameter_values(
    cls: type[Any], given: dict[str, Any], context: Callable[[str], Any] | None = None
) -> dict[str, tuple[str, Any]]:
    """``{attribute: (name, value)}`` from overrides (keyed by name or attribute),
    ``METAFLOW_RUN_<NAME>`` variables and defaults; raises ParameterError naming the
    parameter. ``context(name)`` builds what a callable default receives."""
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
        from_env = environment_default(param.name)
        if param.name in given or attr in given or from_env is not None:
            if param.name in given:
                raw = given[param.name]
            elif attr in given:
                raw = given[attr]
            else:
                raw = from_env
            value = param.read(str(raw)) if param.IS_INCLUDE_FILE else param.convert(raw)  # type: ignore[attr-defined]
        else:
            default = param.default
            if default is None and param.required:
                raise ParameterError(f"parameter {param.name!r} is required but was not given")
            if param.IS_INCLUDE_FILE and default is not None:
                value = param.read(str(default))  # type: ignore[attr-defined]
            else:
                value = param.default_value(context(param.name) if context else None)
        values[attr] = (param.name, value)
    return values


def class_constants(cls: type[Any], skip: set[str]) -> dict[str, Any]:
    """The flow's class-level constants (``LIMIT = 3``), which Metaflow stores as
    artifacts of every task: public, not a parameter or config, not a method, property
    or class. A value that cannot be stored is left out."""
    import pickle
    from types import FunctionType, MethodType

    found: dict[str, Any] = {}
    for name in dir(cls):
        if name[0] == "_" or name in NON_PARAMETERS or name in skip:
            continue
        value = getattr(cls, name)
        if isinstance(value, (MethodType, FunctionType, property, type, staticmethod, classmethod)):
            continue
        if callable(value):
            continue
        try:
            pickle.dumps(value)
        except Exception:  # Metaflow would fail the run; flowc keeps running without it
            continue
        found[name] = value
    return found


def frozen_names(cls: type[Any]) -> frozenset[str]:
    """The attributes a step may not assign: parameters, configs and class constants."""
    cached: frozenset[str] | None = cls.__dict__.get("_flowc_frozen")
    if cached is None:
        names = {*declared_parameters(cls), *declared_configs(cls)}
        names |= set(class_constants(cls, names))
        cached = frozenset(names)
        cls._flowc_frozen = cached
    return cached


def run_configs(cls: type[Any], spec: Any) -> dict[str, Any]:
    """The run's configs by name: what the compiler resolved (``spec.configs``), with the
    pending ones evaluated by the flow's own functions."""
    entries: dict[str, Any] = dict(spec.configs or {})
    values: dict[str, Any] = {}
    for config in declared_configs(cls).values():
        entry = entries.get(config.name)
        if entry is None:
            # A config the compiler did not see (e.g. a task started by hand): its default.
            entry = {"default_value": True} if config.default_value is not None else {"value": None}
        context = _context(spec, config.name, None)
        try:
            values[config.name] = pending_value(config, entry, context)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"config {config.name!r} cannot be evaluated: {exc!r}") from exc
    return values


def _context(spec: Any, name: str, configs: Any) -> ParameterContext:
    return ParameterContext(
        flow_name=spec.flow,
        user_name=get_username(),
        parameter_name=name,
        ds_type="s3" if str(spec.datastore).startswith("s3://") else "local",
        configs=configs,
    )


def parameter_refs(
    ds: FlowDatastore,
    cls: type[Any],
    spec: Any,
    configs_active: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], dict[str, ArtifactRef]]:
    """The run record and ``{attribute: ArtifactRef}`` of the parameters, configs and
    class constants. Activates the run's configs for the task
    (``runtime_shim.configs.activate``) and calls ``configs_active`` before any default
    that reads them is computed."""
    record = ds.read_run(spec.run_id)
    if record is None or "parameter_artifacts" not in record:
        if spec.inputs != "none":
            raise RuntimeError(
                f"run {spec.run_id} has no run record: the start step must run first"
            )
        configs = run_configs(cls, spec)
        activate(configs)
        if configs_active is not None:
            configs_active()
        wrapped = ConfigValue({k: wrap(k, v) for k, v in configs.items()})
        values = parameter_values(cls, spec.params, lambda name: _context(spec, name, wrapped))
        refs = {attr: ds.save_value(value) for attr, (_name, value) in values.items()}
        declared = declared_configs(cls)
        for attr, config in declared.items():
            refs[attr] = ds.save_value(configs[config.name])
        for attr, value in class_constants(cls, {*values, *declared}).items():
            refs[attr] = ds.save_value(value)
        fresh = dict(record or {})
        fresh.update(
            {
                "flow": spec.flow,
                "run_id": spec.run_id,
                "parameters": {name: _jsonable(value) for name, value in values.values()},
                "configs": {name: _jsonable(value) for name, value in configs.items()},
                "parameter_artifacts": {a: r.to_json() for a, r in refs.items()},
            }
        )
        fresh.setdefault("created", time.time())
        # A deployed run's user tags come with its start task (the deployment's --tag).
        from runtime_shim.tags import deployment_tags

        fresh.setdefault("tags", deployment_tags(os.environ))
        fresh.setdefault("system_tags", run_system_tags(cls))
        if spec.origin_run_id:
            fresh.setdefault("origin_run_id", spec.origin_run_id)
        if record is None:
            ds.write_run(spec.run_id, fresh, if_absent=True)
        else:
            ds.write_run(spec.run_id, fresh, if_absent=False)
        stored = ds.read_run(spec.run_id) or fresh
        record = stored
    activate(record.get("configs") or {})
    refs = {a: ArtifactRef.from_json(r) for a, r in record["parameter_artifacts"].items()}
    return record, refs


def run_system_tags(cls: type[Any]) -> list[str]:
    """The system tags of a run of ``cls`` started by this process's user."""
    from runtime_shim.decorators import flow_decorators
    from runtime_shim.identity import get_username
    from runtime_shim.tags import system_tags

    # Resolved (the project's name may come from a config, active by now).
    project = (flow_decorators(cls).get("project") or {}).get("name")
    return system_tags(get_username(), project, None)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
