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
from flowc.analyzer._config_reader import ConfigProblem, Pending
from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.analyzer._spans import location_of, span_of
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Config
from flowc.sources import find_beside_flow

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


_BUILTINS: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "len": len,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "sorted": sorted,
    "list": list,
    "dict": dict,
}
_STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "replace", "split"}
)
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


@dataclass
class ConfigScope:
    """The resolved configs of one flow, for evaluating class-level config expressions."""

    configs: list[Config]
    pending: set[str]
    config_expr_names: set[str]

    def __post_init__(self) -> None:
        self._by_attribute = {c.attribute: c for c in self.configs}
        self._by_name = {c.name: c for c in self.configs}

    def mentions(self, node: ast.AST) -> bool:
        """Whether ``node`` reads a config (by attribute name or through ``config_expr``)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self._by_attribute:
                return True
            if self._is_config_expr(sub):
                return True
        return False

    def _is_config_expr(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in self.config_expr_names
        )

    def evaluate(self, node: ast.expr) -> Any:
        """The JSON value of ``node``; raises :class:`ConfigProblem` or :class:`Pending`."""
        return self._eval(node, self._by_attribute)

    def _value_of(self, config: Config) -> Any:
        if config.name in self.pending:
            raise Pending(config.name)
        return config.value

    def _eval(self, node: ast.expr, names: Mapping[str, Config]) -> Any:
        try:
            return literal_value(node)
        except NotLiteral:
            pass
        if isinstance(node, ast.Name):
            if node.id in names:
                return self._value_of(names[node.id])
            if node.id in _BUILTINS:
                return _BUILTINS[node.id]
            raise ConfigProblem(f"`{node.id}` is not a config of this flow", node)
        if self._is_config_expr(node):
            assert isinstance(node, ast.Call)
            return self._config_expr(node)
        if isinstance(node, ast.Attribute):
            base = self._eval(node.value, names)
            return _lookup(base, node.attr, node, attribute=True)
        if isinstance(node, ast.Subscript):
            base = self._eval(node.value, names)
            return _lookup(base, self._eval(node.slice, names), node, attribute=False)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self._eval(e, names) for e in node.elts]
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, item in zip(node.keys, node.values, strict=True):
                value = self._eval(item, names)
                if key is None:
                    if not isinstance(value, Mapping):
                        raise ConfigProblem("** of a value that is not a mapping", item)
                    out.update(value)
                else:
                    out[self._eval(key, names)] = value
            return out
        inside_expr = names is self._by_name
        if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call)) and not inside_expr:
            # At class level Python itself would compute this while importing the flow,
            # on a config that has no value yet: only config_expr("...") defers it.
            raise ConfigProblem(
                f"`{ast.unparse(node)}` computes with a config at class level; "
                f'write it as config_expr("{ast.unparse(node)}")',
                node,
            )
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self._eval(node.left, names), self._eval(node.right, names)
            return self._apply(_BINARY[type(node.op)], (left, right), node)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    spec = self._eval(part.format_spec, names) if part.format_spec else ""
                    parts.append(format(self._eval(part.value, names), spec))
                else:
                    parts.append(str(self._eval(part, names)))
            return "".join(parts)
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node, names)
        raise ConfigProblem(
            f"`{ast.unparse(node)}` cannot be evaluated at compile time "
            "(only config reads, literals, arithmetic and simple builtins can)",
            node,
        )

    def _call(self, node: ast.Call, names: Mapping[str, Config]) -> Any:
        args = [self._eval(a, names) for a in node.args]
        if isinstance(node.func, ast.Attribute):
            target = self._eval(node.func.value, names)
            if isinstance(target, str) and node.func.attr in _STRING_METHODS:
                return self._apply(getattr(target, node.func.attr), args, node)
            raise ConfigProblem(f"`{ast.unparse(node.func)}` cannot be called here", node)
        function = self._eval(node.func, names)
        if function not in _BUILTINS.values():
            raise ConfigProblem(f"`{ast.unparse(node.func)}` cannot be called here", node)
        return self._apply(function, args, node)

    @staticmethod
    def _apply(function: Any, args: Any, node: ast.AST) -> Any:
        try:
            return function(*args)
        except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
            raise ConfigProblem(f"`{ast.unparse(node)}` fails: {exc}", node) from None

    def _config_expr(self, node: ast.Call) -> Any:
        if len(node.args) != 1 or node.keywords:
            raise ConfigProblem("config_expr() takes one string", node)
        try:
            text = literal_value(node.args[0])
        except NotLiteral:
            text = None
        if not isinstance(text, str):
            raise ConfigProblem("config_expr() needs a literal string", node)
        try:
            parsed = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ConfigProblem(
                f"config_expr({text!r}) is not an expression: {exc.msg}", node
            ) from None
        try:
            return self._eval(parsed, self._by_name)
        except ConfigProblem as exc:
            raise ConfigProblem(f"config_expr({text!r}): {exc}", node) from None


def _lookup(base: Any, key: Any, node: ast.AST, attribute: bool) -> Any:
    if base is None:
        where = ast.unparse(node.value) if isinstance(node, (ast.Attribute, ast.Subscript)) else ""
        raise ConfigProblem(f"`{where}` has no value (the config is not set)", node)
    if isinstance(base, Mapping):
        if key in base:
            return base[key]
        where = ast.unparse(node.value) if isinstance(node, (ast.Attribute, ast.Subscript)) else ""
        raise ConfigProblem(f"`{where}` has no key {key!r}", node)
    if isinstance(base, list) and not attribute and isinstance(key, int):
        if -len(base) <= key < len(base):
            return base[key]
        raise ConfigProblem(f"index {key} is out of range", node)
    raise ConfigProblem(
        f"`{ast.unparse(node)}`: a {type(base).__name__} has no "
        f"{'attribute' if attribute else 'item'} {key!r}",
        node,
    )


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
            name = _literal(node.value.args[0]) if node.value.args else None
            for kw in node.value.keywords:
                if kw.arg == "name":
                    name = _literal(kw.value)
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
    name = _literal(args.get("name"))
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
    plain = _literal(args.get("plain")) is True
    required = _literal(args.get("required")) is True
    reader = _Reader(name, ref, args, plain, out)
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
        path = _literal(args["default"])
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
        origin, path, outcome = "none", None, _Outcome(None)
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


@dataclass
class _Outcome:
    value: Any
    pending: dict[str, Any] | None = None
    failed: bool = False


_FAILED = _Outcome(None, None, True)


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return None
    try:
        return literal_value(node)
    except NotLiteral:
        return NotLiteral


@dataclass
class _Reader:
    """Turns one config's text or default into a value, reporting at the right node."""

    name: str
    ref: ClassRef
    args: dict[str, ast.expr]
    plain: bool
    out: list[Diagnostic]

    @property
    def file(self) -> str:
        return self.ref.module.path

    def read_file(self, path: str, node: ast.AST, what: str) -> _Outcome:
        found = find_beside_flow(path, self.file)
        if found is None:
            self.out.append(
                diag(
                    codes.FC131,
                    f"config `{self.name}`: {what} {path!r} cannot be read",
                    span_of(self.file, node),
                    "paths are relative to the working directory (or the flow file's folder)",
                )
            )
            return _FAILED
        try:
            with open(found, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.out.append(
                diag(
                    codes.FC131,
                    f"config `{self.name}`: cannot read {path!r}: {exc}",
                    span_of(self.file, node),
                    "check the file is readable UTF-8 text",
                )
            )
            return _FAILED
        return self.parse(text, node)

    def parse(self, text: str, node: ast.AST) -> _Outcome:
        parser = self.args.get("parser")
        if parser is None:
            if self.plain:
                return _Outcome(text)
            try:
                return _Outcome(json.loads(text))
            except ValueError as exc:
                return self._invalid(f"is not valid JSON: {exc}", node)
        dotted = self._parser_name(parser)
        if dotted is None:
            self._pending_note(parser, "parser=")
            return _Outcome(None, {"text": text})
        function = _import(dotted)
        if function is None:
            self.out.append(
                diag(
                    codes.FC132,
                    f"config `{self.name}`: parser {dotted!r} cannot be imported by the compiler",
                    span_of(self.file, parser),
                    "install the parser's package where flowc runs, or name an importable function",
                )
            )
            return _FAILED
        try:
            value = function(text)
        except Exception as exc:
            return self._invalid(f"parser {dotted!r} failed: {exc}", node)
        if not self.plain and not isinstance(value, Mapping):
            return self._invalid(
                f"parser {dotted!r} returned a {type(value).__name__}, not a mapping", node
            )
        return self._jsonable(value, node)

    def default_value(self, node: ast.expr) -> _Outcome:
        value = _literal(node)
        if value is NotLiteral and isinstance(node, ast.Name):
            bound = _module_binding(self.ref, node.id)
            if isinstance(bound, (ast.FunctionDef, ast.Lambda)):
                self._pending_note(node, "default_value=")
                return _Outcome(None, {"default_value": True})
            if isinstance(bound, ast.expr):
                value = _literal(bound)
        elif isinstance(node, ast.Lambda):
            self._pending_note(node, "default_value=")
            return _Outcome(None, {"default_value": True})
        if value is NotLiteral:
            self.out.append(
                diag(
                    codes.FC130,
                    f"config `{self.name}`: default_value= "
                    f"`{source_of(self.ref.module.source, node)}` "
                    "is neither a literal nor a function of the flow file",
                    span_of(self.file, node),
                    "write the value as a literal (or a module-level name bound to one)",
                )
            )
            return _FAILED
        if isinstance(value, str):
            return self.parse(value, node)
        return _Outcome(value)

    def _parser_name(self, node: ast.expr) -> str | None:
        """The dotted name of a library parser, or None for a function of the flow file."""
        text = _literal(node)
        if isinstance(text, str):
            return "metaflow" + text if text.startswith(".") else text
        dotted = _dotted_import(self.ref, node)
        return dotted

    def _pending_note(self, node: ast.expr, what: str) -> None:
        self.out.append(
            diag(
                codes.FC135,
                f"config `{self.name}`: {what}`{source_of(self.ref.module.source, node)}` is a "
                "function of the flow file; the run's start task evaluates it, so the config "
                "cannot be read in decorator arguments or parameter defaults",
                span_of(self.file, node),
                'use JSON or a library parser name (parser="yaml.safe_load") to resolve '
                "it at compile time",
            )
        )

    def _invalid(self, why: str, node: ast.AST) -> _Outcome:
        self.out.append(
            diag(
                codes.FC132,
                f"config `{self.name}` {why}",
                span_of(self.file, node),
                "fix the config's text, or give it a parser= that reads it",
            )
        )
        return _FAILED

    def _jsonable(self, value: Any, node: ast.AST) -> _Outcome:
        try:
            return _Outcome(json.loads(json.dumps(value)))
        except (TypeError, ValueError) as exc:
            return self._invalid(f"has a value that is not JSON data: {exc}", node)


def _import(dotted: str) -> Any:
    import importlib

    module, _, function = dotted.rpartition(".")
    if not module:
        return None
    try:
        found = getattr(importlib.import_module(module), function, None)
    except Exception:  # an unimportable parser is reported, whatever the import raised
        return None
    return found if callable(found) else None


def _module_binding(ref: ClassRef, name: str) -> ast.expr | ast.FunctionDef | None:
    """What a module-level ``name`` is bound to: a def, or the value of its last assignment."""
    found: ast.expr | ast.FunctionDef | None = None
    for node in ref.module.tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            found = node.value
    return found


def _dotted_import(ref: ClassRef, node: ast.expr) -> str | None:
    """``yaml.safe_load`` for ``safe_load`` (``from yaml import safe_load``) or ``yaml.safe_load``
    (``import yaml``); None for anything defined in the flow file."""
    if isinstance(node, ast.Name):
        spec = ref.module.names.foreign.get(node.id)
        if spec is not None and spec[2] == 0 and spec[0]:
            return f"{spec[0]}.{spec[1]}"
        return None
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and parts:
        imported = _imported_modules(ref).get(node.id)
        if imported is not None:
            return ".".join([imported, *reversed(parts)])
    return None


def _imported_modules(ref: ClassRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in ref.module.tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = (
                    alias.asname and alias.name
                ) or alias.name.split(".")[0]
    return found
