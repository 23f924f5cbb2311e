"""Step, Run, Flow and Metaflow: the containers of the client's hierarchy.

Children are listed newest first, as Metaflow lists them; ``Flow.runs(*tags)``,
``Run.steps(*tags)`` and ``Step.tasks(*tags)`` keep the children that carry every tag.
A run's tags are its system tags (recorded when it started) and its user tags
(``run --tag``, changed with ``add_tag``/``remove_tag``/``replace_tag``); steps, tasks and
artifacts show their run's tags.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any

from flowc.client._base import (
    MetaflowObject,
    RunMember,
    datastore_root,
    is_running_here,
    newest_first,
    timestamp,
)
from flowc.client._tags import mutate_user_tags, user_tags
from flowc.client._task import MetaflowData, Task
from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore, task_id, task_key_of
from runtime_shim.exceptions import MetaflowNamespaceMismatch, MetaflowNotFound
from runtime_shim.identity import get_namespace
from runtime_shim.parallel import CONTROL_TASK_FIELD, CONTROL_TASK_VALUE


def _with_tags(children: Iterable[Any], tags: tuple[str, ...]) -> list[Any]:
    return [c for c in children if all(t in c.tags for t in tags)]


class Step(RunMember):
    """A step of a run: ``Step("Flow/RUN/STEP")`` or ``run[STEP]``; its tasks newest first."""

    _NAME = "step"
    _SHAPE = "FlowName/RunID/StepName"

    def __init__(
        self,
        pathspec: str,
        datastore: str | None = None,
        *,
        _run: Run | None = None,
        **options: Any,
    ) -> None:
        super().__init__(pathspec, datastore, **options)
        _flow, self.run_id, _step = self.path_components
        if self.id not in self._ds.list_steps(self.run_id) and not is_running_here(pathspec):
            raise self._not_found()
        self._run = _run
        self._check_namespace()

    def _parent_object(self) -> Run:
        run: Run = self._run_object
        return run

    def task_ids(self) -> list[str]:
        """The ids of the step's tasks, in index-path order."""
        return [t.id for t in sorted(self._all_tasks(), key=lambda t: t._index_key())]

    @cached_property
    def _keys(self) -> list[str]:
        return self._ds.list_tasks(self.run_id, self.id)

    def _all_tasks(self) -> list[Task]:
        return [self._task(key) for key in self._keys]

    def _task(self, key: str) -> Task:
        return Task(
            f"{self.pathspec}/{task_id(self.id, key)}", _run=self._run, **self._child_options()
        )

    def tasks(self, *tags: str) -> list[Task]:
        return _with_tags(self, tags)

    def __iter__(self) -> Iterator[Task]:
        return iter(newest_first(self._all_tasks()))

    def __getitem__(self, ident: str) -> Task:
        key = task_key_of(self.id, ident or "_")
        if key is None or key not in self._keys:
            raise KeyError(ident)
        return self._task(key)

    def __contains__(self, ident: str) -> bool:
        return task_key_of(self.id, ident or "_") in self._keys

    @property
    def task(self) -> Task | None:
        """One task of the step: a committed one if any."""
        tasks = list(self)
        return next((t for t in tasks if t.finished), tasks[0] if tasks else None)

    @property
    def control_task(self) -> Task | None:
        """The control task (node 0) of a ``@parallel`` step."""
        return next(iter(self.control_tasks()), None)

    def control_tasks(self, *tags: str) -> list[Task]:
        return [
            t
            for t in self.tasks(*tags)
            if t.metadata_dict.get(CONTROL_TASK_FIELD) == CONTROL_TASK_VALUE
        ]

    @property
    def created_at(self) -> datetime | None:
        stamps = [t.created_at for t in self._all_tasks() if t.created_at is not None]
        return min(stamps) if stamps else None

    @property
    def finished_at(self) -> datetime | None:
        stamps = [t.finished_at for t in self._all_tasks()]
        if not stamps or any(s is None for s in stamps):
            return None
        return max(s for s in stamps if s is not None)

    @property
    def origin_pathspec(self) -> str | None:
        origin = self._run_object.origin_pathspec
        return f"{origin}/{self.id}" if origin else None

    @property
    def parent_steps(self) -> list[Step]:
        """The steps whose tasks fed this step's tasks."""
        names: list[str] = []
        for task in self._all_tasks():
            for spec in task.parent_task_pathspecs:
                name = spec.split("/")[2]
                if name not in names:
                    names.append(name)
        return [self._sibling(n) for n in names]

    @property
    def child_steps(self) -> list[Step]:
        """The steps this step's tasks transitioned to."""
        names: list[str] = []
        for task in self._all_tasks():
            for name in task._record.get("next", []) if task._record else []:
                if name not in names and name in self._ds.list_steps(self.run_id):
                    names.append(name)
        return [self._sibling(n) for n in names]

    def _sibling(self, name: str) -> Step:
        return Step(
            f"{self.flow_name}/{self.run_id}/{name}",
            _ds=self._ds,
            _namespace_check=False,
            _run=self._run,
        )

    def _sort_key(self) -> Any:
        created = self.created_at
        return created.timestamp() if created else sys.float_info.max


class Run(MetaflowObject):
    """A run of a flow: ``Run("Flow/RUN")`` or ``flow[RUN]``; its steps newest first."""

    _NAME = "run"
    _SHAPE = "FlowName/RunID"

    def __init__(self, pathspec: str, datastore: str | None = None, **options: Any) -> None:
        super().__init__(pathspec, datastore, **options)
        if self._ds.read_run(self.id) is None and not self._ds.list_steps(self.id):
            raise self._not_found()
        self._user_tags = user_tags(self._ds, self.id, self._record)
        self._check_namespace()

    @cached_property
    def _record(self) -> dict[str, Any]:
        return self._ds.read_run(self.id) or {}

    # -- tags ---------------------------------------------------------------------------
    @property
    def system_tags(self) -> frozenset[str]:
        return frozenset(self._record.get("system_tags", ()))

    @property
    def user_tags(self) -> frozenset[str]:
        return self._user_tags

    @property
    def tags(self) -> frozenset[str]:
        return self.system_tags | self._user_tags

    def add_tag(self, tag: str | Iterable[str]) -> None:
        """Add a user tag (a tag that is a system tag is not added; no error)."""
        self.replace_tags([], [tag] if isinstance(tag, (str, bytes)) else tag)

    def add_tags(self, tags: Iterable[str]) -> None:
        self.replace_tags([], tags)

    def remove_tag(self, tag: str | Iterable[str]) -> None:
        """Remove a user tag; removing a system tag is an error."""
        self.replace_tags([tag] if isinstance(tag, (str, bytes)) else tag, [])

    def remove_tags(self, tags: Iterable[str]) -> None:
        self.replace_tags(tags, [])

    def replace_tag(
        self, tag_to_remove: str | Iterable[str], tag_to_add: str | Iterable[str]
    ) -> None:
        remove = [tag_to_remove] if isinstance(tag_to_remove, (str, bytes)) else tag_to_remove
        add = [tag_to_add] if isinstance(tag_to_add, (str, bytes)) else tag_to_add
        self.replace_tags(remove, add)

    def replace_tags(self, tags_to_remove: Iterable[str], tags_to_add: Iterable[str]) -> None:
        """Remove, then add, atomically (safe against concurrent writers)."""
        self._user_tags = mutate_user_tags(
            self._ds, self.id, self._record, self.system_tags, tags_to_remove, tags_to_add
        )

    # -- fields -------------------------------------------------------------------------
    def _parent_object(self) -> Flow:
        return Flow(self.flow_name, _ds=self._ds, _namespace_check=False)

    @property
    def parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = self._record.get("parameters", {})
        return params

    @property
    def created_at(self) -> datetime | None:
        return timestamp(self._record.get("created"))

    @property
    def finished_at(self) -> datetime | None:
        task = self.end_task
        return task.finished_at if task else None

    @property
    def origin_run_id(self) -> str | None:
        origin: str | None = self._record.get("origin_run_id")
        return origin

    @property
    def origin_pathspec(self) -> str | None:
        origin = self.origin_run_id
        return f"{self.flow_name}/{origin}" if origin else None

    def step_names(self) -> list[str]:
        return self._ds.list_steps(self.id)

    def steps(self, *tags: str) -> list[Step]:
        return _with_tags(self, tags)

    def __iter__(self) -> Iterator[Step]:
        return iter(newest_first([self._step(s) for s in self.step_names()]))

    def _step(self, name: str) -> Step:
        return Step(f"{self.pathspec}/{name}", _run=self, **self._child_options())

    def __getitem__(self, step: str) -> Step:
        if step not in self.step_names():
            raise KeyError(step)
        return self._step(step)

    def __contains__(self, step: str) -> bool:
        return step in self.step_names()

    @property
    def end_task(self) -> Task | None:
        status = self._ds.read_run_status(self.id) or {}
        end = status.get("end") or "end"
        return self[end].task if end in self.step_names() else None

    @property
    def finished(self) -> bool:
        task = self.end_task
        return bool(task and task.finished)

    @property
    def successful(self) -> bool:
        task = self.end_task
        return bool(task and task.successful)

    @property
    def status(self) -> str:
        """ "succeeded", "failed" (the local runner gave up) or "running" (or unknown)."""
        if self.successful:
            return "succeeded"
        verdict = (self._ds.read_run_status(self.id) or {}).get("status")
        return "failed" if verdict == "failed" else "running"

    @property
    def data(self) -> MetaflowData | None:
        task = self.end_task
        return task.data if task else None

    def _sort_key(self) -> Any:
        return (self._record.get("created") or 0.0, self.id)


class Flow(MetaflowObject):
    """A flow: ``Flow("Name")``; its runs newest first, filtered by the namespace."""

    _NAME = "flow"
    _SHAPE = "FlowName"

    def __init__(self, pathspec: str, datastore: str | None = None, **options: Any) -> None:
        super().__init__(pathspec, datastore, **options)
        if not self._ds.list_runs():
            raise self._not_found()
        if self._namespace_check and not self.runs():
            raise MetaflowNamespaceMismatch(self._current_namespace)

    def run_ids(self) -> list[str]:
        """Every run id of the flow, newest first (whatever the namespace)."""
        return sorted(self._ds.list_runs(), reverse=True)

    def _runs(self) -> list[Run]:
        found = []
        for run_id in self._ds.list_runs():
            try:
                found.append(Run(f"{self.id}/{run_id}", **self._child_options()))
            except (MetaflowNamespaceMismatch, MetaflowNotFound):
                continue
        return newest_first(found)

    def runs(self, *tags: str) -> list[Run]:
        return _with_tags(self._runs(), tags)

    def __iter__(self) -> Iterator[Run]:
        return iter(self._runs())

    def __getitem__(self, run_id: str) -> Run:
        if run_id not in self._ds.list_runs():
            raise KeyError(run_id)
        return Run(f"{self.id}/{run_id}", **self._child_options())

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._ds.list_runs()

    @property
    def latest_run(self) -> Run | None:
        return next(iter(self), None)

    @property
    def latest_successful_run(self) -> Run | None:
        return next((r for r in self if r.successful), None)

    def is_in_namespace(self) -> bool:
        """Whether the flow has a run in the current namespace."""
        return bool(Flow(self.id, _ds=self._ds, _namespace_check=False)._in_namespace())

    def _in_namespace(self) -> list[Run]:
        ns = get_namespace()
        return [r for r in self._runs() if ns is None or ns in r.tags]


class Metaflow:
    """Every flow of the datastore that has a run in the current namespace."""

    def __init__(self, datastore: str | None = None, *, _namespace_check: bool = True) -> None:
        self.root = datastore_root(datastore)
        self._namespace_check = _namespace_check

    @property
    def flows(self) -> list[Flow]:
        return list(self)

    def __iter__(self) -> Iterator[Flow]:
        store = open_object_store(self.root)
        for name in store.list_children(""):
            if name.startswith("."):
                continue
            ds = FlowDatastore(store, name)
            try:
                yield Flow(name, _ds=ds, _namespace_check=self._namespace_check)
            except (MetaflowNamespaceMismatch, MetaflowNotFound):
                continue

    def __getitem__(self, name: str) -> Flow:
        return Flow(name, self.root, _namespace_check=self._namespace_check)

    def __str__(self) -> str:
        return "Metaflow()"
