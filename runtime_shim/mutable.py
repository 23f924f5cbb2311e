"""``MutableStep`` and ``MutableFlow``: what a mutator's ``mutate`` is given.

A decorator of the catalogue (``retry``, ``environment``, ...) is added with its
arguments resolved by the catalogue, exactly as if it had been written on the step; a
user step decorator (a ``UserStepDecorator`` class, a ``user_step_decorator`` function or
an instance of one) is attached as a wrapper. A decorator may be given as an object, a
name, or Metaflow's spec string ``"name:arg=value,arg2=value2"`` (values are JSON, else
numbers, else text, as Metaflow reads them).
"""

from __future__ import annotations

import json
import re

from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

_STEP_ATTRIBUTE = "_flowc_decorators"
_FLOW_ATTRIBUTE = "_flowc_flow_decorators"


class _Mutable:
    """What a mutable step and a mutable flow share."""

    # What ``add_decorator`` does when the decorator is already there.
    IGNORE = 1
    ERROR = 2
    OVERRIDE = 3

    def decorator_specs(self) -> Iterator[tuple[str, str, list[Any], dict[str, Any]]]:
        raise NotImplementedError

    def has_decorator(self, name: str) -> bool:
        return any(_matches(short, full, name) for short, full, _a, _k in self.decorator_specs())

    @staticmethod
    def _requested(
        deco_type: Any, deco_kwargs: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any]]:
        """The decorator and its arguments, a spec string read into both."""
        kwargs = dict(deco_kwargs or {})
        if isinstance(deco_type, str):
            deco_type, written = parse_decorator_spec(deco_type)
            kwargs = {**written, **kwargs}
        return deco_type, kwargs


def parse_decorator_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``"name:a=1,b=x"`` -> ``("name", {"a": 1, "b": "x"})``."""
    name, _, rest = spec.partition(":")
    kwargs: dict[str, Any] = {}
    if rest:
        for item in re.split(r",(?=[\s\w]+=)", rest):
            key, _, raw = item.partition("=")
            kwargs[key.strip()] = _spec_value(raw.strip())
    return name.strip(), kwargs


def _spec_value(raw: str) -> Any:
    try:
        return json.loads(raw.replace('\\"', '"'))
    except json.JSONDecodeError:
        pass
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            continue
    return raw


def _catalogue_name(deco_type: Any, placement: str) -> str | None:
    """The catalogue name of ``deco_type`` (a name or a decorator function), if any."""
    from runtime_shim.catalogue import DECORATORS

    name = deco_type if isinstance(deco_type, str) else getattr(deco_type, "__name__", None)
    spec = DECORATORS.get(name) if isinstance(name, str) else None
    if spec is None or spec.placement != placement:
        return None
    if not isinstance(deco_type, str):
        from runtime_shim.decorators import decorator_function

        if deco_type is not decorator_function(spec.name):
            return None
    return spec.name


def _add_catalogue(
    target: Any, attribute: str, name: str, kwargs: dict[str, Any], duplicates: int
) -> dict[str, Any] | None:
    from runtime_shim.catalogue import DECORATORS
    from runtime_shim.decorators import resolved_arguments

    existing: dict[str, dict[str, Any]] = dict(getattr(target, attribute, {}))
    if name in existing:
        if duplicates == _Mutable.IGNORE:
            return None
        if duplicates == _Mutable.ERROR:
            raise MetaflowException(f"@{name} is already applied to {target.__name__}")
    existing[name] = resolved_arguments(DECORATORS[name], kwargs)
    setattr(target, attribute, existing)
    return existing[name]


class MutableStep(_Mutable):
    """One step as a ``StepMutator`` (or a ``FlowMutator``'s ``steps``) sees it."""

    def __init__(self, flow_cls: Any, name: str, func: Any, inserted_by: str | None) -> None:
        self._flow_cls = flow_cls
        self._name = name
        self._func = func
        self._inserted_by = inserted_by

    @property
    def name(self) -> str:
        return self._name

    @property
    def flow(self) -> MutableFlow:
        return MutableFlow(self._flow_cls, self._inserted_by)

    def decorator_specs(self) -> Iterator[tuple[str, str, list[Any], dict[str, Any]]]:
        for name, arguments in getattr(self._func, _STEP_ATTRIBUTE, {}).items():
            yield name, f"metaflow.{name}", [], dict(arguments)
        seen: set[int] = set()
        for field in ("wrappers", "config_decorators"):
            for deco in self._func.__dict__.get(field, ()):
                if id(deco) not in seen:
                    seen.add(id(deco))
                    args, kwargs = deco.get_args_kwargs()
                    yield type(deco).__name__, deco.decorator_name, args, kwargs

    def add_decorator(
        self,
        deco_type: Any,
        deco_args: list[Any] | None = None,
        deco_kwargs: dict[str, Any] | None = None,
        duplicates: int = _Mutable.IGNORE,
    ) -> Any:
        """Add a decorator; returns what was added, or None when a duplicate was ignored."""
        from runtime_shim.user_decorators import UserStepDecoratorBase

        deco_type, kwargs = self._requested(deco_type, deco_kwargs)
        name = _catalogue_name(deco_type, "step")
        if name is not None:
            if deco_args:
                raise MetaflowException(f"@{name} takes keyword arguments only")
            return _add_catalogue(self._func, _STEP_ATTRIBUTE, name, kwargs, duplicates)
        if isinstance(deco_type, type) and issubclass(deco_type, UserStepDecoratorBase):
            deco_type = deco_type(*(deco_args or ()), **kwargs)
        if not isinstance(deco_type, UserStepDecoratorBase):
            raise MetaflowException(f"{deco_type!r} is not a step decorator flowc knows")
        if any(
            d.decorator_name == deco_type.decorator_name
            for d in self._func.__dict__.get(deco_type._step_field, ())
        ):
            if duplicates == self.IGNORE:
                return None
            if duplicates == self.ERROR:
                raise MetaflowException(f"{deco_type} is already applied to step {self._name}")
            self.remove_decorator(deco_type.decorator_name)
        deco_type.statically_defined = False
        deco_type.inserted_by = self._inserted_by
        deco_type(self._func)
        deco_type.external_init()
        return deco_type

    def remove_decorator(
        self,
        deco_name: str,
        deco_args: list[Any] | None = None,
        deco_kwargs: dict[str, Any] | None = None,
    ) -> bool:
        """Remove the decorators named ``deco_name``; True if one was removed."""
        removed = False
        existing = dict(getattr(self._func, _STEP_ATTRIBUTE, {}))
        if deco_name in existing:
            del existing[deco_name]
            setattr(self._func, _STEP_ATTRIBUTE, existing)
            removed = True
        for field in ("wrappers", "config_decorators"):
            kept = [
                d
                for d in self._func.__dict__.get(field, ())
                if not _matches(type(d).__name__, d.decorator_name, deco_name)
            ]
            if len(kept) != len(self._func.__dict__.get(field, ())):
                setattr(self._func, field, kept)
                removed = True
        return removed


class MutableFlow(_Mutable):
    """The flow as a ``FlowMutator`` sees it."""

    def __init__(self, flow_cls: Any, inserted_by: str | None = None) -> None:
        self._flow_cls = flow_cls
        self._inserted_by = inserted_by

    @property
    def steps(self) -> Iterator[tuple[str, MutableStep]]:
        from runtime_shim.user_decorators import step_functions

        for name, func in step_functions(self._flow_cls):
            yield name, MutableStep(self._flow_cls, name, func, self._inserted_by)

    @property
    def parameters(self) -> Iterator[tuple[str, Any]]:
        from runtime_shim.params import declared_parameters

        yield from declared_parameters(self._flow_cls).items()

    @property
    def configs(self) -> Iterator[tuple[str, Any]]:
        from runtime_shim.parameters import Parameter

        for name in dir(self._flow_cls):
            value = getattr(self._flow_cls, name, None)
            if type(value).__name__ == "Config" and isinstance(value, Parameter):
                yield name, value

    def decorator_specs(self) -> Iterator[tuple[str, str, list[Any], dict[str, Any]]]:
        for name, arguments in getattr(self._flow_cls, _FLOW_ATTRIBUTE, {}).items():
            yield name, f"metaflow.{name}", [], dict(arguments)

    def add_decorator(
        self,
        deco_type: Any,
        deco_args: list[Any] | None = None,
        deco_kwargs: dict[str, Any] | None = None,
        duplicates: int = _Mutable.IGNORE,
    ) -> Any:
        deco_type, kwargs = self._requested(deco_type, deco_kwargs)
        name = _catalogue_name(deco_type, "flow")
        if name is None:
            raise MetaflowException(f"{deco_type!r} is not a flow decorator flowc knows")
        return _add_catalogue(self._flow_cls, _FLOW_ATTRIBUTE, name, kwargs, duplicates)

    def remove_decorator(self, deco_name: str, *_args: Any, **_kwargs: Any) -> bool:
        existing = dict(getattr(self._flow_cls, _FLOW_ATTRIBUTE, {}))
        if deco_name not in existing:
            return False
        del existing[deco_name]
        setattr(self._flow_cls, _FLOW_ATTRIBUTE, existing)
        return True

    def add_parameter(self, name: str, value: Any, overwrite: bool = False) -> None:
        if hasattr(self._flow_cls, name) and not overwrite:
            raise MetaflowException(
                f"Flow '{self._flow_cls.__name__}' already has a class member '{name}' -- "
                "use overwrite=True to replace it"
            )
        setattr(self._flow_cls, name, value)

    def remove_parameter(self, parameter_name: str) -> bool:
        from runtime_shim.params import declared_parameters

        if parameter_name not in declared_parameters(self._flow_cls):
            return False
        for klass in self._flow_cls.__mro__:
            if parameter_name in klass.__dict__:
                delattr(klass, parameter_name)
                break
        return True


def _matches(short: str, full: str, query: str) -> bool:
    return query in (short, full) or full.endswith(f".{query}")
