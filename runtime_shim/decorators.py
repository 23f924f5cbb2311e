"""Decorators of the user API: light markers that record their resolved arguments.

Every decorator is generated from its catalogue entry (``runtime_shim.catalogue``): its
arguments are resolved exactly as the compiler resolves them (defaults filled, values
normalised, aliases mapped), so a task sees the values the IR carries. An unknown
argument or an invalid value raises ``TypeError`` naming the decorator when the flow
module is imported, as Metaflow does.

A step decorator stores ``{name: arguments}`` on the function (``_flowc_decorators``);
a flow decorator stores it on the class (``_flowc_flow_decorators``). A decorator that
may be applied more than once (``@card``) also keeps every application, in order. The shim applies
``@catch``/``@timeout``/``@environment`` when it runs a task, the engine (or the local
runner) applies ``@retry``, and the compiler reads the same decorators from source. Every
decorator works bare (``@retry``) or called (``@retry(times=2)``), like Metaflow's.
"""

from __future__ import annotations

from functools import cache

from runtime_shim.catalogue import DECORATORS, DecoratorDef
from runtime_shim.configs import UNPACK_KEY, is_delayed, unpack_delayed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


# Where a decorator that may repeat (``allow_multiple``) keeps every application.
REPEATED = "_flowc_repeated_decorators"


def step_decorators(func: Any) -> dict[str, dict[str, Any]]:
    """The decorators recorded on a step function, with their resolved arguments.

    Arguments that use configs are resolved here, so the run's configs must be active
    (``runtime_shim.configs.activate``) before a task asks.
    """
    found = _resolved(getattr(func, "_flowc_decorators", {}))
    attached = _attached_decorators()
    if attached:
        # ``run --with NAME``: the step's own decorator of that name wins, as in Metaflow.
        found = {**attached, **found}
    return found


def flow_decorators(cls: type[Any]) -> dict[str, dict[str, Any]]:
    """The decorators recorded on a flow class, resolved as :func:`step_decorators`."""
    return _resolved(getattr(cls, "_flowc_flow_decorators", {}))


class DeferredArguments:
    """A decorator's arguments that use configs: resolved once the run's configs are known."""

    def __init__(self, spec: DecoratorDef, given: dict[str, Any]) -> None:
        self.spec = spec
        self.given = given

    def resolve(self) -> dict[str, Any]:
        return resolved_arguments(self.spec, unpack_delayed(self.given))


def _resolved(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: args.resolve() if isinstance(args, DeferredArguments) else args
        for name, args in found.items()
    }


@cache
def _attached_decorators() -> dict[str, dict[str, Any]]:
    """Decorators a run attached to every step (``--with``), resolved by the CLI."""
    import os

    raw = os.environ.get("FLOWC_STEP_DECORATORS")
    if not raw:
        return {}
    import json

    attached: dict[str, dict[str, Any]] = json.loads(raw)
    return attached


def repeated_decorators(func: Any, name: str) -> list[dict[str, Any]]:
    """Every application of a decorator that may appear more than once (``@card``), in
    the order Python applied them (the one nearest the ``def`` first)."""
    found: dict[str, list[Any]] = getattr(func, REPEATED, {})
    if name in found:
        return [
            args.resolve() if isinstance(args, DeferredArguments) else args for args in found[name]
        ]
    attached = _attached_decorators().get(name)  # ``run --with card``
    return [attached] if attached is not None else []


def resolved_arguments(spec: DecoratorDef, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` resolved by the catalogue; ``TypeError`` lists every problem."""
    resolution = spec.resolve(given)
    if resolution.problems:
        details = "; ".join(
            (
                problem.message
                if problem.message.startswith("@")
                else f"@{spec.name} {problem.message}"
            )
            + (f" ({problem.hint})" if problem.hint else "")
            for problem in resolution.problems
        )
        raise TypeError(details)
    return resolution.values


@cache
def decorator_function(name: str) -> Callable[..., Any]:
    """The user-API function of the catalogue's decorator ``name`` (one object per name)."""
    spec = DECORATORS[name]
    attribute = "_flowc_decorators" if spec.placement == "step" else "_flowc_flow_decorators"

    def record(target: Any, kwargs: dict[str, Any]) -> Any:
        existing = dict(getattr(target, attribute, {}))
        existing[name] = (
            DeferredArguments(spec, kwargs)
            if _uses_configs(kwargs)
            else resolved_arguments(spec, kwargs)
        )
        setattr(target, attribute, existing)
        if spec.allow_multiple:
            every = dict(getattr(target, REPEATED, {}))
            every[name] = [*every.get(name, ()), existing[name]]
            setattr(target, REPEATED, every)
        return target

    def is_target(value: Any) -> bool:
        return isinstance(value, type) if spec.placement == "flow" else callable(value)

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and is_target(args[0]) and not kwargs:
            return record(args[0], {})
        if args:
            raise TypeError(f"@{name} takes keyword arguments only")
        if not _uses_configs(kwargs):
            resolved_arguments(spec, kwargs)  # report mistakes where the decorator is written
        return lambda target: record(target, kwargs)

    decorator.__name__ = decorator.__qualname__ = name
    decorator.__doc__ = (
        f"Metaflow-compatible ``@{name}``: {spec.doc} "
        f"(arguments: {', '.join(spec.argument_names) or 'none'})."
    )
    return decorator


def _uses_configs(kwargs: dict[str, Any]) -> bool:
    return any(k.startswith(UNPACK_KEY) for k in kwargs) or is_delayed(kwargs)


def __getattr__(name: str) -> Callable[..., Any]:
    if name in DECORATORS:
        return decorator_function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *DECORATORS})


def step(func: Any = None, **kwargs: Any) -> Any:
    """Mark a method as a step (``@step``, or ``@step(start=True)``/``@step(end=True)``)."""

    def mark(f: Any) -> Any:
        f.is_step = True
        f.name = f.__name__  # Metaflow's step functions carry their name
        f._flowc_step_flags = kwargs
        if not hasattr(f, "_flowc_decorators"):
            f._flowc_decorators = {}
        return f

    if func is None:
        return mark
    return mark(func)
