"""What each target does with every decorator argument of the catalogue, as data.

Every (decorator, argument) pair of ``runtime_shim.catalogue.DECORATORS`` — plus the pair
``(decorator, WHOLE)`` for the decorator itself — gets exactly one handling per target:

- :class:`Mapped`: the backend writes it into the emitted file (``to`` names the field);
- :class:`Rejected`: the backend reports ``code`` with ``reason`` at the decorator's line
  whenever the flow sets the argument to anything but its default (an error when dropping
  it would change how the step runs, a warning when it is cosmetic);
- :class:`Runtime`: the shim implements it inside the task on every engine;
- :class:`Checked`: flowc checks it before any backend runs, the same for every target;
- :data:`PER_ARGUMENT` (``WHOLE`` pairs only): the bare decorator does nothing beyond its
  arguments, each of which is declared on its own.

A backend declares its table with :func:`declare`; ``"*"`` inside a decorator's table
stands for every argument it does not list (a decorator the target cannot run at all).
The pairs themselves are never written down again: they come from the catalogue, so a new
argument there fails ``tests/contract/test_coverage.py`` until every target declares it.
Mappers consult the table through :meth:`Coverage.review`, which is the only place a
``Rejected`` diagnostic is made, so what a target does and what it says it does agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flowc import codes
from flowc.diagnostics import Code, Diagnostic, diag
from flowc.ir import Decorator
from runtime_shim.catalogue import DECORATORS

WHOLE = ""  # the "argument" standing for the decorator itself
EVERY_OTHER = "*"


@dataclass(frozen=True)
class Mapped:
    """Written into the emitted file, at ``to`` (a field or setting of the target)."""

    to: str


@dataclass(frozen=True)
class Rejected:
    """Reported as ``code`` (FC3xx) with ``reason``, a sentence saying why."""

    code: Code
    reason: str
    hint: str | None = None


@dataclass(frozen=True)
class Runtime:
    """Implemented by the shim inside the task (``how`` says what it does)."""

    how: str


@dataclass(frozen=True)
class Checked:
    """Checked by flowc before any backend sees the flow, the same on every target (``how``
    says what the check does), so the backend reports nothing of its own."""

    how: str


@dataclass(frozen=True)
class PerArgument:
    """A bare decorator that asks for nothing beyond its arguments."""


PER_ARGUMENT = PerArgument()
Handling = Mapped | Rejected | Runtime | Checked | PerArgument
Table = Mapping[str, Mapping[str, Handling]]


def catalogue_pairs() -> Iterator[tuple[str, str]]:
    """Every (decorator, argument) pair, ``WHOLE`` first for each decorator."""
    for definition in DECORATORS.values():
        yield definition.name, WHOLE
        for arg in definition.args:
            yield definition.name, arg.name


@dataclass(frozen=True)
class Coverage:
    """One target's handling of every pair (``target`` names it in messages and docs)."""

    target: str
    entries: dict[tuple[str, str], Handling]

    def of(self, decorator: str, argument: str = WHOLE) -> Handling | None:
        return self.entries.get((decorator, argument))

    def missing(self) -> list[tuple[str, str]]:
        return [pair for pair in catalogue_pairs() if pair not in self.entries]

    def review(self, dec: Decorator, where: str) -> list[Diagnostic]:
        """The declared diagnostics for ``dec`` as written (``where``: "on step 'x'")."""
        out: list[Diagnostic] = []
        seen: set[tuple[Code, str]] = set()
        for argument in (WHOLE, *_asking(dec)):
            handling = self.of(dec.name, argument)
            if not isinstance(handling, Rejected) or (handling.code, handling.reason) in seen:
                continue
            seen.add((handling.code, handling.reason))
            subject = f"@{dec.name}" if argument == WHOLE else f"@{dec.name}({argument}=...)"
            out.append(
                diag(
                    handling.code,
                    f"{subject} {where}: {handling.reason}",
                    dec.location.span(),
                    handling.hint,
                )
            )
        return out


def _asking(dec: Decorator) -> list[str]:
    """The written arguments that ask for something: writing an argument's default means
    the same as leaving it out (``@kubernetes(qos="Burstable")``), unless the value is not
    a literal and so unknown."""
    definition = DECORATORS.get(dec.name)
    values = resolved(dec)
    return [
        name
        for name in given(dec)
        if name in dec.source_args
        or definition is None
        or (arg := definition.arg(name)) is None
        or values.get(name) != arg.default
    ]


def declare(target: str, table: Table) -> Coverage:
    """The coverage of ``target``: ``table`` spread over the catalogue's pairs."""
    unknown = sorted(
        f"@{name}({argument})"
        for name, arguments in table.items()
        for argument in arguments
        if argument not in (WHOLE, EVERY_OTHER)
        and (name not in DECORATORS or DECORATORS[name].arg(argument) is None)
    )
    if unknown:
        raise ValueError(f"{target}: not in the catalogue: {', '.join(unknown)}")
    entries: dict[tuple[str, str], Handling] = {}
    for name, argument in catalogue_pairs():
        arguments = table.get(name, {})
        handling = arguments.get(argument) or arguments.get(EVERY_OTHER)
        if handling is not None:
            entries[name, argument] = handling
    return Coverage(target, entries)


def given(dec: Decorator) -> list[str]:
    """The canonical names of the arguments the flow wrote on ``dec``."""
    return list(dec.given)


def resolved(dec: Decorator) -> dict[str, Any]:
    """Every argument's value, defaults filled (the analyzer's resolution)."""
    return dict(dec.args)


# Handlings every target shares: what the shim does itself, and what no target does yet.
_SHIM_CARDS = Runtime(
    "the shim renders the step's cards when the task ends and stores them beside the task"
)
_SHIM_LIVE_CARDS = Runtime(
    "the shim stores the card's live data at most this often while the task runs "
    "(current.card.refresh)"
)
_LOCKED_ENVIRONMENT = Runtime(
    "the task command names the step's locked environment (--environment); the shim "
    "enters it, built from the lock or reused, before the step (docs/environments.md)"
)
_NO_CONDA = Checked(
    "FC213 error at the decorator on every target and in local runs: flowc builds no conda "
    "environments, and says whether a conda channel is reachable (docs/environments.md)"
)
_SHIM_CATCH = Runtime("the shim records the exception as an artifact after the last attempt")

SHARED: Table = {
    "catch": {
        WHOLE: _SHIM_CATCH,
        "var": Runtime("the shim stores the exception in this artifact"),
        "print_exception": Runtime("the shim prints the traceback to the task's stderr"),
    },
    "card": {
        EVERY_OTHER: _SHIM_CARDS,
        "rank": Runtime("accepted: it orders cards in a viewer and changes no card"),
        "refresh_interval": _SHIM_LIVE_CARDS,
    },
    **{name: {EVERY_OTHER: _LOCKED_ENVIRONMENT} for name in ("pypi", "pypi_base")},
    **{name: {EVERY_OTHER: _NO_CONDA} for name in ("conda", "conda_base")},
}


def merged(*tables: Table) -> dict[str, dict[str, Handling]]:
    """Tables combined per decorator; a later table's entry wins."""
    out: dict[str, dict[str, Handling]] = {}
    for table in tables:
        for name, arguments in table.items():
            out.setdefault(name, {}).update(arguments)
    return out


# Decorators whose unwritten arguments mean "the platform's default", not Metaflow's value:
# flowc requests only what the flow asks for.
_ONLY_WRITTEN = frozenset({"resources", "kubernetes", "batch"})


def mapped_values(coverage: Coverage, dec: Decorator) -> dict[str, Any] | None:
    """The values a mapper applies for ``dec``, or None when nothing of it is mapped.

    Resource decorators give only the written arguments the target maps; the others give
    every resolved value (a bare ``@retry`` means three retries).
    """
    # A non-literal argument keeps its default in ``args`` (the analyzer warns, FC201).
    mapped = [
        name
        for name in given(dec)
        if isinstance(coverage.of(dec.name, name), Mapped) and name not in dec.source_args
    ]
    if not mapped and not isinstance(coverage.of(dec.name), Mapped):
        return None
    values = resolved(dec)
    if dec.name in _ONLY_WRITTEN:
        return {name: values[name] for name in mapped}
    return values


def schedule_table(to: str, timezone: str) -> dict[str, Handling]:
    """``@schedule`` mapped: every way of naming the schedule goes to ``to``."""
    table: dict[str, Handling] = {EVERY_OTHER: Mapped(to), "timezone": Mapped(timezone)}
    return table


def project_table(name: str, branch: str) -> dict[str, Handling]:
    """``@project`` mapped: the project and branch names go to ``name``/``branch``
    (backends/project.py names the deployment, as ``flowc compile --branch`` does)."""
    return {
        WHOLE: PER_ARGUMENT,
        "name": Mapped(name),
        "branch": Mapped(branch),
        "production": Mapped(branch),
    }


def kubernetes_secrets_table(sources: str) -> dict[str, Handling]:
    """``@secrets`` on pods: Kubernetes Secrets exposed with ``envFrom``."""
    return {
        WHOLE: PER_ARGUMENT,
        "sources": Mapped(sources),
        "role": Rejected(
            codes.FC308, "Kubernetes secrets are read with the pod's service account, not a role"
        ),
        "allow_override": Rejected(
            codes.FC308,
            "Kubernetes gives the container's own environment precedence over secrets; "
            "a secret cannot override a variable",
        ),
    }


def no_gangs(target: str) -> str:
    """Why ``target`` cannot run a ``@parallel`` gang (``num_parallel``)."""
    return (
        f"{target} cannot gang-schedule: it starts each task on its own, with no way to start "
        "N workers together and give them the control task's address"
    )


def num_parallel_rejected(step: str, target: str) -> str:
    """The message at a ``num_parallel`` transition on a target that cannot run gangs."""
    return (
        f"num_parallel at step '{step}' needs its N tasks started together, each told node "
        f"0's address; {target} starts every task on its own and cannot co-schedule them"
    )


def parallel_rejected(target: str) -> Rejected:
    """``@parallel`` itself on a target that cannot run gangs."""
    return Rejected(codes.FC301, no_gangs(target))


def parallel_only(target: str) -> Rejected:
    """An argument only ``@parallel`` gangs use, on a target that cannot run them."""
    return Rejected(
        codes.FC302,
        f"only @parallel gangs use it, and {target} cannot run @parallel; "
        "it has no effect on one pod",
    )


def local_runner_notes(steps: list[Any]) -> list[Diagnostic]:
    """What ``flowc run --local`` reports about decorators: only what it shares with every
    target about cards (nothing today: the shim handles every @card argument); the shim or
    the runner honours every other decorator."""
    cards = declare("the local runner", {"card": SHARED["card"]})
    return [
        note
        for step in steps
        for dec in step.decorators
        if dec.name == "card"
        for note in cards.review(dec, f"on step '{step.name}'")
    ]
