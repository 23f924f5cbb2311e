"""``metaflow.decorators``: the base classes of step and flow decorators, and ``step``.

A ``metaflow_extensions`` package declares its decorators as subclasses of these
(``STEP_DECORATORS_DESC``); ``runtime_shim.plugin_decorators`` turns each into the
``@name`` a flow writes and calls its hooks while the task runs. Hooks receive ``None``
for the objects flowc's runtime does not have (the graph, datastores, metadata service,
environment, logger, ``ubf_context``); ``flow`` is the running flow and the step and
attempt numbers are real.
"""

from __future__ import annotations

from runtime_shim.decorators import step
from runtime_shim.exceptions import InvalidDecoratorAttribute, MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "BadFlowDecoratorException",
    "BadStepDecoratorException",
    "Decorator",
    "DuplicateFlowDecoratorException",
    "DuplicateStepDecoratorException",
    "FlowDecorator",
    "StepDecorator",
    "UnknownFlowDecoratorException",
    "UnknownStepDecoratorException",
    "step",
]


class BadStepDecoratorException(MetaflowException):
    headline = "Syntax error"

    def __init__(self, deco: str, func: Any) -> None:
        super().__init__(
            f"You tried to apply decorator '{deco}' on '{getattr(func, '__name__', func)}' "
            "which is not declared as a @step. Make sure you apply this decorator on a "
            "function which has @step on the line just before the function name and "
            f"@{deco} is above @step."
        )


class BadFlowDecoratorException(MetaflowException):
    headline = "Syntax error"

    def __init__(self, deconame: str) -> None:
        super().__init__(
            f"Decorator '{deconame}' can only be applied to a class derived from FlowSpec."
        )


class UnknownStepDecoratorException(MetaflowException):
    headline = "Unknown step decorator"

    def __init__(self, deconame: str) -> None:
        super().__init__(f"Unknown step decorator *{deconame}*.")


class DuplicateStepDecoratorException(MetaflowException):
    headline = "Duplicate decorators"

    def __init__(self, deco: str, func: Any) -> None:
        super().__init__(
            f"Step '{getattr(func, '__name__', func)}' already has a decorator '{deco}'. "
            "You can specify this decorator only once."
        )


class UnknownFlowDecoratorException(MetaflowException):
    headline = "Unknown flow decorator"

    def __init__(self, deconame: str) -> None:
        super().__init__(f"Unknown flow decorator *{deconame}*.")


class DuplicateFlowDecoratorException(MetaflowException):
    headline = "Duplicate decorators"

    def __init__(self, deco: str) -> None:
        super().__init__(f"Flow already has a decorator '{deco}'. You can specify it only once.")


class Decorator:
    """A decorator with named attributes; ``defaults`` lists the attributes it accepts."""

    name = "NONAME"
    defaults: dict[str, Any] = {}
    allow_multiple = False

    def __init__(
        self,
        attributes: dict[str, Any] | None = None,
        statically_defined: bool = False,
        inserted_by: Any = None,
    ) -> None:
        self.attributes = dict(self.defaults)
        self.statically_defined = statically_defined
        self.inserted_by = inserted_by
        self._user_defined_attributes: set[str] = set()
        self._ran_init = False
        for key, value in (attributes or {}).items():
            if key not in self.defaults:
                raise InvalidDecoratorAttribute(self.name, key, self.defaults)
            self.attributes[key] = value
            self._user_defined_attributes.add(key)

    def init(self) -> None:
        """Called once before the first hook; set-up a subclass would do in ``__init__``."""

    def external_init(self) -> None:
        if not self._ran_init:
            self._ran_init = True
            self.init()

    def __str__(self) -> str:
        attrs = ";".join(f"{k}={v}" for k, v in self.attributes.items() if v is not None)
        return f"{self.name}:{attrs}" if attrs else self.name


class FlowDecorator(Decorator):
    """A decorator of the flow class. ``options`` become top-level options of the flow's
    command line (``--name``, default from ``METAFLOW_<NAME>``) and reach ``flow_init``."""

    options: dict[str, dict[str, Any]] = {}

    def flow_init(
        self,
        flow: Any,
        graph: Any,
        environment: Any,
        flow_datastore: Any,
        metadata: Any,
        logger: Callable[..., None],
        echo: Callable[..., None],
        options: dict[str, Any],
    ) -> None:
        """Called in every task before the step runs, with the option values."""

    def get_top_level_options(self) -> list[tuple[str, Any]]:
        return []


class StepDecorator(Decorator):
    """A decorator of a step; the task calls its hooks in Metaflow's order."""

    def step_init(
        self,
        flow: Any,
        graph: Any,
        step_name: str,
        decorators: list[StepDecorator],
        environment: Any,
        flow_datastore: Any,
        logger: Callable[..., None],
    ) -> None:
        """Called when all decorators of the step exist."""

    def task_pre_step(
        self,
        step_name: str,
        task_datastore: Any,
        metadata: Any,
        run_id: str,
        task_id: str,
        flow: Any,
        graph: Any,
        retry_count: int,
        max_user_code_retries: int,
        ubf_context: Any,
        inputs: Any,
    ) -> None:
        """Called before the step function runs."""

    def task_decorate(
        self,
        step_func: Callable[..., Any],
        flow: Any,
        graph: Any,
        retry_count: int,
        max_user_code_retries: int,
        ubf_context: Any,
    ) -> Callable[..., Any]:
        """Returns the function to run instead of ``step_func`` (by default itself)."""
        return step_func

    def task_post_step(
        self, step_name: str, flow: Any, graph: Any, retry_count: int, max_user_code_retries: int
    ) -> None:
        """Called after the step function returned; artifacts set here are stored."""

    def task_exception(
        self,
        exception: BaseException,
        step_name: str,
        flow: Any,
        graph: Any,
        retry_count: int,
        max_user_code_retries: int,
    ) -> bool | None:
        """Called when the step raised; returning True marks the exception as handled."""
        return None

    def task_finished(
        self,
        step_name: str,
        flow: Any,
        graph: Any,
        is_task_ok: bool,
        retry_count: int,
        max_user_code_retries: int,
    ) -> None:
        """Called last, once the task's outcome is known (its artifacts are stored)."""
