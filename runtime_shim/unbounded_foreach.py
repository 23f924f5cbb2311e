"""Unbounded foreach inputs (Metaflow's ``metaflow.unbounded_foreach``).

A foreach over an ``UnboundedForeachInput`` is one whose width a plugin decides while the
flow runs. ``InternalTestUnboundedForeachInput`` is the wrapper Metaflow's own tests use
with ``@unbounded_test_foreach_internal``: it wraps any sized iterable, and its width is
known once the split step has run, so flowc runs it as the foreach of that many tasks.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

#: Metaflow's names for a control task and its mappers (task metadata and ubf contexts).
CONTROL_TASK_TAG = "control_task"
UBF_CONTROL = "ubf_control"
UBF_TASK = "ubf_task"


class UnboundedForeachInput:
    """Base class of the inputs that make a foreach unbounded."""


class InternalTestUnboundedForeachInput(UnboundedForeachInput):
    """Wraps ``iterable``; item ``None`` is the whole input (what a control task reads)."""

    NAME = "InternalTestUnboundedForeachInput"

    def __init__(self, iterable: Any) -> None:
        self.iterable = iterable

    def __iter__(self) -> Iterator[Any]:
        return iter(self.iterable)

    def __getitem__(self, key: Any) -> Any:
        if key is None:
            return self
        return self.iterable[key]

    def __len__(self) -> int:
        return len(self.iterable)

    def __str__(self) -> str:
        return str(self.iterable)

    def __repr__(self) -> str:
        return f"{self.NAME}({self.iterable!r})"
