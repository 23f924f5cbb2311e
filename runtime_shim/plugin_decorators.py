"""Decorators defined as ``StepDecorator`` / ``FlowDecorator`` classes, and their hooks.

``decorator_function(cls, placement)`` is the ``@name`` a flow writes for such a class
(an extension's ``STEP_DECORATORS_DESC`` entry, say): bare or with keyword arguments, it
records an instance on the step function (``_flowc_plugin_decorators``) or the flow class
(``_flowc_plugin_flow_decorators``). The catalogue's decorators are not classes and are
not handled here.

:class:`TaskHooks` calls the hooks in a running task, in Metaflow's order: every flow
decorator's ``flow_init`` (with its options), then per step decorator ``step_init``,
``task_pre_step``, ``task_decorate`` (wrapping the step function), and after the step
``task_post_step`` (before artifacts are stored) or ``task_exception``, and last
``task_finished``.
"""

from __future__ import annotations

import os
import sys
from functools import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

STEP_ATTRIBUTE = "_flowc_plugin_decorators"
FLOW_ATTRIBUTE = "_flowc_plugin_flow_decorators"


@cache
def decorator_function(cls: type[Any], placement: str) -> Callable[..., Any]:
    """The ``@name`` of decorator class ``cls`` (``placement`` is "step" or "flow")."""
    attribute = STEP_ATTRIBUTE if placement == "step" else FLOW_ATTRIBUTE

    def record(target: Any, kwargs: dict[str, Any]) -> Any:
        instance = cls(attributes=kwargs, statically_defined=True)
        existing = list(vars(target).get(attribute, ()))
        if not cls.allow_multiple and any(type(d) is cls for d in existing):
            raise TypeError(f"@{cls.name} is applied twice to {target.__name__}")
        setattr(target, attribute, [*existing, instance])
        return target

    def is_target(value: Any) -> bool:
        return isinstance(value, type) if placement == "flow" else callable(value)

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and is_target(args[0]) and not kwargs:
            return record(args[0], {})
        if args:
            raise TypeError(f"@{cls.name} takes keyword arguments only")
        cls(attributes=kwargs)  # report an unknown attribute where the decorator is written
        return lambda target: record(target, kwargs)

    decorator.__name__ = decorator.__qualname__ = str(cls.name)
    decorator.__doc__ = cls.__doc__
    return decorator


def flow_options(cls: type[Any]) -> dict[str, dict[str, Any]]:
    """The top-level command-line options the flow's decorators declare (``--<name>``).

    A command line that accepts them passes a given value on to the tasks as
    ``option_env_name(name)`` in their environment, which is where ``option_values``
    reads it, so every task's ``flow_init`` sees the same options.
    """
    found: dict[str, dict[str, Any]] = {}
    for deco in getattr(cls, FLOW_ATTRIBUTE, ()):
        found.update(getattr(deco, "options", {}))
    return found


def option_env_name(option: str) -> str:
    """The environment variable that gives a flow-decorator option its default."""
    return "METAFLOW_" + option.upper().replace("-", "_")


def option_values(decorator: Any) -> dict[str, Any]:
    """A flow decorator's option values: ``METAFLOW_<OPTION>`` if set, else the default.

    A value from the environment is converted by the option's ``type`` (int, float,
    bool, str) or read as a flag (``is_flag``: 1/true/yes).
    """
    values: dict[str, Any] = {}
    for option, spec in getattr(decorator, "options", {}).items():
        raw = os.environ.get(option_env_name(option))
        value: Any = spec.get("default") if raw is None else raw
        if raw is not None and spec.get("is_flag"):
            value = raw.strip().lower() in ("1", "true", "yes", "on")
        elif raw is not None and spec.get("type") in (int, float, bool, str):
            value = spec["type"](raw)
        values[option.replace("-", "_")] = value
    return values


def _echo(*args: Any, **kwargs: Any) -> None:
    print(*args, file=sys.stderr)


class TaskHooks:
    """The plugin decorators of one running task and the calls Metaflow makes to them."""

    def __init__(
        self, cls: type[Any], func: Any, step: str, retry_count: int, max_retries: int
    ) -> None:
        self.flow_decorators: list[Any] = list(getattr(cls, FLOW_ATTRIBUTE, ()))
        self.step_decorators: list[Any] = list(getattr(func, STEP_ATTRIBUTE, ()))
        self.step = step
        self.retry_count = retry_count
        self.max_retries = max_retries

    def task_pre_step(self, flow: Any, run_id: str, task_id: str, inputs: Any) -> None:
        for deco in self.flow_decorators:
            deco.external_init()
            deco.flow_init(flow, None, None, None, None, _echo, _echo, option_values(deco))
        for deco in self.step_decorators:
            deco.external_init()
            deco.step_init(flow, None, self.step, self.step_decorators, None, None, _echo)
        for deco in self.step_decorators:
            deco.task_pre_step(
                self.step, None, None, run_id, task_id, flow, None,
                self.retry_count, self.max_retries, None, inputs,
            )  # fmt: skip

    def decorated(self, func: Any) -> Any:
        """``func`` (called as ``func(flow, *args)``) wrapped by every ``task_decorate``."""
        if not self.step_decorators:
            return func

        def run(flow: Any, *args: Any) -> Any:
            step_func = func.__get__(flow)
            for deco in self.step_decorators:
                step_func = deco.task_decorate(
                    step_func, flow, None, self.retry_count, self.max_retries, None
                )
            return step_func(*args)

        return run

    def task_post_step(self, flow: Any) -> None:
        for deco in self.step_decorators:
            deco.task_post_step(self.step, flow, None, self.retry_count, self.max_retries)

    def task_exception(self, flow: Any, exc: BaseException) -> bool:
        """True if a decorator handled the exception (then the task does not fail)."""
        handled = False
        for deco in self.step_decorators:
            result = deco.task_exception(
                exc, self.step, flow, None, self.retry_count, self.max_retries
            )
            handled = handled or bool(result)
        return handled

    def task_finished(self, flow: Any, ok: bool) -> None:
        for deco in self.step_decorators:
            deco.task_finished(self.step, flow, None, ok, self.retry_count, self.max_retries)
