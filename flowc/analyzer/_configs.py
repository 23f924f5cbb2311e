"""Reading ``Config(...)`` class attributes and resolving their values at compile time.

A config is data, so the compiler resolves it without importing the flow: the value given
with ``--config-value NAME JSON`` or ``--config NAME PATH`` (or Metaflow's environment
variables ``METAFLOW_FLOW_CONFIG_VALUE`` / ``METAFLOW_FLOW_CONFIG``, JSON maps from name to
value or path), else the ``default=`` file, else ``default_value=`` (a literal, or a
module-level name bound to one). The text is parsed as JSON, or with ``parser=`` when
that is a dotted name of an importable library function (``"yaml.safe_load"``, imported in
the compiler's own environment; never the flow).

What the compiler cannot evaluate is a function of the flow file (``parser=my_parser``,
``default_value=my_function``): the config is then *pending*, FC135 says so at the line,
and the run's start task evaluates it with the flow's own function. Such a config cannot
be used in a decorator argument or a parameter default the compiler has to read.

Class-level uses (``cfg.a.b``, ``cfg["a"]``, ``config_expr("str(cfg.a)")``, ``**cfg``)
are evaluated by :class:`ConfigScope` over the resolved values: attribute and item
access, literals, a few pure builtins and string methods, arithmetic, f-strings.

This module finds the ``Config(...)`` attributes and chooses where each value comes from;
``_config_text.py`` turns that text or default into a value, ``_config_scope.py``
evaluates the class-level expressions.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowc import codes
from flowc.analyzer._classes import ClassRef, FlowClass
from flowc.analyzer._config_scope import ConfigScope
from flowc.analyzer._config_text import Outcome, ValueReader, literal_or_marker
from flowc.analyzer._spans import location_of, span_of
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Config

__all__ = ["CONFIG_ENV", "CONFIG_VALUE_ENV", "ConfigInputs", "ConfigScope", "read_configs"]

_CONFIG_ARGS = ("name", "default", "default_value", "help", "required", "parser", "plain")
CONFIG_ENV = "METAFLOW_FLOW_CONFIG"
CONFIG_VALUE_ENV = "METAFLOW_FLOW_CONFIG_VALUE"


@dataclass(frozen=True)
class ConfigInputs:
    """Config values given from outside the flow: ``{name: path}`` and ``{name: JSON text}``."""

    paths: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def gather(
        cls,
        paths: tuple[tuple[str, str], ...] = (),
        values: tuple[tuple[str, str], ...] = (),
        environ: Mapping[str, str] | None = None,
    ) -> ConfigInputs:
        """The command line's ``--config``/``--config-value`` over Metaflow's environment
        variables; raises ``ValueError`` when a variable is not a JSON object."""
        env = os.environ if environ is None else environ
        found_paths = {k: str(v) for k, v in _env_map(env, CONFIG_ENV).items()}
        found_values = {k: json.dumps(v) for k, v in _env_map(env, CONFIG_VALUE_ENV).items()}
        if paths or values:  # the command line replaces the environment, as in Metaflow
            found_paths, found_values = dict(paths), dict(values)
        return cls(found_paths, found_values)


def _env_map(env: Mapping[str, str], variable: str) -> dict[str, Any]:
    text = env.get(variable)
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"${variable} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"${variable} must be a JSON object from config name to value")
    return data


def is_config_call(value: ast.expr, ref: ClassRef) -> bool:
    return isinstance(value, ast.Call) and ref.module.names.canonical(value.func) == "Config"


def read_configs(flow: FlowClass, inputs: ConfigInputs, out: list[Diagnostic]) -> ConfigScope:
    """Every ``Config`` of the flow (a subclass's hides its bases'), resolved."""
    configs: list[Config] = []
    pending: set[str] = set()
    seen: set[str] = set()
    declared: set[str] = set()  # every literal name, even of a config that failed
    for cls in flow.mro:
        for node in cls.node.body:
            if not (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                continue
            attribute = node.targets[0].id
            if attribute in seen or not is_config_call(node.value, cls):
                continue
            seen.add(attribute)
            assert isinstance(node.value, ast.Call)
            name = literal_or_marker(node.value.args[0]) if node.value.args else None
            for kw in node.value.keywords:
                if kw.arg == "name":
                    name = literal_or_marker(kw.value)
            if isinstance(name, str):
                declared.add(name)
            found = _read_config(attribute, node.value, cls, inputs, out)
            if found is not None:
                config, is_pending = found
                configs.append(config)
                if is_pending:
                    pending.add(config.name)
    for name in sorted({*inputs.paths, *inputs.values} - declared):
        out.append(
            diag(
                codes.FC136,
                f"a value is given for config `{name}`, which the flow does not declare",
                span_of(flow.ref.module.path, flow.ref.node),
                f"the flow's configs: {', '.join(sorted(declared)) or 'none'}",
            )
        )
    expr_names = {
        local
        for local, canonical in flow.ref.module.names.names.items()
        if canonical == "config_expr"
    } | {"config_expr"}
    return ConfigScope(configs, pending, expr_names)


def _read_config(
    attribute: str, call: ast.Call, ref: ClassRef, inputs: ConfigInputs, out: list[Diagnostic]
) -> tuple[Config, bool] | None:
    file = ref.module.path
    args: dict[str, ast.expr] = {}
    for index, positional in enumerate(call.args):
        if index < len(_CONFIG_ARGS):
            args[_CONFIG_ARGS[index]] = positional
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in _CONFIG_ARGS:
            out.append(
                diag(
                    codes.FC130,
                    f"Config() has no argument `{kw.arg}`"
                    if kw.arg
                    else "Config(**...) cannot be read statically",
                    span_of(file, kw),
                    f"valid arguments: {', '.join(_CONFIG_ARGS)}",
                )
            )
            continue
        args[kw.arg] = kw.value
    name = literal_or_marker(args.get("name"))
    if not isinstance(name, str) or not name:
        out.append(
            diag(
                codes.FC130,
                f"Config `{attribute}` needs a literal name",
                span_of(file, args.get("name", call)),
                f'write Config("{attribute}", ...)',
            )
        )
        return None
    if "default" in args and "default_value" in args:
        out.append(
            diag(
                codes.FC130,
                f"config `{name}`: give default= (a file) or default_value=, not both",
                span_of(file, call),
                "keep one of them",
            )
        )
        return None
    plain = literal_or_marker(args.get("plain")) is True
    required = literal_or_marker(args.get("required")) is True
    reader = ValueReader(name, ref, args, plain, out)
    if name in inputs.paths and name in inputs.values:
        out.append(
            diag(
                codes.FC133,
                f"config `{name}` is given both as a file and as a value",
                span_of(file, call),
                "pass --config or --config-value for it, not both",
            )
        )
        return None
    if name in inputs.values:
        origin, path, outcome = "value", None, reader.parse(inputs.values[name], call)
    elif name in inputs.paths:
        path = inputs.paths[name]
        origin, outcome = "file", reader.read_file(path, call, "--config file")
    elif "default" in args:
        path = literal_or_marker(args["default"])
        if not isinstance(path, str):
            out.append(
                diag(
                    codes.FC130,
                    f"config `{name}`: default= must be a literal file path",
                    span_of(file, args["default"]),
                    "write the path as a string, or use default_value=",
                )
            )
            return None
        origin, outcome = "default", reader.read_file(path, args["default"], "default file")
    elif "default_value" in args:
        origin, path, outcome = "default_value", None, reader.default_value(args["default_value"])
    else:
        origin, path, outcome = "none", None, Outcome(None)
        if required:
            out.append(
                diag(
                    codes.FC133,
                    f"config `{name}` is required but has no value",
                    span_of(file, call),
                    f"pass --config {name} PATH or --config-value {name} JSON",
                )
            )
    if outcome.failed:
        return None
    config = Config(
        attribute=attribute,
        name=name,
        value=outcome.value,
        pending=outcome.pending,
        origin=origin,
        path=path,
        plain=plain,
        location=location_of(file, call),
    )
    return config, outcome.pending is not None
