"""``current``: what a running task knows about itself (Metaflow's ``current``)."""

from __future__ import annotations

from runtime_shim.cards.collector import CardComponentCollector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Current:
    """Filled by the shim before the step body runs; empty outside a task.

    The fields are Metaflow's: identity (``flow_name``, ``run_id``, ``step_name``,
    ``task_id``, ``retry_count``, ``pathspec``, ``origin_run_id``), who runs it
    (``username``, ``namespace``, ``tags``: the run's user tags), ``@project``'s
    (``project_name``, ``branch_name``, ``is_user_branch``, ``is_production``,
    ``project_flow_name``; None without ``@project``), ``parameter_names``,
    ``is_running_flow``, ``trigger`` (None: a local run is not triggered), ``parallel``,
    ``card``, ``tempdir``, and ``task``/``run``, the client objects of this task and run.
    ``_update_env`` adds fields, as Metaflow's decorators do.
    """

    def __init__(self) -> None:
        self.flow_name: str | None = None
        self.run_id: str | None = None
        self.step_name: str | None = None
        self.task_id: str | None = None
        self.retry_count: int = 0
        self.origin_run_id: str | None = None
        self.namespace: str | None = None
        self.username: str | None = None
        self.is_running_flow: bool = False
        self.is_production: bool = False
        self.is_user_branch: bool = False
        self.tags: set[str] = set()
        self.index_path: str = ""
        self.iteration: int = 0
        self.parameter_names: tuple[str, ...] = ()
        self.card = CardComponentCollector()
        self.parallel: Any = None
        self.is_parallel: bool = False
        self.trigger: Any = None
        self.project_name: str | None = None
        self.branch_name: str | None = None
        self.project_flow_name: str | None = None
        self.tempdir: str | None = None

    @property
    def pathspec(self) -> str | None:
        if not (self.flow_name and self.run_id and self.step_name and self.task_id):
            return None
        return f"{self.flow_name}/{self.run_id}/{self.step_name}/{self.task_id}"

    @property
    def task(self) -> Any:
        """The client's ``Task`` of the running task (None outside a task)."""
        pathspec = self.pathspec
        return None if pathspec is None else _client("Task", pathspec)

    @property
    def run(self) -> Any:
        """The client's ``Run`` of the running task's run (None outside a task)."""
        if not (self.flow_name and self.run_id):
            return None
        return _client("Run", f"{self.flow_name}/{self.run_id}")

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def __contains__(self, name: str) -> bool:
        return getattr(self, name, None) is not None

    def _set(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self, key, value)

    def _update_env(self, env: dict[str, Any]) -> None:
        """Add or replace fields (Metaflow's hook for decorators that extend ``current``)."""
        for key, value in env.items():
            if isinstance(getattr(type(self), key, None), property):
                setattr(type(self), key, property(_constant(value)))
            else:
                setattr(self, key, value)


def _constant(value: Any) -> Callable[[Any], Any]:
    def read(_self: Any) -> Any:
        return value

    return read


def _client(kind: str, pathspec: str) -> Any:
    """A client object of the running flow's datastore (loaded on first use only)."""
    import importlib
    import os

    client = importlib.import_module("flowc.client")
    datastore = os.environ.get("FLOWC_DATASTORE")
    return getattr(client, kind)(pathspec, datastore, _namespace_check=False)


current = Current()
