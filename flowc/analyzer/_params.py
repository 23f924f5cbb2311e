"""Reading ``Parameter(...)`` and ``IncludeFile(...)`` class attributes."""

from __future__ import annotations

import ast
import re
from typing import Any

from flowc import codes
from flowc.analyzer._classes import ClassRef
from flowc.analyzer._config_reader import ConfigReader, ConfigUnresolved
from flowc.analyzer._decorators import location_of, span_of
from flowc.analyzer._literals import NotLiteral, source_of
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Parameter, ParamType

_TYPE_NAMES: dict[str, ParamType] = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "JSONType": "json",
}
_PARAM_ARGS = ("name", "default", "type", "help", "required", "show_default", "separator")
_INCLUDE_ARGS = (
    "name",
    "default",
    "is_text",
    "encoding",
    "required",
    "help",
    "show_default",
    "parser",
)
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def parameter_call(value: ast.expr, ref: ClassRef) -> str | None:
    """ "Parameter" or "IncludeFile" if ``value`` constructs one."""
    if isinstance(value, ast.Call):
        name = ref.module.names.canonical(value.func)
        if name in ("Parameter", "IncludeFile"):
            return name
    return None


def read_parameter(
    attribute: str, call: ast.Call, kind: str, ref: ClassRef, out: list[Diagnostic]
) -> Parameter | None:
    file, source = ref.module.path, ref.module.source
    allowed = _PARAM_ARGS if kind == "Parameter" else _INCLUDE_ARGS
    args: dict[str, ast.expr] = {}
    for index, positional in enumerate(call.args):
        if index < len(allowed):
            args[allowed[index]] = positional
    for kw in call.keywords:
        if kw.arg is None:
            out.append(
                diag(
                    codes.FC202, f"{kind}(**...) cannot be read statically", span_of(file, kw.value)
                )
            )
        elif kw.arg not in allowed:
            out.append(
                diag(
                    codes.FC206,
                    f"{kind}() has no argument `{kw.arg}`",
                    span_of(file, kw),
                    f"valid arguments: {', '.join(allowed)}",
                )
            )
        else:
            args[kw.arg] = kw.value
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    configs = ConfigReader(ref.module.config_scope, file, source, out)
    for key, node in args.items():
        if key == "type":
            continue
        try:
            values[key] = configs.value(node)
        except ConfigUnresolved:
            sources[key] = source_of(source, node)
        except NotLiteral:
            sources[key] = source_of(source, node)
            if key != "name":
                out.append(
                    diag(
                        codes.FC202,
                        f"{kind} `{attribute}`: {key}= is not a literal; "
                        f"kept as source text `{sources[key]}`",
                        span_of(file, node),
                        "use a literal so every target can show and validate it",
                    )
                )
    name = values.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        where = args.get("name", call)
        out.append(
            diag(
                codes.FC209,
                f"{kind} `{attribute}` needs a literal name made of letters, digits, '_' and '-'",
                span_of(file, where),
                f'write {kind}("{attribute}", ...)',
            )
        )
        return None
    ptype = _read_type(kind, attribute, args.get("type"), values, ref, out)
    default = values.get("default")
    has_default = "default" in args
    if ptype == "json" and isinstance(default, str):
        import json  # rare: only JSONType parameters with a string default

        try:
            default = json.loads(default)
        except ValueError:
            out.append(
                diag(
                    codes.FC205,
                    f"the default of JSON parameter `{name}` is not valid JSON",
                    span_of(file, args["default"]),
                    """write the default as a JSON string, e.g. '{"a": 1}'""",
                )
            )
    elif has_default and "default" not in sources and default is not None:
        _check_default_type(name, ptype, default, span_node=args["default"], file=file, out=out)
    required = values.get("required")
    return Parameter(
        attribute=attribute,
        name=name,
        type=ptype,
        default=default,
        has_default=(has_default and default is not None) or "default" in sources,
        required=bool(required) if isinstance(required, bool) else False,
        help=values.get("help") if isinstance(values.get("help"), str) else None,
        separator=values.get("separator") if isinstance(values.get("separator"), str) else None,
        is_include_file=kind == "IncludeFile",
        default_source=sources.get("default"),
        location=location_of(file, call),
    )


def _read_type(
    kind: str,
    attribute: str,
    node: ast.expr | None,
    values: dict[str, Any],
    ref: ClassRef,
    out: list[Diagnostic],
) -> ParamType:
    if kind == "IncludeFile":
        return "str"
    if node is None:
        default = values.get("default")
        if isinstance(default, bool):
            return "bool"
        if isinstance(default, int):
            return "int"
        if isinstance(default, float):
            return "float"
        if isinstance(default, (dict, list)):
            return "json"
        return "str"
    name = None
    if isinstance(node, ast.Name):
        name = node.id
    if ref.module.names.canonical(node) == "JSONType":
        name = "JSONType"
    if name in _TYPE_NAMES:
        return _TYPE_NAMES[name]
    out.append(
        diag(
            codes.FC205,
            f"parameter `{attribute}` has type "
            f"`{source_of(ref.module.source, node)}`; supported types are str, int, "
            "float, bool and JSONType",
            span_of(ref.module.path, node),
            "use type=JSONType for lists and dicts",
        )
    )
    return "str"


def _check_default_type(
    name: str, ptype: ParamType, default: Any, span_node: ast.expr, file: str, out: list[Diagnostic]
) -> None:
    ok = {
        "str": isinstance(default, str),
        "int": isinstance(default, int) and not isinstance(default, bool),
        "float": isinstance(default, (int, float)) and not isinstance(default, bool),
        "bool": isinstance(default, bool),
        "json": True,
    }[ptype]
    if not ok:
        out.append(
            diag(
                codes.FC205,
                f"the default {default!r} of parameter `{name}` is not "
                f"{'an' if ptype == 'int' else 'a'} {ptype}",
                span_of(file, span_node),
                f"give a {ptype} default or change type=",
            )
        )
