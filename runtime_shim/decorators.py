"""Decorators of the user API: light markers that record their arguments.

A step decorator stores ``{name: arguments}`` on the function (``_flowc_decorators``);
a flow decorator stores it on the class (``_flowc_flow_decorators``). Nothing happens at
import time: the shim applies ``@catch``/``@timeout``/``@environment`` when it runs a
task, the engine (or the local runner) applies ``@retry``, and the compiler reads the
same decorators from source. Every decorator works bare (``@retry``) or called
(``@retry(times=2)``), like Metaflow's.
"""

from __future__ import annotations

STEP_DECORATORS: dict[str, dict[str, Any]] = {
    "retry": {"times": 3, "minutes_between_retries": 2},
    "catch": {"var": None, "print_exception": True},
    "timeout": {"seconds": 0, "minutes": 0, "hours": 0},
    "resources": {"cpu": 1, "gpu": None, "disk": None, "memory": 4096, "shared_memory": None},
    "environment": {"vars": {}},
    "kubernetes": {},
    "batch": {},
    "secrets": {"sources": []},
    "card": {"type": "default", "id": None, "options": {}, "timeout": 45},
    "parallel": {},
    "pypi": {"packages": {}, "python": None},
    "conda": {"packages": {}, "libraries": {}, "python": None, "disabled": None},
}

FLOW_DECORATORS: dict[str, dict[str, Any]] = {
    "schedule": {"cron": None, "hourly": False, "daily": True, "weekly": False, "timezone": None},
    "project": {"name": None, "branch": None, "production": False},
    "trigger": {"event": None, "events": []},
    "trigger_on_finish": {"flow": None, "flows": []},
    "pypi_base": {"packages": {}, "python": None},
    "conda_base": {"packages": {}, "libraries": {}, "python": None, "disabled": None},
}


TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def step_decorators(func: Any) -> dict[str, dict[str, Any]]:
    """The decorators recorded on a step function, with defaults filled in."""
    found: dict[str, dict[str, Any]] = getattr(func, "_flowc_decorators", {})
    return found


def _make_step_decorator(name: str, defaults: dict[str, Any]) -> Callable[..., Any]:
    def record(func: Any, kwargs: dict[str, Any]) -> Any:
        args = dict(defaults)
        args.update(kwargs)
        existing = dict(getattr(func, "_flowc_decorators", {}))
        existing[name] = args
        func._flowc_decorators = existing
        return func

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return record(args[0], {})
        if args:
            raise TypeError(f"@{name} takes keyword arguments only")
        return lambda func: record(func, kwargs)

    decorator.__name__ = name
    decorator.__doc__ = f"Metaflow-compatible ``@{name}`` (arguments: {', '.join(defaults)})."
    return decorator


def _make_flow_decorator(name: str, defaults: dict[str, Any]) -> Callable[..., Any]:
    def record(cls: Any, kwargs: dict[str, Any]) -> Any:
        args = dict(defaults)
        args.update(kwargs)
        existing = dict(getattr(cls, "_flowc_flow_decorators", {}))
        existing[name] = args
        cls._flowc_flow_decorators = existing
        return cls

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and isinstance(args[0], type) and not kwargs:
            return record(args[0], {})
        return lambda cls: record(cls, kwargs)

    decorator.__name__ = name
    return decorator


retry = _make_step_decorator("retry", STEP_DECORATORS["retry"])
catch = _make_step_decorator("catch", STEP_DECORATORS["catch"])
timeout = _make_step_decorator("timeout", STEP_DECORATORS["timeout"])
resources = _make_step_decorator("resources", STEP_DECORATORS["resources"])
environment = _make_step_decorator("environment", STEP_DECORATORS["environment"])
kubernetes = _make_step_decorator("kubernetes", STEP_DECORATORS["kubernetes"])
batch = _make_step_decorator("batch", STEP_DECORATORS["batch"])
secrets = _make_step_decorator("secrets", STEP_DECORATORS["secrets"])
card = _make_step_decorator("card", STEP_DECORATORS["card"])
parallel = _make_step_decorator("parallel", STEP_DECORATORS["parallel"])
pypi = _make_step_decorator("pypi", STEP_DECORATORS["pypi"])
conda = _make_step_decorator("conda", STEP_DECORATORS["conda"])

schedule = _make_flow_decorator("schedule", FLOW_DECORATORS["schedule"])
project = _make_flow_decorator("project", FLOW_DECORATORS["project"])
trigger = _make_flow_decorator("trigger", FLOW_DECORATORS["trigger"])
trigger_on_finish = _make_flow_decorator("trigger_on_finish", FLOW_DECORATORS["trigger_on_finish"])
pypi_base = _make_flow_decorator("pypi_base", FLOW_DECORATORS["pypi_base"])
conda_base = _make_flow_decorator("conda_base", FLOW_DECORATORS["conda_base"])


def step(func: Any = None, **kwargs: Any) -> Any:
    """Mark a method as a step (``@step``, or ``@step(start=True)``/``@step(end=True)``)."""

    def mark(f: Any) -> Any:
        f.is_step = True
        f._flowc_step_flags = kwargs
        if not hasattr(f, "_flowc_decorators"):
            f._flowc_decorators = {}
        return f

    if func is None:
        return mark
    return mark(func)


def timeout_seconds(args: dict[str, Any]) -> float:
    """Total seconds of a ``@timeout`` (Metaflow adds the three units)."""
    return (
        float(args.get("seconds") or 0)
        + 60 * float(args.get("minutes") or 0)
        + 3600 * float(args.get("hours") or 0)
    )
