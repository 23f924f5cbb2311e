"""``FlowSpec``: the base class of every flow, and ``Inputs`` for join steps.

A flow object is a view of one task's artifacts. Inherited artifacts are references
(``ArtifactRef``) and are unpickled only when the step reads them; whatever the step
assigns lives in ``__dict__`` and is persisted when the task commits. Internal state sits
in a single ``_flowc`` attribute so it never becomes an artifact.
"""

from __future__ import annotations

import itertools
from collections import namedtuple

from runtime_shim.exceptions import (
    InvalidNextException,
    MetaflowException,
    MissingInMergeArtifactsException,
    UnhandledInMergeArtifactsException,
)
from runtime_shim.parallel import PARALLEL_VAR

#: One level of a task's foreach nesting, as Metaflow's ``FlowSpec._foreach_stack`` gives it.
ForeachFrame = namedtuple("ForeachFrame", ["step", "var", "num_splits", "index", "value"])

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    Frame = tuple[str, str, int, int]  # (split step, foreach variable, index, num_splits)


class Transition:
    """What ``self.next(...)`` asked for, resolved at run time.

    Plain classes, not dataclasses: this module is imported by every task and
    ``dataclasses`` is slow to import.
    """

    __slots__ = ("foreach", "num_splits", "switch_target", "targets")

    def __init__(
        self,
        targets: list[str],
        foreach: str | None = None,
        num_splits: int | None = None,
        switch_target: str | None = None,
    ) -> None:
        self.targets = targets
        self.foreach = foreach
        self.num_splits = num_splits
        self.switch_target = switch_target


class TaskState:
    """A flow object's internal state: its step, artifact refs and foreach frames."""

    def __init__(
        self,
        step: str = "",
        refs: dict[str, Any] | None = None,
        load: Callable[[Any], Any] | None = None,
        frames: list[Frame] | None = None,
        is_join: bool = False,
    ) -> None:
        self.step = step
        self.refs: dict[str, Any] = refs if refs is not None else {}
        self.load = load
        self.frames: list[Frame] = frames if frames is not None else []
        self.is_join = is_join
        self.transition: Transition | None = None
        self.cached_input: dict[int, Any] = {}


class FlowSpec:
    """Subclass this and decorate methods with ``@step``; ``MyFlow()`` under ``__main__``
    gives the flow a command line (``python flow.py run``)."""

    _flowc: TaskState

    def __init__(self, use_cli: bool = True) -> None:
        object.__setattr__(self, "_flowc", TaskState())
        if use_cli:
            from flowc.flowcli.main import main

            main(type(self))

    @classmethod
    def _flowc_new(cls, state: TaskState) -> FlowSpec:
        flow = cls.__new__(cls)
        object.__setattr__(flow, "_flowc", state)
        return flow

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def _graph(self) -> Any:
        """The step graph, shaped like Metaflow's ``FlowGraph`` (see ``runtime_shim.flowgraph``)."""
        from runtime_shim.flowgraph import graph_of

        return graph_of(type(self))

    @property
    def _current_step(self) -> str | None:
        """The step this task runs (Metaflow's attribute of the same name)."""
        return self._flowc.step or None

    def __iter__(self) -> Iterator[Any]:
        """The flow's steps as Metaflow lists them (by name), each with ``.name``."""
        cls = type(self)
        for attribute in sorted(dir(cls)):
            if getattr(getattr(cls, attribute, None), "is_step", False) is True:
                yield getattr(self, attribute)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_flowc") or name.startswith("__"):
            raise AttributeError(name)
        state = self._flowc
        if name in state.refs and state.load is not None:
            value = state.load(state.refs[name])
            object.__setattr__(self, name, value)
            return value
        raise AttributeError(f"Flow {type(self).__name__} has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        from runtime_shim.params import frozen_names

        if name in frozen_names(type(self)):
            # Metaflow's message: a new process runs each step, so such a change is lost.
            raise AttributeError("Flow level attributes and Parameters are not modifiable")
        object.__setattr__(self, name, value)

    def _flowc_artifact_names(self) -> set[str]:
        names = {n for n in self.__dict__ if n != "_flowc"}
        return names | set(self._flowc.refs)

    # -- foreach ---------------------------------------------------------------------
    @property
    def index(self) -> int | None:
        frames = self._flowc.frames
        return frames[-1][2] if frames else None

    @property
    def input(self) -> Any:
        return self._find_input()

    def _find_input(self, stack_index: int | None = None) -> Any:
        state = self._flowc
        if not state.frames:
            return None
        if stack_index is None:
            stack_index = len(state.frames) - 1
        if stack_index in state.cached_input:
            return state.cached_input[stack_index]
        _step, var, index, _n = state.frames[stack_index]
        if var == PARALLEL_VAR:
            # A @parallel node's input is its node index, as in Metaflow.
            return index
        try:
            values = getattr(self, var)
        except AttributeError:
            value = None
        else:
            try:
                value = values[index]
            except (TypeError, KeyError):
                value = next(itertools.islice(iter(values), index, index + 1))
        state.cached_input[stack_index] = value
        return value

    def foreach_stack(self) -> list[tuple[int, int | None, Any]]:
        return [
            (f[2], self._num_splits(i), self._find_input(i))
            for i, f in enumerate(self._flowc.frames)
        ]

    def _num_splits(self, stack_index: int) -> int | None:
        """A frame's width; ``None`` for an unbounded foreach, as in Metaflow."""
        from runtime_shim.unbounded_foreach import UnboundedForeachInput

        _step, var, _index, count = self._flowc.frames[stack_index]
        if isinstance(getattr(self, var, None), UnboundedForeachInput):
            return None
        return int(count)

    @property
    def _foreach_stack(self) -> list[Any]:
        """Metaflow's frames (``step``, ``var``, ``num_splits``, ``index``, ``value``),
        which flows and Metaflow's own tests read."""
        return [
            ForeachFrame(f[0], f[1], self._num_splits(i), f[2], self._find_input(i))
            for i, f in enumerate(self._flowc.frames)
        ]

    # -- transitions -----------------------------------------------------------------
    def next(
        self,
        *dsts: Any,
        foreach: str | None = None,
        condition: str | None = None,
        num_parallel: int | None = None,
        **kwargs: Any,
    ) -> None:
        step = self._flowc.step
        if kwargs:
            raise InvalidNextException(
                f"Step *{step}* passes an unknown keyword argument '{next(iter(kwargs))}' "
                "to self.next()."
            )
        if self._flowc.transition is not None:
            raise InvalidNextException(
                f"Multiple self.next() calls detected in step *{step}*. Call self.next() only once."
            )
        if condition is not None:
            self._flowc.transition = self._switch(step, dsts, condition)
            return
        if len(dsts) == 1 and isinstance(dsts[0], dict):
            raise InvalidNextException(
                f"Step *{step}* has an invalid self.next() transition. "
                "Dictionary argument requires 'condition' parameter."
            )
        names = [_target_name(step, d, i) for i, d in enumerate(dsts)]
        if not names:
            raise InvalidNextException(
                f"Step *{step}* has an invalid self.next() transition. "
                "Specify at least one step function as an argument in self.next()."
            )
        if num_parallel is not None and num_parallel >= 1:
            self._flowc.transition = Transition(names, PARALLEL_VAR, int(num_parallel))
            return
        if foreach is None:
            self._flowc.transition = Transition(names)
            return
        if len(names) != 1:
            raise InvalidNextException(
                f"Step *{step}* has an invalid self.next() transition. "
                "Specify exactly one target for 'foreach'."
            )
        try:
            values = getattr(self, foreach)
        except AttributeError:
            raise InvalidNextException(
                f"Foreach variable *self.{foreach}* in step *{step}* does not exist. "
                "Check your variable."
            ) from None
        try:
            count = len(values) if hasattr(values, "__len__") else sum(1 for _ in values)
        except TypeError as exc:
            raise InvalidNextException(
                f"Foreach variable *self.{foreach}* in step *{step}* is not iterable. "
                f"Please check details: {exc}"
            ) from None
        if count == 0:
            raise InvalidNextException(
                f"Foreach iterator over *{foreach}* in step *{step}* produced zero "
                "splits. Check your variable."
            )
        _check_split_limit(step, count)
        self._flowc.transition = Transition(names, foreach, count)

    def _switch(self, step: str, dsts: tuple[Any, ...], condition: str) -> Transition:
        if len(dsts) != 1 or not isinstance(dsts[0], dict) or not dsts[0]:
            raise InvalidNextException(
                f"Step *{step}* has an invalid self.next() transition. When using "
                "'condition', the transition must be to a single, non-empty dictionary "
                "mapping condition values to step methods."
            )
        try:
            value = getattr(self, condition)
        except AttributeError:
            raise InvalidNextException(
                f"Condition variable *self.{condition}* in step *{step}* does not exist. "
                f"Make sure you set self.{condition} in this step."
            ) from None
        cases = dsts[0]
        if value not in cases:
            raise RuntimeError(
                f"Switch condition variable '{condition}' has value '{value}' which is not "
                f"in the available cases: {list(cases.keys())}"
            )
        target = _target_name(step, cases[value], 0)
        return Transition([target], switch_target=target)

    # -- joins -----------------------------------------------------------------------
    def merge_artifacts(
        self, inputs: Inputs, exclude: list[str] | None = None, include: list[str] | None = None
    ) -> None:
        """Metaflow's ``merge_artifacts``: same rules, same errors."""
        include = include or []
        exclude = exclude or []
        step = self._flowc.step
        if not self._flowc.is_join:
            raise MetaflowException(
                f"merge_artifacts can only be called in a join and step *{step}* is not a join"
            )
        if exclude and include:
            raise MetaflowException(
                "`exclude` and `include` are mutually exclusive in merge_artifacts"
            )
        to_merge: dict[str, tuple[FlowSpec, str]] = {}
        unresolved: list[str] = []
        for inp in inputs:
            for var, ref in inp._flowc_items():
                wanted = var in include if include else var not in exclude
                if not wanted or hasattr(self, var):
                    continue
                _, previous = to_merge.setdefault(var, (inp, ref.sha))
                if previous != ref.sha:
                    unresolved.append(var)
        missing = [v for v in include if v not in to_merge and not hasattr(self, v)]
        if unresolved:
            raise UnhandledInMergeArtifactsException(
                f"Step *{step}* cannot merge the following artifacts due to them having "
                f"conflicting values:\n[{', '.join(unresolved)}].\nTo remedy this issue, be "
                "sure to explicitly set those artifacts (using self.<artifact_name> = ...) "
                "prior to calling merge_artifacts.",
                unresolved,
            )
        if missing:
            raise MissingInMergeArtifactsException(
                f"Step *{step}* specifies that [{', '.join(include)}] should be merged but "
                f"[{', '.join(missing)}] are not present.\nTo remedy this issue, make sure "
                "that the values specified in only come from at least one branch",
                missing,
            )
        for var, (inp, _) in to_merge.items():
            self._flowc.refs[var] = inp._flowc.refs[var]

    def _flowc_items(self) -> Iterator[tuple[str, Any]]:
        """(name, ArtifactRef) of this input's user artifacts, for merging."""
        for name, ref in self._flowc.refs.items():
            if not name.startswith("_"):
                yield name, ref


class Inputs:
    """The ``inputs`` of a join step: iterable, indexable, and by step name."""

    def __init__(self, flows: list[FlowSpec]) -> None:
        self._flows = flows
        for flow in flows:
            object.__setattr__(self, flow._flowc.step, flow)

    def __getitem__(self, index: int) -> FlowSpec:
        return self._flows[index]

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)


def _check_split_limit(step: str, count: int) -> None:
    """``run --max-num-splits``: a foreach wider than the limit fails, as in Metaflow."""
    import os

    limit = os.environ.get("FLOWC_MAX_NUM_SPLITS")
    if limit and count > int(limit):
        raise InvalidNextException(
            f"Foreach in step *{step}* yielded {count} child steps which is more than the "
            f"current maximum of {limit} children. You can raise the maximum with the "
            "--max-num-splits option."
        )


def _target_name(step: str, target: Any, position: int) -> str:
    try:
        name: str = target.__func__.__name__
    except AttributeError:
        raise InvalidNextException(
            f"In step *{step}* the {position + 1}. argument in self.next() is not a "
            "function. Make sure all arguments in self.next() are methods of the Flow "
            "class."
        ) from None
    return name
