"""The shim command: one description of ``python -m runtime_shim step ...`` for every target.

:class:`TaskCommand` has one field per thing the shim accepts; :data:`OPTIONS` derives the
command-line flags from those fields, so an option is named once. Backends build a
``TaskCommand`` whose per-task values (run id, index path, attempt, iteration, parameter
values) may be :class:`Placeholder` s, and :func:`render` turns it into an argv list with
an :class:`Engine` that spells each placeholder the way its engine fills it in (an Argo
``{{...}}`` expression, an ASL intrinsic, a concrete value for the local runner). The shim
reads its own command line with :func:`parse`, which accepts exactly what ``render`` emits.

The values are small immutable classes rather than dataclasses or named tuples: this
module is imported by every task, and both of those cost start-up time (see
:class:`TaskCommand`).
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing would cost every task 2 ms of start-up
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Engine(Protocol):
        """Spells one argv element (a :data:`Word`) for one engine."""

        def word(self, parts: Word) -> str: ...


MODULE = "runtime_shim"
SUBCOMMAND = "step"


class _Record:
    """An immutable value with ``__slots__`` fields: equality, hashing and repr by field."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Record)
            and type(other) is type(self)
            and other._values() == self._values()
        )

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)


class Placeholder(_Record):
    """A per-task value that only the engine knows when the task starts.

    ``kind`` is one of ``run_id``, ``index_path``, ``attempt``, ``iteration``, ``param``
    ``params`` or ``configs``; ``name`` is the parameter's name for ``param``.
    """

    __slots__ = ("kind", "name")
    kind: str
    name: str

    def __init__(self, kind: str, name: str = "") -> None:
        self._init(kind=kind, name=name)


RUN_ID = Placeholder("run_id")
INDEX_PATH = Placeholder("index_path")
ATTEMPT = Placeholder("attempt")
ITERATION = Placeholder("iteration")
# Every parameter's value as one JSON object keyed by name, for an engine that holds the
# run's parameters as one document (Step Functions), whatever characters the names use.
PARAMS = Placeholder("params")
# The run's configs document (``--configs``), for an engine that cannot write it as a
# literal (Step Functions' intrinsic strings refuse braces) and keeps it in its state.
CONFIGS = Placeholder("configs")


def param_value(name: str) -> Placeholder:
    """The JSON text of parameter ``name``'s value in this run."""
    return Placeholder("param", name)


Value = str | Placeholder
Word = tuple[Value, ...]  # one argv element: literal text and placeholders, concatenated


class TaskCommand(_Record):
    """The arguments of ``python -m runtime_shim step`` (runtime_shim/README.md).

    ``params`` pairs a parameter name with its value as JSON text; ``configs`` (start
    step only) is the flow's resolved configs as one JSON document; ``param_document``
    (start step only) the parameters as one JSON object, for engines that pass them so
    (``--param`` values override it); ``environment`` the address of the step's locked
    ``@pypi`` environment (runtime_shim/environment.py), which the shim enters before the
    step. ``None`` leaves an
    option out. Field order is the order :func:`render` writes the options in. (A frozen
    dataclass would import ``dataclasses`` and ``inspect`` into every task, and a named
    tuple builds its class with ``eval``: a millisecond or more of start-up either way.)
    """

    __slots__ = (  # noqa: RUF023 (the order is the command line's)
        "flow_file",
        "flow",
        "step",
        "inputs",
        "run_id",
        "index_path",
        "attempt",
        "datastore",
        "iteration",
        "params",
        "foreach_out",
        "foreach_count_out",
        "switch_out",
        "code_package",
        "origin_run_id",
        "configs",
        "param_document",
        "environment",
    )
    flow_file: Value
    flow: Value
    step: Value
    inputs: Value
    run_id: Value
    index_path: Value
    attempt: Value
    datastore: Value
    iteration: Value | None
    params: tuple[tuple[str, Value], ...]
    foreach_out: Value | None
    foreach_count_out: Value | None
    switch_out: Value | None
    code_package: Value | None
    origin_run_id: Value | None
    configs: Value | None
    param_document: Value | None
    environment: Value | None

    def __init__(
        self,
        flow_file: Value,
        flow: Value,
        step: Value,
        inputs: Value,
        run_id: Value,
        index_path: Value,
        attempt: Value,
        datastore: Value,
        iteration: Value | None = None,
        params: tuple[tuple[str, Value], ...] = (),
        foreach_out: Value | None = None,
        foreach_count_out: Value | None = None,
        switch_out: Value | None = None,
        code_package: Value | None = None,
        origin_run_id: Value | None = None,
        configs: Value | None = None,
        param_document: Value | None = None,
        environment: Value | None = None,
    ) -> None:
        # The arguments are exactly the fields, in order.
        self._init(**{name: value for name, value in locals().items() if name != "self"})

    def replace(self, **changes: Any) -> TaskCommand:
        return TaskCommand(**{**{n: getattr(self, n) for n in self.__slots__}, **changes})


FIELDS = TaskCommand.__slots__
# Fields without a default: the options every command must carry.
_REQUIRED = FIELDS[: len(FIELDS) - len(TaskCommand.__init__.__defaults__ or ())]


class Option(_Record):
    """How one :class:`TaskCommand` field appears on the command line."""

    __slots__ = ("field", "flag", "metavar", "repeated", "required")
    field: str
    flag: str
    metavar: str
    required: bool
    repeated: bool

    def __init__(self, field: str, flag: str, metavar: str, repeated: bool, required: bool) -> None:
        self._init(field=field, flag=flag, metavar=metavar, repeated=repeated, required=required)


POSITIONAL = "flow_file"
_FLAG_NAMES = {"params": "param"}  # a repeated option is named in the singular
_PARSE_DEFAULTS = {"index_path": "", "attempt": "0"}  # older command lines may omit them


def _options() -> tuple[Option, ...]:
    options = []
    for name in FIELDS:
        if name == POSITIONAL:
            continue
        repeated = name in _FLAG_NAMES
        options.append(
            Option(
                field=name,
                flag="--" + _FLAG_NAMES.get(name, name).replace("_", "-"),
                metavar="NAME=JSON" if repeated else name.upper(),
                required=name in _REQUIRED and name not in _PARSE_DEFAULTS,
                repeated=repeated,
            )
        )
    return tuple(options)


OPTIONS = _options()
FLAGS = {option.flag: option for option in OPTIONS}


def usage() -> str:
    words = [f"python -m {MODULE} {SUBCOMMAND} {POSITIONAL.upper()}"]
    for option in OPTIONS:
        text = f"{option.flag} {option.metavar}" + (" ..." if option.repeated else "")
        words.append(text if option.required else f"[{text}]")
    lines, line = [], "usage:"
    for word in words:
        if len(line) + len(word) > 88:
            lines.append(line)
            line = "          "
        line += " " + word
    return "\n".join([*lines, line])


class Substitution:
    """An engine whose argv elements are plain text: literals as they are (or escaped by
    :meth:`literal`), placeholders replaced by :meth:`placeholder`, concatenated."""

    def literal(self, text: str) -> str:
        return text

    def placeholder(self, value: Placeholder) -> str:
        raise ValueError(f"no value for {value}")

    def word(self, parts: Word) -> str:
        return "".join(
            self.placeholder(p) if isinstance(p, Placeholder) else self.literal(p) for p in parts
        )


class Values(Substitution):
    """Placeholders replaced by concrete values (the local runner, size estimates, tests)."""

    def __init__(self, values: dict[Placeholder, str]) -> None:
        self.values = values

    def placeholder(self, value: Placeholder) -> str:
        if value not in self.values:
            raise ValueError(f"no value for {value}")
        return self.values[value]


LITERAL = Substitution()  # for a command that holds no placeholders


def launcher(python: str) -> Word:
    """The words before :func:`render`'s: the interpreter and ``-m runtime_shim``."""
    return (python, "-m", MODULE)


def render(command: TaskCommand, engine: Engine, python: str | None = None) -> list[str]:
    """The argv of ``command``: from ``step`` on, or from the interpreter if ``python``."""
    words: list[Word] = [(w,) for w in launcher(python)] if python is not None else []
    words += [(SUBCOMMAND,), (command.flow_file,)]
    for option in OPTIONS:
        value = getattr(command, option.field)
        if option.repeated:
            for name, item in value:
                words += [(option.flag,), (name, "=", item)]
        elif value is not None:
            words += [(option.flag,), (value,)]
    return [engine.word(w) for w in words]


class UsageError(Exception):
    """The command line is not a valid shim command (exit code 2)."""


def parse(argv: list[str]) -> TaskCommand:
    """Read a shim command line (without the interpreter); every value is a ``str``.

    Hand-written, not argparse: it runs in every task, and argparse alone costs several
    milliseconds. An option takes its value as the next argument or after ``=``.
    """
    if not argv or argv[0] != SUBCOMMAND:
        raise UsageError(f"the only command is {SUBCOMMAND!r}")
    positional: list[str] = []
    values: dict[str, Value] = dict(_PARSE_DEFAULTS)
    params: list[tuple[str, Value]] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("--"):
            positional.append(arg)
            continue
        flag, eq, value = arg.partition("=")
        option = FLAGS.get(flag)
        if option is None:
            raise UsageError(f"unknown option {flag}")
        if not eq:
            if i >= len(args):
                raise UsageError(f"{flag} needs a value")
            value = args[i]
            i += 1
        if option.repeated:
            name, sep, text = value.partition("=")
            if not sep:
                raise UsageError(f"{flag} expects {option.metavar}, got {value!r}")
            params.append((name, text))
        else:
            values[option.field] = value
    if len(positional) != 1:
        raise UsageError(
            f"{POSITIONAL.upper()} is required"
            if not positional
            else f"unexpected argument {positional[1]!r}"
        )
    missing = [o.flag for o in OPTIONS if o.required and o.field not in values]
    if missing:
        raise UsageError(f"missing {', '.join(missing)}")
    return TaskCommand(flow_file=positional[0], params=tuple(params), **values)


def text(value: Value) -> str:
    """A parsed value (parsing never yields placeholders)."""
    if isinstance(value, Placeholder):
        raise TypeError(f"{value} has not been filled in")
    return value
