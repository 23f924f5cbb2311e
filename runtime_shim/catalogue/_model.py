"""The catalogue's records: a decorator, its arguments, and a resolution of given values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runtime_shim.catalogue._kinds import InvalidValue, Kind

Placement = Literal["step", "flow"]


@dataclass(frozen=True)
class Arg:
    """One argument of a decorator.

    ``default`` is Metaflow 2.19's default, already normalised (``None`` means "not set":
    the engine's or the platform's default applies). ``minimum``/``maximum`` bound numbers
    (``exclusive_minimum`` makes the minimum itself invalid); ``choices`` lists the accepted
    strings; ``unit`` is the unit a number is in (``"MB"`` for Metaflow's memory and disk);
    ``aliases`` are other names Metaflow accepts for the argument.
    """

    name: str
    kind: Kind
    default: Any = None
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    example_value: str | None = None  # a literal for hints; the kind's example by default

    def normalise(self, value: Any) -> Any:
        """The normalised value; raises ``InvalidValue`` with a message that names the argument."""
        if value is None:
            return None
        try:
            result = self.kind.normalise(value)
        except InvalidValue as error:
            raise InvalidValue(
                f"{self.name}: {error}; it must be {self.describe()}", error.rule
            ) from None
        if self.choices and result not in self.choices:
            raise InvalidValue(
                f"{self.name}: {result!r} is not one of {', '.join(map(repr, self.choices))}",
                "choice",
            )
        if isinstance(result, int | float) and not isinstance(result, bool):
            self._check_bounds(result)
        return result

    def describe(self) -> str:
        text = self.kind.describe
        if self.minimum is not None:
            text += f" {'>' if self.exclusive_minimum else '>='} {self.minimum:g}"
        if self.maximum is not None:
            text += f" and <= {self.maximum:g}"
        if self.unit:
            text += f" (in {self.unit})"
        return text

    def example(self) -> str:
        return f"{self.name}={self.example_value or self.kind.example}"

    def _check_bounds(self, number: float) -> None:
        low = self.minimum
        if low is not None and (number < low or (self.exclusive_minimum and number == low)):
            raise InvalidValue(
                f"{self.name}: {number:g} is out of range; it must be {self.describe()}", "range"
            )
        if self.maximum is not None and number > self.maximum:
            raise InvalidValue(
                f"{self.name}: {number:g} is out of range; it must be {self.describe()}", "range"
            )


@dataclass(frozen=True)
class Problem:
    """Why given arguments do not resolve. ``argument`` is None for whole-decorator problems.

    ``rule`` names the rule for an ``invalid-value``: ``kind``, ``range`` or ``choice`` (see
    ``InvalidValue``), or ``check`` for a whole-decorator rule; diagnostics use it as their
    sub-code.
    """

    kind: Literal["unknown-argument", "invalid-value", "conflict"]
    argument: str | None
    message: str
    hint: str | None = None
    rule: str = "check"


# A whole-decorator check: the resolved values in, a problem (or None) out.
Check = Callable[[Mapping[str, Any]], Problem | None]


@dataclass(frozen=True)
class DecoratorDef:
    """A decorator of the user API: where it goes, what it takes, what Metaflow defaults to.

    ``exclusive`` lists groups of arguments of which at most one may be set (``@schedule``'s
    ``hourly``/``daily``/``weekly``/``cron``); ``checks`` are whole-decorator rules that one
    argument alone cannot express.
    """

    name: str
    placement: Placement
    doc: str
    args: tuple[Arg, ...] = ()
    allow_multiple: bool = False
    exclusive: tuple[tuple[str, ...], ...] = ()
    checks: tuple[Check, ...] = ()
    _by_name: dict[str, Arg] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for arg in self.args:
            for key in (arg.name, *arg.aliases):
                self._by_name[key] = arg

    @property
    def argument_names(self) -> tuple[str, ...]:
        return tuple(arg.name for arg in self.args)

    def arg(self, name: str) -> Arg | None:
        """The argument called ``name`` (or one of its aliases)."""
        return self._by_name.get(name)

    def defaults(self) -> dict[str, Any]:
        """Every argument's default; mutable defaults are fresh copies (callers may edit)."""
        from copy import deepcopy

        return {arg.name: deepcopy(arg.default) for arg in self.args}

    def resolve(self, given: Mapping[str, Any]) -> Resolution:
        """Defaults filled in, every given value normalised, every problem listed.

        Never raises: a value that does not fit is a problem (its argument keeps the
        default). When one member of an exclusive group is given, the others lose a
        default that would count as a choice (``@schedule(cron=...)`` has
        ``daily=False``), so resolving the resolved values again changes nothing.
        """
        values = self.defaults()
        problems: list[Problem] = []
        for key, value in given.items():
            arg = self.arg(key)
            if arg is None:
                problems.append(self._unknown(key))
                continue
            try:
                values[arg.name] = arg.normalise(value)
            except InvalidValue as error:
                problems.append(
                    Problem(
                        "invalid-value", key, str(error), f"write e.g. {arg.example()}", error.rule
                    )
                )
        for group in self.exclusive:
            chosen = [name for name in group if self._is_set(name, given)]
            if chosen:
                self._unset_others(group, chosen, values)
            if len(chosen) > 1:
                problems.append(
                    Problem(
                        "conflict",
                        None,
                        f"@{self.name} takes one of {', '.join(group)}, not {', '.join(chosen)}",
                        f"keep only one of {', '.join(chosen)}",
                    )
                )
        if not problems:
            problems.extend(p for check in self.checks if (p := check(values)) is not None)
        return Resolution(values, problems)

    def _is_set(self, name: str, given: Mapping[str, Any]) -> bool:
        arg = self._by_name[name]
        return any(_is_set(given.get(key)) for key in (arg.name, *arg.aliases))

    def _unset_others(
        self, group: tuple[str, ...], chosen: list[str], values: dict[str, Any]
    ) -> None:
        """The members of ``group`` not chosen lose a default that would count as a choice.

        ``@schedule(cron=...)`` resolves to ``daily=False``: Metaflow's ``daily=True``
        default only applies when nothing else is chosen, and the resolved values read
        alone (by a backend, or resolved again) must say the same.
        """
        for name in group:
            if name not in chosen and _is_set(values.get(name)):
                values[name] = False if self._by_name[name].kind.name == "boolean" else None

    def _unknown(self, key: str) -> Problem:
        from difflib import get_close_matches

        names = sorted(self._by_name)
        close = get_close_matches(key, names, n=2, cutoff=0.6)
        hint = (
            f"did you mean `{close[0]}`?"
            if len(close) == 1
            else f"valid arguments: {', '.join(self.argument_names) or 'none'}"
        )
        return Problem("unknown-argument", key, f"@{self.name} has no argument `{key}`", hint)


def _is_set(value: Any) -> bool:
    """Whether a value chooses something: not None, False or an empty container."""
    return value is not None and value is not False and value != [] and value != {}


@dataclass(frozen=True)
class Resolution:
    """Every argument's normalised value (defaults filled), and the problems found."""

    values: dict[str, Any]
    problems: list[Problem]
