"""Kinds of decorator argument values: how each is checked and normalised.

A kind turns what a flow wrote (a literal read from source by the compiler, or the value a
decorator received at run time) into the one normalised form every consumer reads: numbers
as numbers in the unit the argument declares (Metaflow's defaults are strings such as
``"4096"``), ``"k=v,k2=v2"`` strings as mappings, and so on. A value the kind cannot accept
raises ``InvalidValue`` with a message and an example; the caller turns it into a
diagnostic or an exception. Standard library only: this runs inside every task.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class InvalidValue(ValueError):
    """A value its argument cannot accept; ``str()`` is the message for users.

    ``rule`` says which rule refused it: ``kind`` (not a value of the argument's kind),
    ``range`` (a number out of bounds) or ``choice`` (not one of the accepted strings).
    """

    def __init__(self, message: str, rule: str = "kind") -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Kind:
    """A value kind. ``normalise`` returns the normalised value or raises ``InvalidValue``.

    ``describe`` completes "must be ..." in messages; ``example`` is a literal a user could
    write, used in hints.
    """

    name: str
    describe: str
    example: str
    normalise: Callable[[Any], Any]


def _number(value: Any) -> int | float:
    """An int or float, from a number or a numeric string (Metaflow's defaults are strings)."""
    if isinstance(value, bool):
        raise InvalidValue(f"{value!r} is a boolean")
    if isinstance(value, int | float):
        number: int | float = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InvalidValue(f"{value!r} is not a number") from None
    else:
        raise InvalidValue(f"{value!r} is not a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidValue(f"{value!r} is not a finite number")
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _whole(value: Any) -> int:
    number = _number(value)
    if not isinstance(number, int):
        raise InvalidValue(f"{value!r} is not a whole number")
    return number


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"{value!r} is not True or False")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"{value!r} is not a string")
    return value


def _identifier(value: Any) -> str:
    text = _string(value)
    if not text.isidentifier():
        raise InvalidValue(f"{value!r} is not a Python identifier")
    return text


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise InvalidValue(f"{value!r} is not a string or a number")


def _string_map(value: Any) -> dict[str, str]:
    """A mapping of strings; Metaflow also accepts ``"k=v,k2=v2"``."""
    if isinstance(value, str):
        result: dict[str, str] = {}
        for part in value.split(","):
            if not part.strip():
                continue
            key, sep, item = part.partition("=")
            if not sep or not key.strip():
                raise InvalidValue(f"{part.strip()!r} is not of the form key=value")
            result[key.strip()] = item.strip()
        return result
    if not isinstance(value, dict):
        raise InvalidValue(f"{value!r} is not a mapping")
    return {_string(k): _scalar_text(v) for k, v in value.items()}


def _environment_vars(value: Any) -> dict[str, str]:
    """Environment variables: names to values, every value as the text the task sees."""
    if not isinstance(value, dict):
        raise InvalidValue(f"{value!r} is not a mapping of names to values")
    result = {}
    for key, item in value.items():
        name = _string(key)
        if not name or "=" in name or "\0" in name:
            raise InvalidValue(f"{key!r} is not a valid environment variable name")
        result[name] = _scalar_text(item)
    return result


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise InvalidValue(f"{value!r} is not a list of strings")
    return [_string(item) for item in value]


def _string_or_list(value: Any) -> list[str]:
    """One string or a list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    return _string_list(value)


def _secret_sources(value: Any) -> list[str | dict[str, Any]]:
    """Metaflow's ``sources``: a list whose items are source strings or source dicts."""
    if isinstance(value, str):
        raise InvalidValue(f"{value!r} is a single string, not a list of sources")
    if not isinstance(value, list | tuple):
        raise InvalidValue(f"{value!r} is not a list of sources")
    result: list[str | dict[str, Any]] = []
    for item in value:
        if isinstance(item, str):
            if not item:
                raise InvalidValue("a source is an empty string")
            result.append(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            result.append(dict(item))
        else:
            raise InvalidValue(f"{item!r} is neither a source string nor a dict with an 'id'")
    return result


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {_string(k): _json_value(v) for k, v in value.items()}
    raise InvalidValue(f"{value!r} is not a JSON value")


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue(f"{value!r} is not a mapping")
    result: dict[str, Any] = _json_value(value)
    return result


_TOLERATION_KEYS = frozenset({"key", "operator", "value", "effect", "tolerationSeconds"})


def _tolerations(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise InvalidValue(f"{value!r} is not a list of tolerations")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidValue(f"{item!r} is not a toleration mapping")
        unknown = sorted(set(item) - _TOLERATION_KEYS)
        if unknown:
            raise InvalidValue(
                f"toleration key {unknown[0]!r} is not one of {', '.join(sorted(_TOLERATION_KEYS))}"
            )
        result.append(_json_object(item))
    return result


def _volume_claims(value: Any) -> dict[str, str]:
    """``{claim name: absolute mount path}``."""
    claims = _string_map(value) if isinstance(value, dict) else None
    if claims is None:
        raise InvalidValue(f"{value!r} is not a mapping of claim names to mount paths")
    for claim, path in claims.items():
        if not path.startswith("/"):
            raise InvalidValue(f"mount path {path!r} of claim {claim!r} is not absolute")
    return claims


def _packages(value: Any) -> dict[str, str]:
    """``{distribution name: version specifier}``; an empty specifier means any version."""
    if not isinstance(value, dict):
        raise InvalidValue(f"{value!r} is not a mapping of package names to versions")
    return {_string(k): _scalar_text(v) for k, v in value.items()}


_PYTHON_VERSION = re.compile(r"^3(\.\d+){1,2}$")


def _python_version(value: Any) -> str:
    text = _scalar_text(value)
    if not _PYTHON_VERSION.match(text):
        raise InvalidValue(f"{value!r} is not a Python version such as '3.11' or '3.11.9'")
    return text


def _timezone(value: Any) -> str:
    text = _string(value)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(f"{value!r} is not an IANA time zone known to zoneinfo") from None
    return text


def _cron(value: Any) -> str:
    from runtime_shim.catalogue._cron import parse_cron

    return parse_cron(_string(value)).text


def _names_or_named_dicts(value: Any, what: str) -> list[str | dict[str, Any]]:
    """One ``what`` or a list of them, each a name or a dict with a ``name``, as a list."""
    items = [value] if isinstance(value, str | dict) else value
    if not isinstance(items, list | tuple):
        raise InvalidValue(f"{value!r} is not {what} name or a list of them")
    result: list[str | dict[str, Any]] = []
    for item in items:
        if isinstance(item, str) and item:
            result.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            result.append(_json_object(item))
        else:
            raise InvalidValue(f"{item!r} is neither {what} name nor a dict with a 'name'")
    return result


def _events(value: Any) -> list[str | dict[str, Any]]:
    """Event names, or ``{"name": ..., "parameters": {...}}`` mappings, as a list."""
    return _names_or_named_dicts(value, "an event")


def _upstream_flows(value: Any) -> list[str | dict[str, Any]]:
    """``@trigger_on_finish`` flows: names, or ``{"name": ..., "project": ...,
    "project_branch": ...}`` mappings, as a list."""
    return _names_or_named_dicts(value, "a flow")


def _step_names(value: Any) -> list[str]:
    """Names of functions (``@exit_hook(on_success=[notify, "pkg.mod.alarm"])``), as
    strings: a function stands for its ``__name__`` (as Metaflow records it), a string is
    a name in the flow file or a dotted import path."""
    items = [value] if isinstance(value, str) or callable(value) else value
    if not isinstance(items, list | tuple):
        raise InvalidValue(f"{value!r} is not a function or a list of functions")
    return [_function_name(item) for item in items]


def _function_name(item: Any) -> str:
    if callable(item) and not isinstance(item, type):
        return _function_name(getattr(item, "__name__", ""))
    if isinstance(item, str) and item and all(part.isidentifier() for part in item.split(".")):
        return item
    raise InvalidValue(f"{item!r} is not a function or the name of one")


WHOLE = Kind("whole", "a whole number", "3", _whole)
NUMBER = Kind("number", "a number", "2", _number)
BOOLEAN = Kind("boolean", "True or False", "True", _boolean)
STRING = Kind("string", "a string", '"value"', _string)
IDENTIFIER = Kind("identifier", "a Python identifier", '"failure"', _identifier)
STRING_MAP = Kind("string-map", "a mapping of strings", '{"key": "value"}', _string_map)
ENVIRONMENT_VARS = Kind(
    "environment-vars", "a mapping of names to values", '{"MODE": "fast"}', _environment_vars
)
STRING_LIST = Kind("string-list", "a list of strings", '["a", "b"]', _string_list)
SECRET_SOURCES = Kind(
    "secret-sources", "a list of secret sources", '["db-credentials"]', _secret_sources
)
JSON_VALUE = Kind("json", "a JSON value", '{"key": "value"}', _json_value)
JSON_OBJECT = Kind("json-object", "a mapping", '{"key": "value"}', _json_object)
TOLERATIONS = Kind(
    "tolerations",
    "a list of Kubernetes tolerations",
    '[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]',
    _tolerations,
)
VOLUME_CLAIMS = Kind(
    "volume-claims",
    "a mapping of claim names to absolute mount paths",
    '{"data-pvc": "/mnt/data"}',
    _volume_claims,
)
PACKAGES = Kind(
    "packages", "a mapping of package names to versions", '{"numpy": "2.1.3"}', _packages
)
PYTHON_VERSION = Kind("python-version", "a Python version", '"3.11"', _python_version)
TIMEZONE = Kind("timezone", "an IANA time zone", '"Europe/Berlin"', _timezone)
CRON = Kind("cron", "a 5-field cron expression", '"0 3 * * *"', _cron)
EVENTS = Kind("events", "an event name or a list of events", '"data_updated"', _events)
FLOW_NAMES = Kind(
    "flow-names", "a flow name or a list of flow names", '"TrainFlow"', _string_or_list
)
UPSTREAM_FLOWS = Kind(
    "upstream-flows", "a flow name, a flow dict or a list of them", '"TrainFlow"', _upstream_flows
)
STEP_NAMES = Kind("function-names", "a list of function names", '["notify"]', _step_names)
