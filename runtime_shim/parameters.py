"""``Parameter``, ``IncludeFile`` and ``JSONType``: flow inputs declared as class attributes.

At run time the start task turns each declared parameter into a value (the run's override
or the declared default), checks it against the declared type, and stores it in the run
record; every task of the run sees the values as plain attributes (``self.alpha``).
"""

from __future__ import annotations

import json
import os
import sys

from runtime_shim.configs import DelayEvaluator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class _JSONTypeClass:
    """Marker for a parameter whose value is JSON (Metaflow's ``JSONType``)."""

    name = "JSON"

    def __repr__(self) -> str:
        return "JSONType"


JSONType = _JSONTypeClass()


class ParameterError(ValueError):
    """A parameter value that cannot be used; the message names the parameter."""


class ParameterContext:
    """What a callable default receives (Metaflow's ``ParameterContext``): the flow's name,
    the user's name, the parameter's name, a logger, the datastore type and the run's
    configs (``ctx.configs.cfg.a``; ``None`` for a config's own ``default_value``)."""

    __slots__ = ("configs", "ds_type", "flow_name", "logger", "parameter_name", "user_name")

    def __init__(
        self,
        flow_name: str,
        user_name: str | None,
        parameter_name: str,
        ds_type: str,
        configs: Any = None,
    ) -> None:
        self.flow_name = flow_name
        self.user_name = user_name
        self.parameter_name = parameter_name
        self.logger = _log
        self.ds_type = ds_type
        self.configs = configs

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__ if n != "logger")
        return f"ParameterContext({fields})"


def _log(message: Any = "", **_options: Any) -> None:
    print(message, file=sys.stderr)


def environment_default(name: str) -> str | None:
    """``METAFLOW_RUN_<NAME>`` (upper-cased, dashes as underscores): a parameter's value
    when the run does not give one, as Metaflow's ``run`` command reads it."""
    return os.environ.get("METAFLOW_RUN_" + name.upper().replace("-", "_"))


class Parameter:
    """A flow parameter: ``alpha = Parameter("alpha", default=0.5, help=...)``.

    ``type`` is ``str``, ``int``, ``float``, ``bool`` or ``JSONType``; without it the type
    is inferred from the default (``str`` when there is none), as in Metaflow.
    """

    IS_INCLUDE_FILE = False

    def __init__(
        self,
        name: str,
        default: Any = None,
        type: Any = None,
        help: str | None = None,
        required: bool = False,
        show_default: bool = True,
        separator: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.kwargs: dict[str, Any] = dict(
            kwargs, default=default, type=type, help=help, required=required, separator=separator
        )
        self.default = default
        self.help = help
        self.required = required
        self.separator = separator
        self.type = type if type is not None else _infer_type(default)
        # A config expression's value is known only once the run's configs are: the
        # parameter then takes that value's type, as the compiler infers it.
        self._infer_at_run = type is None and isinstance(default, DelayEvaluator)

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        """On a flow object, the run's value (loaded once from the task's artifacts)."""
        if obj is None:
            return self
        state = obj.__dict__.get("_flowc")
        attribute = getattr(self, "attribute", self.name)
        if state is not None and state.load is not None and attribute in state.refs:
            value = state.load(state.refs[attribute])
            obj.__dict__[attribute] = value
            return value
        return self

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, type={getattr(self.type, '__name__', self.type)})"

    @property
    def type_name(self) -> str:
        if self.type is JSONType:
            return "json"
        return getattr(self.type, "__name__", "str")

    def default_value(self, context: ParameterContext | None = None) -> Any:
        """The default as a value of the parameter's type (``None`` when there is none).

        A callable default (a function, or a config expression) is called with
        ``context``."""
        default = self.default
        if callable(default) and not isinstance(default, type):
            default = default(context)
        if default is None:
            return None
        return self.convert(default)

    def convert(self, value: Any) -> Any:
        """Check ``value`` (already JSON-decoded) against the type; raise ParameterError."""
        if self._infer_at_run:
            self._infer_at_run = False
            self.type = _infer_type(self.default())
        kind = self.type_name
        try:
            if kind == "json":
                return json.loads(value) if isinstance(value, str) else value
            if kind == "bool":
                if isinstance(value, str):
                    lowered = value.strip().lower()
                    if lowered in ("true", "1", "yes", "y", "on"):
                        return True
                    if lowered in ("false", "0", "no", "n", "off"):
                        return False
                    raise ValueError(f"{value!r} is not a boolean")
                return bool(value)
            if kind == "int":
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise ValueError(f"{value!r} is not an integer")
                return int(value)
            if kind == "float":
                if isinstance(value, bool):
                    raise ValueError(f"{value!r} is not a number")
                return float(value)
            text = value if isinstance(value, str) else str(value)
            if self.separator:
                return text.split(self.separator)
            return text
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"parameter {self.name!r}: invalid value {value!r} for type {kind}: {exc}"
            ) from None


class IncludeFile(Parameter):
    """A parameter whose value is the content of a local file, read by the start task."""

    IS_INCLUDE_FILE = True

    def __init__(
        self,
        name: str,
        default: Any = None,
        is_text: bool = True,
        encoding: str = "utf-8",
        required: bool = False,
        help: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, default=default, type=str, help=help, required=required, **kwargs)
        self.is_text = is_text
        self.encoding = encoding

    def read(self, path: str) -> Any:
        """The content of ``path``, or of the copy ``flowc compile`` captured when ``path``
        is its descriptor (runtime_shim.includes)."""
        from runtime_shim.includes import IncludeError, descriptor_of, load_captured

        captured = descriptor_of(path)
        try:
            if captured is not None:
                data = load_captured(captured)
            else:
                with open(path, "rb") as handle:
                    data = handle.read()
        except IncludeError as exc:
            raise ParameterError(f"parameter {self.name!r}: {exc}") from None
        except OSError as exc:
            raise ParameterError(f"parameter {self.name!r}: cannot read {path!r}: {exc}") from None
        return data.decode(self.encoding) if self.is_text else data


def _infer_type(default: Any) -> Any:
    if isinstance(default, bool):
        return bool
    if isinstance(default, int):
        return int
    if isinstance(default, float):
        return float
    return str
