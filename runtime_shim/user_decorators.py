"""Mutators and user step decorators (Metaflow 2.16+), applied inside the task.

* ``UserStepDecorator`` (and ``user_step_decorator``, which turns a generator function
  into one) wraps a step: ``pre_step`` runs before the body and may return a callable
  that replaces it or set ``skip_step``; ``post_step`` sees the body's exception and may
  swallow it, replace it or pass arguments for ``self.next``. Several wrap a step from
  the outermost (written first) inwards, as in Metaflow.
* ``StepMutator`` and ``FlowMutator`` change a step's or a flow's decorators (and a
  flow's parameters) in ``pre_mutate``/``mutate``. The task applies them when it loads
  the flow (:func:`apply_mutators`), before it reads the step's decorators, so what they
  change in the decorators the shim applies (``@catch``, ``@timeout``, ``@environment``,
  ``@secrets``, user step decorators) takes effect. What engines apply from the compiled
  spec (``@retry``, ``@resources``, the graph, the parameters the engine passes) is fixed
  when the flow is compiled: ``flowc check`` reports every mutator at the line that
  applies it (FC460), see docs/runtime.md.

The objects attach to a step function as Metaflow's do: ``wrappers`` holds the user step
decorators, ``config_decorators`` the step mutators; a flow class lists its flow
mutators in ``_flowc_flow_mutators``.
"""

from __future__ import annotations

import inspect
import types

from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from runtime_shim.mutable import MutableFlow, MutableStep

USER_SKIP_STEP: dict[str, Any] = {}
_WRAPPERS = "wrappers"
_STEP_MUTATORS = "config_decorators"
_FLOW_MUTATORS = "_flowc_flow_mutators"


def _attached(target: Any, field: str) -> list[Any]:
    """The list ``field`` of a step function or flow class, created on first use."""
    found: list[Any] | None = target.__dict__.get(field)
    if found is None:
        found = []
        setattr(target, field, found)
    return found


class UserStepDecoratorBase:
    """What user step decorators and step mutators share: arguments and attachment."""

    _step_field: str | None = None  # where a subclass attaches: wrappers, config_decorators
    _allowed_args = False
    _allowed_kwargs = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args: tuple[Any, ...] | list[Any] = args
        self._kwargs = dict(kwargs)
        self._ran_init = False
        self._my_step: Any = None
        self.statically_defined = True
        self.inserted_by: str | None = None
        if args and callable(args[0]) and getattr(args[0], "is_step", False):
            self._set_my_step(args[0])  # bare: ``@MyDecorator`` above ``@step``
            self._args = args[1:]
        elif args and isinstance(args[0], UserStepDecoratorBase):
            self._set_my_step(args[0]._my_step)
            self._args = args[1:]
        if self._args and not self._allowed_args:
            raise MetaflowException(f"{self} does not allow arguments")
        if self._kwargs and not self._allowed_kwargs:
            raise MetaflowException(f"{self} does not allow keyword arguments")

    @property
    def decorator_name(self) -> str:
        return str(getattr(self, "_decorator_name", None) or _class_path(type(self)))

    def __get__(self, instance: Any, owner: Any) -> Any:
        # ``@MyDecorator`` (bare) leaves this object in the class body: it presents
        # itself as the step function it wraps.
        return self._my_step.__get__(instance, owner)

    def __call__(self, step: Any = None, **_special: Any) -> Any:
        if step is not None:
            if isinstance(step, UserStepDecoratorBase):
                step = step._my_step
            return self._set_my_step(step)
        if self._my_step is None:
            raise MetaflowException(f"{self} can only be applied to a step function")
        return self._my_step

    def _set_my_step(self, step: Any) -> Any:
        if not getattr(step, "is_step", False):
            raise MetaflowException(f"{self} can only be applied to a step function")
        self._my_step = step
        for field in self._all_step_fields():
            _attached(step, field).append(self)
        return step

    def _all_step_fields(self) -> list[str]:
        fields: list[str] = []
        for klass in type(self).__mro__:
            field = klass.__dict__.get("_step_field")
            if field is not None and field not in fields:
                fields.append(field)
        return fields

    def get_args_kwargs(self) -> tuple[list[Any], dict[str, Any]]:
        return list(self._args), dict(self._kwargs)

    def init(self, *args: Any, **kwargs: Any) -> None:
        """Override to take arguments (it replaces ``__init__``, as in Metaflow)."""

    def external_init(self) -> None:
        if self._ran_init:
            return
        implements_init = type(self).init is not UserStepDecoratorBase.init
        if (self._args or self._kwargs) and not implements_init:
            raise MetaflowException(f"{self} is used with arguments but does not implement init")
        if implements_init:
            self.init(*self._args, **self._kwargs)
        self._ran_init = True

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.decorator_name})"


class UserStepDecorator(UserStepDecoratorBase):
    """Derive from this to wrap steps (``pre_step``/``post_step``)."""

    _step_field = _WRAPPERS
    _allowed_args = False
    _allowed_kwargs = True

    def pre_step(self, step_name: str, flow: Any, inputs: Any = None) -> Callable[..., Any] | None:
        return None

    def post_step(self, step_name: str, flow: Any, exception: Exception | None = None) -> Any:
        return (exception, None) if exception else (None, None)

    @property
    def skip_step(self) -> bool | dict[str, Any]:
        value: bool | dict[str, Any] = getattr(self, "_skip_step", False)
        return value

    @skip_step.setter
    def skip_step(self, value: bool | dict[str, Any]) -> None:
        self._skip_step = value


class StepMutator(UserStepDecoratorBase):
    """Derive from this to change a step's decorators (``pre_mutate``/``mutate``)."""

    _step_field = _STEP_MUTATORS
    _allowed_args = True
    _allowed_kwargs = True

    def pre_mutate(self, mutable_step: MutableStep) -> None:
        return None

    def mutate(self, mutable_step: MutableStep) -> None:
        return None

    def add_to_package(self) -> list[Any]:
        return []


def user_step_decorator(*args: Any, **kwargs: Any) -> Any:
    """Turn a generator ``(step_name, flow, inputs[, attributes])`` into a step decorator.

    The code before its ``yield`` runs before the step, the code after it once the step
    returned (an exception of the step is raised at the ``yield``). Yielding a callable
    replaces the step; yielding a dict skips it (its items are ``self.next`` arguments).
    """
    if not args:
        return lambda function: user_step_decorator(function, **kwargs)
    function = args[0]
    if not isinstance(function, types.FunctionType) or not inspect.isgeneratorfunction(function):
        raise MetaflowException("@user_step_decorator can only decorate generator functions.")
    arg_count = len(inspect.signature(function).parameters)
    if arg_count not in (3, 4) or (kwargs and arg_count != 4):
        raise MetaflowException(
            "@user_step_decorator can only decorate generator functions with 3 or 4 "
            "arguments (step_name, flow, inputs [, attributes])."
        )
    return _generator_decorator_class(function, arg_count)


def _generator_decorator_class(function: Any, arg_count: int) -> type[UserStepDecorator]:
    class WrapClass(UserStepDecorator):
        _decorator_name = f"{function.__module__}.{function.__name__}"

        def init(self, *args: Any, **kwargs: Any) -> None:
            if args:
                raise MetaflowException(f"{self} takes keyword arguments only")
            self._attributes = kwargs

        def pre_step(self, step_name: str, flow: Any, inputs: Any = None) -> Any:
            extra = (getattr(self, "_attributes", {}),) if arg_count == 4 else ()
            self._generator = function(step_name, flow, inputs, *extra)
            yielded = self._generator.send(None)
            if isinstance(yielded, dict):
                self.skip_step = yielded or True
                return None
            return yielded

        def post_step(self, step_name: str, flow: Any, exception: Exception | None = None) -> Any:
            try:
                if exception is not None:
                    self._generator.throw(exception)
                else:
                    self._generator.send(None)
            except StopIteration as stop:
                return stop.value
            except Exception as raised:
                return raised
            return None, None, MetaflowException(f"{self} should only yield once")

    WrapClass.__name__ = WrapClass.__qualname__ = function.__name__
    WrapClass.__module__ = function.__module__
    WrapClass.__doc__ = function.__doc__
    return WrapClass


class FlowMutator:
    """Derive from this to change a flow's steps, decorators and parameters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._flow_cls: Any = None
        self._args: tuple[Any, ...] = args
        self._kwargs = kwargs
        self._ran_init = False
        self.statically_defined = True
        if args and isinstance(args[0], FlowMutator):
            self._set_flow_cls(args[0]._flow_cls)
            self._args = args[1:]
        elif args and isinstance(args[0], type):
            self._set_flow_cls(args[0])
            self._args = args[1:]

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        return (self._flow_cls,)

    def __call__(self, flow_spec: Any = None) -> Any:
        if flow_spec is not None:
            if isinstance(flow_spec, FlowMutator):
                flow_spec = flow_spec._flow_cls
            return self._set_flow_cls(flow_spec)
        if self._flow_cls is None:
            raise MetaflowException("A FlowMutator can only be applied to a FlowSpec")
        # ``@Mutator`` (bare) leaves this object under the flow's name: ``MyFlow()``.
        return self._flow_cls()

    def _set_flow_cls(self, flow_spec: Any) -> Any:
        _attached(flow_spec, _FLOW_MUTATORS).append(self)
        self._flow_cls = flow_spec
        return flow_spec

    def init(self, *args: Any, **kwargs: Any) -> None:
        """Override to take arguments (it replaces ``__init__``, as in Metaflow)."""

    def external_init(self) -> None:
        if not self._ran_init:
            self.init(*self._args, **self._kwargs)
            self._ran_init = True

    def pre_mutate(self, mutable_flow: MutableFlow) -> None:
        return None

    def mutate(self, mutable_flow: MutableFlow) -> None:
        return None

    def add_to_package(self) -> list[Any]:
        return []

    def __str__(self) -> str:
        return f"FlowMutator({_class_path(type(self))})"


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def flow_class_of(value: Any) -> Any:
    """The flow class behind ``value`` (a bare ``@FlowMutator`` leaves the mutator)."""
    return value._flow_cls if isinstance(value, FlowMutator) else value


def apply_mutators(cls: Any) -> None:
    """Run the flow's and its steps' mutators once per process (``pre_mutate``, then
    ``mutate``), then initialise every user step decorator."""
    from runtime_shim.mutable import MutableFlow, MutableStep

    if cls.__dict__.get("_flowc_mutated"):
        return
    cls._flowc_mutated = True
    flow_mutators = list(_inherited_flow_mutators(cls))
    for phase in ("pre_mutate", "mutate"):
        for mutator in flow_mutators:
            mutator.external_init()
            getattr(mutator, phase)(MutableFlow(cls, inserted_by=str(mutator)))
        for name, func in step_functions(cls):
            for step_mutator in list(func.__dict__.get(_STEP_MUTATORS, ())):
                step_mutator.external_init()
                getattr(step_mutator, phase)(MutableStep(cls, name, func, str(step_mutator)))
    for _name, func in step_functions(cls):
        for wrapper in func.__dict__.get(_WRAPPERS, ()):
            wrapper.external_init()


def _inherited_flow_mutators(cls: Any) -> Iterator[FlowMutator]:
    seen: set[int] = set()
    for klass in reversed(cls.__mro__):
        for mutator in klass.__dict__.get(_FLOW_MUTATORS, ()):
            if id(mutator) not in seen:
                seen.add(id(mutator))
                yield mutator


def step_functions(cls: Any) -> list[tuple[str, Any]]:
    """``(name, function)`` of every step of ``cls``, in definition order."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name in klass.__dict__:
            value = getattr(cls, name, None)
            if callable(value) and getattr(value, "is_step", False):
                found[name] = value
    return list(found.items())


def step_wrappers(func: Any) -> list[UserStepDecorator]:
    """The user step decorators of a step, outermost first."""
    return list(reversed(func.__dict__.get(_WRAPPERS, ())))
