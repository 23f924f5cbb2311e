"""A flow parameter's value, from the command line or from Python, checked against the
flow's declaration before a run starts; one converter for ``flowc run`` and ``trigger``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from flowc.deploy._model import ParameterInfo, ParameterValueError

_TRUE = ("true", "1", "yes", "y", "on")
_FALSE = ("false", "0", "no", "n", "off")


def parse_text(kind: str, raw: str | None) -> Any:
    """A command-line string as the parameter's value; ``None`` is a bare ``--flag``.
    Raises ValueError saying what was expected."""
    if kind == "bool":
        if raw is None:
            return True
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("expected true or false")
    if raw is None:
        raise ValueError("a value is required")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "json":
        return json.loads(raw)
    return raw


def python_value(kind: str, value: Any) -> Any:
    """A value given from Python (``trigger(alpha=0.1)``): strings are read as on the
    command line, anything else must already have the parameter's type."""
    if isinstance(value, str) and kind != "str":
        return parse_text(kind, value)
    if kind == "json":
        json.dumps(value)  # TypeError for a value JSON cannot hold
        return value
    wanted: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
    }
    types = wanted.get(kind, (str,))
    if isinstance(value, bool) and bool not in types:
        raise ValueError(f"expected {kind}, got a bool")
    if not isinstance(value, types):
        raise ValueError(f"expected {kind}, got {type(value).__name__}")
    return float(str(value)) if kind == "float" else value


def check_parameters(
    declared: Iterable[ParameterInfo], given: Mapping[str, Any], *, from_text: bool = False
) -> dict[str, str]:
    """``given`` checked against the flow's parameters and rendered as JSON text per name
    (what ``DeployTarget.trigger`` takes). Unknown names, missing required parameters and
    values of the wrong type raise ParameterValueError naming the parameter."""
    by_name: dict[str, ParameterInfo] = {}
    for p in declared:
        for spelling in {p.name, p.name.replace("_", "-"), p.name.replace("-", "_")}:
            by_name[spelling] = p
    rendered: dict[str, str] = {}
    for name, value in given.items():
        param = by_name.get(name)
        if param is None:
            known = ", ".join(sorted({p.name for p in by_name.values()})) or "none"
            raise ParameterValueError(
                f"the flow has no parameter {name!r} (its parameters: {known})"
            )
        try:
            typed = parse_text(param.type, value) if from_text else python_value(param.type, value)
            rendered[param.name] = json.dumps(typed)
        except (ValueError, TypeError) as exc:
            raise ParameterValueError(
                f"parameter {param.name!r}: invalid {param.type} value {value!r}: {exc}"
            ) from None
    for param in {p.name: p for p in by_name.values()}.values():
        if param.needed and param.name not in rendered:
            raise ParameterValueError(f"parameter {param.name!r} is required and has no default")
    return rendered
