"""What every client object shares: its pathspec, the run's tags, the namespace check.

Shaped like Metaflow's ``MetaflowObject``: an object is built from a pathspec
(``Run("Flow/RUN")``) or by its parent (``flow["RUN"]``); it raises
``MetaflowNamespaceMismatch`` when the current namespace is not one of its run's tags
(unless built with ``_namespace_check=False`` or in the global namespace ``None``), and
the objects it hands out inherit its namespace setting.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, ClassVar

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore
from runtime_shim.exceptions import (
    MetaflowInvalidPathspec,
    MetaflowNamespaceMismatch,
    MetaflowNotFound,
)
from runtime_shim.identity import get_namespace

_DEFAULT_ROOT: str | None = None


def set_datastore(url: str | None) -> None:
    """Use ``url`` as the default datastore root for this process (None: back to default)."""
    global _DEFAULT_ROOT
    _DEFAULT_ROOT = url


def datastore_root(url: str | None = None) -> str:
    return (
        url
        or _DEFAULT_ROOT
        or os.environ.get("FLOWC_DATASTORE")
        or os.path.join(os.getcwd(), ".flowc")
    )


def timestamp(seconds: float | None) -> datetime | None:
    """Metaflow's timestamps are naive local ``datetime`` values."""
    return datetime.fromtimestamp(seconds) if seconds is not None else None


class MetaflowObject:
    """Base of Flow, Run, Step, Task and DataArtifact."""

    _NAME: ClassVar[str] = "base"
    _SHAPE: ClassVar[str] = ""

    def __init__(
        self,
        pathspec: str,
        datastore: str | None = None,
        *,
        _namespace_check: bool = True,
        _current_namespace: str | None = None,
        _ds: FlowDatastore | None = None,
    ) -> None:
        components = pathspec.split("/")
        if len(components) != self._SHAPE.count("/") + 1 or not all(components):
            raise MetaflowInvalidPathspec(f"Expects {type(self).__name__}('{self._SHAPE}')")
        self.pathspec = pathspec
        self.id = components[-1]
        self.flow_name = components[0]
        self._ds = _ds or FlowDatastore(open_object_store(datastore_root(datastore)), components[0])
        self._current_namespace = _current_namespace or get_namespace()
        self._namespace_check = _namespace_check and self._current_namespace is not None

    def _check_namespace(self) -> None:
        if self._namespace_check and self._current_namespace not in self.tags:
            raise MetaflowNamespaceMismatch(self._current_namespace)

    def _child_options(self) -> dict[str, Any]:
        """What a child object inherits: the datastore and the namespace setting."""
        return {
            "_ds": self._ds,
            "_namespace_check": self._namespace_check,
            "_current_namespace": self._current_namespace if self._namespace_check else None,
        }

    def _not_found(self) -> MetaflowNotFound:
        return MetaflowNotFound(f"{self} does not exist")

    # -- Metaflow's common properties --------------------------------------------------
    @property
    def tags(self) -> frozenset[str]:
        """The run's user and system tags (a Flow has none)."""
        return frozenset()

    @property
    def user_tags(self) -> frozenset[str]:
        return frozenset()

    @property
    def system_tags(self) -> frozenset[str]:
        return frozenset()

    @property
    def path_components(self) -> list[str]:
        return self.pathspec.split("/")

    @property
    def parent(self) -> Any:
        """The containing object, built without a namespace check (as in Metaflow)."""
        return self._parent_object()

    def _parent_object(self) -> MetaflowObject | None:
        return None

    def is_in_namespace(self) -> bool:
        ns = get_namespace()
        return ns is None or ns in self.tags

    def __str__(self) -> str:
        return f"{type(self).__name__}('{self.pathspec}')"

    def __repr__(self) -> str:
        return str(self)


class RunMember(MetaflowObject):
    """A Step or Task: it shows the tags of the run it belongs to."""

    run_id: str
    _run: Any = None

    @property
    def _run_object(self) -> Any:
        if self._run is None:
            from flowc.client._run import Run

            self._run = Run(f"{self.flow_name}/{self.run_id}", _ds=self._ds, _namespace_check=False)
        return self._run

    @property
    def tags(self) -> frozenset[str]:
        tags: frozenset[str] = self._run_object.tags
        return tags

    @property
    def user_tags(self) -> frozenset[str]:
        tags: frozenset[str] = self._run_object.user_tags
        return tags

    @property
    def system_tags(self) -> frozenset[str]:
        tags: frozenset[str] = self._run_object.system_tags
        return tags


def is_running_here(pathspec: str) -> bool:
    """Whether ``pathspec`` is (a prefix of) the task running in this process.

    A task's files are written when it ends, yet the step body may look itself up
    (``Task(current.pathspec).parent.parent.add_tag(...)``), as in Metaflow.
    """
    from runtime_shim.current import current

    running = current.pathspec
    return running is not None and (running == pathspec or running.startswith(f"{pathspec}/"))


def newest_first(objects: list[Any]) -> list[Any]:
    """Metaflow's iteration order: by creation time, newest first."""
    return sorted(objects, key=lambda o: o._sort_key(), reverse=True)
