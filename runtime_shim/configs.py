"""``Config`` and ``config_expr``: flow configuration that is fixed before a run starts.

A config's value is data (a JSON file, a ``--config-value``, a ``default_value``). The
compiler resolves it without importing the flow and hands the resolved values to the
run's start task (the shim command's ``--configs``); the start task stores them in the run
record and every other task reads them from there, so all tasks of a run see one value.

While the flow module is imported, a config has no value yet: ``config.a.b``,
``config["a"]``, ``config_expr("str(config.a)")`` and ``**config`` at class level build a
:class:`DelayEvaluator` that a decorator or a ``Parameter`` default keeps until the task
activates the run's values (:func:`activate`) and resolves it (:func:`resolve_delayed`).

What the compiler could not evaluate (a ``parser=`` or ``default_value=`` function of the
flow file) reaches the start task as a pending entry; the start task evaluates it with
the flow's own function, as Metaflow does when it starts a run.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UNPACK_KEY = "_unpacked_delayed_"
_IMMUTABLE = "ConfigValue is immutable"

# The run's resolved configs, by config name, once the task has activated them.
_active: dict[str, Any] | None = None
_plain: set[str] = set()


class ConfigError(Exception):
    """A config cannot be resolved at run time; the message names the config."""


class ConfigValue(dict):  # type: ignore[type-arg]
    """A resolved config: an immutable mapping read as ``cfg.a.b`` or ``cfg["a"]["b"]``.

    A ``dict`` subclass so it compares equal to, and serialises like, the plain value;
    every mutation raises ``TypeError`` as in Metaflow.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        dict.__init__(self, {k: _construct(v) for k, v in data.items()})

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(_IMMUTABLE)

    def __delattr__(self, name: str) -> None:
        raise TypeError(_IMMUTABLE)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(_IMMUTABLE)

    def __delitem__(self, key: Any) -> None:
        raise TypeError(_IMMUTABLE)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(_IMMUTABLE)

    clear = update = setdefault = pop = popitem = __ior__ = _refuse

    def to_dict(self) -> dict[str, Any]:
        """The plain nested value (dicts and lists), as it is stored."""
        return {k: _to_plain(v) for k, v in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (ConfigValue, (self.to_dict(),))

    def __dir__(self) -> list[str]:
        return sorted({*dir(type(self)), *(k for k in self if ID_PATTERN.match(str(k)))})


def _construct(value: Any) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, ConfigValue):
        return ConfigValue(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_construct(v) for v in value)
    return value


def _to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_plain(v) for v in value)
    return value


def wrap(name: str, value: Any) -> Any:
    """What a step sees for config ``name``: a ``ConfigValue`` unless it is ``plain``."""
    if value is None or name in _plain or not isinstance(value, Mapping):
        return value
    return ConfigValue(value)


class DelayEvaluator(Mapping):  # type: ignore[type-arg]
    """An expression over the run's configs, evaluated once they are known.

    ``DelayEvaluator("cfg")`` records attribute and item accesses (``.a["b"]``) to apply
    later; any other expression (``config_expr("str(cfg.a)")``) is evaluated as written,
    with the flow module's globals and the configs as local names. Iterating it yields
    one marker key, so ``**cfg`` in a call keeps it as a single delayed argument.
    """

    def __init__(self, expression: str, scope: dict[str, Any] | None = None) -> None:
        self._expression = expression
        self._scope = scope
        self._access: list[Any] | None = [] if ID_PATTERN.match(expression) else None

    def _extended(self, key: tuple[str, Any]) -> DelayEvaluator:
        if self._access is None:
            # An expression (``config_expr("a.b")``) is evaluated as written; only a bare
            # config name records further accesses.
            kind, name = key
            if kind == "attr":
                raise AttributeError(name)
            raise KeyError(name)
        copy = DelayEvaluator(self._expression, self._scope)
        copy._access = [*self._access, key]
        return copy

    def __getattr__(self, name: str) -> DelayEvaluator:
        if name.startswith("_"):  # private and introspection names are never config keys
            raise AttributeError(name)
        return self._extended(("attr", name))

    def __getitem__(self, key: Any) -> Any:
        if key == self.unpack_key:
            return self
        return self._extended(("item", key))

    @property
    def unpack_key(self) -> str:
        return f"{UNPACK_KEY}{id(self)}"

    def __iter__(self) -> Iterator[str]:
        yield self.unpack_key

    def __len__(self) -> int:
        return 1

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"config_expr({self.describe()!r})"

    def describe(self) -> str:
        text = self._expression
        for kind, key in self._access or []:
            text += f".{key}" if kind == "attr" else f"[{key!r}]"
        return text

    def __call__(self, ctx: Any = None) -> Any:
        if _active is None:
            raise ConfigError(
                f"config expression {self.describe()!r} is used before the run's configs "
                "are known (configs are resolved when a task starts)"
            )
        names = {name: wrap(name, value) for name, value in _active.items()}
        try:
            value = eval(self._expression, dict(self._scope or {}), names)
        except NameError as exc:
            raise ConfigError(
                f"config expression {self._expression!r} could not be evaluated: {exc}"
            ) from None
        for kind, key in self._access or []:
            value = getattr(value, key) if kind == "attr" else value[key]
        return value


def config_expr(expression: str) -> DelayEvaluator:
    """An expression over configs, for places a config is not in scope or a plain access
    is not enough: ``@project(name=config_expr("cfg").project.name)``,
    ``@environment(vars={"x": config_expr("str(cfg.n)")})``."""
    caller = sys._getframe(1).f_globals
    return DelayEvaluator(expression, caller)


class Config(Mapping):  # type: ignore[type-arg]
    """A flow config: ``cfg = Config("cfg", default="cfg.json")``.

    ``default`` is a file path (``--config NAME PATH`` overrides it); ``default_value`` a
    value, a JSON text or a function of a parameter context; ``parser`` turns the text
    into a mapping (a function or a dotted name such as ``"yaml.safe_load"``; JSON when
    absent); ``plain=True`` hands steps the parsed value as it is.
    """

    IS_CONFIG_PARAMETER = True

    def __init__(
        self,
        name: str,
        default: Any = None,
        default_value: Any = None,
        help: str | None = None,
        required: bool | None = None,
        parser: Any = None,
        plain: bool = False,
        **kwargs: Any,
    ) -> None:
        if default is not None and default_value is not None:
            raise ConfigError(
                f"for config {name!r}, you can only specify default or default_value, not both"
            )
        self.name = name
        self.default = default
        self.default_value = default_value
        self.help = help
        self.required = bool(required)
        self.parser = parser
        self.plain = plain
        self.kwargs = kwargs
        if plain:
            _plain.add(name)

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        if _active is not None and self.name in _active:
            return wrap(self.name, _active[self.name])
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "attribute":
            raise AttributeError(name)
        return getattr(DelayEvaluator(self.name), name)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str) and key.startswith(UNPACK_KEY):
            return self._evaluator()
        return DelayEvaluator(self.name)[key]

    # A config is one declaration, not the mapping it stands for: identity semantics.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __iter__(self) -> Iterator[str]:
        return iter(self._evaluator())

    def keys(self) -> Any:
        return [self._evaluator().unpack_key]

    def _evaluator(self) -> DelayEvaluator:
        evaluator: DelayEvaluator | None = self.__dict__.get("_delayed")
        if evaluator is None:
            evaluator = DelayEvaluator(self.name)
            self.__dict__["_delayed"] = evaluator
        return evaluator

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return f"Config({self.name!r})"

    def parse(self, text: str) -> Any:
        """A config's text as its value, with its parser (JSON when it has none)."""
        if self.parser is None:
            if self.plain:
                return text
            try:
                return json.loads(text)
            except ValueError as exc:
                raise ConfigError(f"config {self.name!r} is not valid JSON: {exc}") from None
        parser = self.parser
        if isinstance(parser, str):
            parser = _import_parser(parser)
        value = parser(text)
        if not self.plain and not isinstance(value, Mapping):
            raise ConfigError(
                f"the parser of config {self.name!r} returned a {type(value).__name__}, "
                "not a mapping"
            )
        return value


def _import_parser(dotted: str) -> Any:
    import importlib

    module, _, function = ("metaflow" + dotted if dotted.startswith(".") else dotted).rpartition(
        "."
    )
    try:
        found = getattr(importlib.import_module(module), function, None)
    except ImportError as exc:
        raise ConfigError(f"cannot locate parser {dotted!r}: {exc}") from None
    if not callable(found):
        raise ConfigError(f"parser {dotted!r} is not a callable of {module!r}")
    return found


def declared_configs(cls: type[Any]) -> dict[str, Config]:
    """``{attribute: Config}`` of a flow class (including inherited ones)."""
    found: dict[str, Config] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, Config):
                found[attr] = value
    return found


def activate(values: dict[str, Any] | None) -> None:
    """Make the run's configs (by config name) the values delayed expressions see."""
    global _active
    _active = None if values is None else dict(values)


def is_delayed(value: Any) -> bool:
    """Whether ``value`` holds a config expression anywhere inside."""
    if isinstance(value, (DelayEvaluator, Config)):
        return True
    if isinstance(value, dict):
        return any(is_delayed(k) or is_delayed(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return any(is_delayed(v) for v in value)
    return False


def resolve_delayed(value: Any) -> Any:
    """``value`` with every config expression inside evaluated (as plain data)."""
    if isinstance(value, Config):
        value = DelayEvaluator(value.name)
    if isinstance(value, DelayEvaluator):
        return _to_plain(value())
    if isinstance(value, dict):
        return {resolve_delayed(k): resolve_delayed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return type(value)(resolve_delayed(v) for v in value)
    return value


def unpack_delayed(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments with each ``**config`` marker replaced by the config's entries,
    then every config expression evaluated."""
    result: dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(key, str) and key.startswith(UNPACK_KEY):
            unpacked = resolve_delayed(value)
            if not isinstance(unpacked, Mapping):
                raise ConfigError(f"** of {value!r} is not a mapping")
            result.update(unpacked)
        else:
            result[key] = resolve_delayed(value)
    return result


def pending_value(config: Config, entry: dict[str, Any], context: Any) -> Any:
    """The value of a config the compiler left to the start task.

    ``entry`` is the config's item of the shim command's ``--configs``: ``{"value": V}``
    (already resolved), ``{"text": T}`` (to parse with the flow's parser) or
    ``{"default_value": true}`` (call the flow's ``default_value`` function, then parse
    what it returns if that is text).
    """
    if "value" in entry:
        return entry["value"]
    if "text" in entry:
        return _to_plain(config.parse(entry["text"]))
    if entry.get("default_value"):
        produced = config.default_value
        if callable(produced):
            produced = produced(context)
        if isinstance(produced, str):
            return _to_plain(config.parse(produced))
        return _to_plain(produced)
    raise ConfigError(f"config {config.name!r}: unknown entry {entry!r}")
