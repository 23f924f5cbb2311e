"""Client API over the datastore, shaped like Metaflow's (``from flowc import Flow, Run``).

```python
run = Flow("TrainFlow").latest_run
run.successful, run.finished, run.parameters
run["end"].task["result"].data        # or run["end"].task.data.result
[t.data.score for t in run["train"]]  # every task of a step, in index-path order
```
Only committed tasks have data; the datastore root is ``$FLOWC_DATASTORE`` or ``./.flowc``
unless passed as ``datastore=`` (or set once with :func:`set_datastore`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore, parse_task_key

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


def _task_sort_key(key: str) -> tuple[tuple[int, ...], int]:
    path, iteration = parse_task_key(key)
    return tuple(int(p) for p in path.split(".") if p), iteration


class MetaflowData:
    """``task.data``: artifacts as attributes (``task.data.score``)."""

    def __init__(self, task: Task) -> None:
        self._task = task

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._task[name].data
        except KeyError:
            raise AttributeError(f"task {self._task.pathspec} has no artifact {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._task

    def __dir__(self) -> list[str]:
        return sorted(self._task.artifact_names())

    def __repr__(self) -> str:
        return f"<MetaflowData: {', '.join(sorted(self._task.artifact_names()))}>"


class DataArtifact:
    def __init__(self, task: Task, name: str, ref: ArtifactRef) -> None:
        self.task = task
        self.id = name
        self.ref = ref
        self.pathspec = f"{task.pathspec}/{name}"

    @property
    def sha(self) -> str:
        return self.ref.sha

    @property
    def size(self) -> int:
        return self.ref.size

    @property
    def type(self) -> str:
        return self.ref.type

    @cached_property
    def data(self) -> Any:
        return self.task._ds.load_value(self.ref)

    def __repr__(self) -> str:
        return f"DataArtifact('{self.pathspec}')"


class Task:
    def __init__(
        self, pathspec: str, datastore: str | None = None, _ds: FlowDatastore | None = None
    ) -> None:
        flow, self.run_id, self.step_name, self.id = pathspec.split("/")
        self.pathspec = pathspec
        self._ds = _ds or FlowDatastore(open_object_store(datastore_root(datastore)), flow)
        self.flow_name = flow
        self.index_path, self.iteration = parse_task_key(self.id)

    def __repr__(self) -> str:
        return f"Task('{self.pathspec}')"

    @cached_property
    def _record(self) -> dict[str, Any] | None:
        return self._ds.committed(self.run_id, self.step_name, self.id)

    @cached_property
    def _refs(self) -> dict[str, ArtifactRef]:
        if self._record is None:
            return {}
        return self._ds.artifacts(self.run_id, self.step_name, self.id, self._record)

    @property
    def finished(self) -> bool:
        return self._record is not None

    @property
    def successful(self) -> bool:
        """Committed without ``@catch`` having caught an exception (as in Metaflow)."""
        return self._record is not None and self._record.get("status") != "caught"

    @property
    def caught(self) -> bool:
        """True if ``@catch`` recorded an exception for this task."""
        return bool(self._record and self._record.get("status") == "caught")

    @property
    def attempt(self) -> int | None:
        attempts = self._ds.attempts(self.run_id, self.step_name, self.id)
        if self._record is not None:
            return int(self._record["attempt"])
        return attempts[-1] if attempts else None

    @property
    def origin_pathspec(self) -> str | None:
        origin = self._record.get("cloned_from") if self._record else None
        return f"{self.flow_name}/{origin}" if origin else None

    @property
    def index(self) -> int | None:
        return int(self.index_path.rsplit(".", 1)[-1]) if self.index_path else None

    @property
    def metadata(self) -> dict[str, Any]:
        """The winning (or latest) attempt's meta.json."""
        attempt = self.attempt
        if attempt is None:
            return {}
        return self._ds.attempt_meta(self.run_id, self.step_name, self.id, attempt) or {}

    @property
    def exception(self) -> dict[str, Any] | None:
        exc: dict[str, Any] | None = self.metadata.get("exception")
        return exc

    def _log(self, stream: str) -> str:
        source = self._record.get("source") if self._record else None
        if source:
            data = (
                self._ds.store.get(f"{source}/{stream}.log")
                if self._ds.store.exists(f"{source}/{stream}.log")
                else b""
            )
            return data.decode("utf-8", errors="replace")
        attempt = self.attempt
        if attempt is None:
            return ""
        return self._ds.log(self.run_id, self.step_name, self.id, attempt, stream)

    @property
    def stdout(self) -> str:
        return self._log("stdout")

    @property
    def stderr(self) -> str:
        return self._log("stderr")

    @property
    def data(self) -> MetaflowData:
        return MetaflowData(self)

    def artifact_names(self) -> list[str]:
        return sorted(n for n in self._refs if not n.startswith("_"))

    @property
    def artifacts(self) -> list[DataArtifact]:
        return [self[n] for n in self.artifact_names()]

    def __getitem__(self, name: str) -> DataArtifact:
        if name not in self._refs:
            raise KeyError(f"task {self.pathspec} has no artifact {name!r}")
        return DataArtifact(self, name, self._refs[name])

    def __contains__(self, name: str) -> bool:
        return name in self._refs

    def __iter__(self) -> Iterator[DataArtifact]:
        return iter(self.artifacts)


class Step:
    def __init__(
        self, pathspec: str, datastore: str | None = None, _ds: FlowDatastore | None = None
    ) -> None:
        flow, self.run_id, self.id = pathspec.split("/")
        self.pathspec = pathspec
        self.flow_name = flow
        self._ds = _ds or FlowDatastore(open_object_store(datastore_root(datastore)), flow)

    def __repr__(self) -> str:
        return f"Step('{self.pathspec}')"

    def task_ids(self) -> list[str]:
        keys = self._ds.list_tasks(self.run_id, self.id)
        return sorted(keys, key=_task_sort_key)

    def tasks(self) -> list[Task]:
        return [Task(f"{self.pathspec}/{k}", _ds=self._ds) for k in self.task_ids()]

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks())

    def __getitem__(self, task_id: str) -> Task:
        if task_id == "":
            task_id = "_"
        if task_id not in self.task_ids():
            raise KeyError(f"step {self.pathspec} has no task {task_id!r}")
        return Task(f"{self.pathspec}/{task_id}", _ds=self._ds)

    @property
    def task(self) -> Task | None:
        """One task of the step: the first committed one (Metaflow returns any)."""
        tasks = self.tasks()
        for task in tasks:
            if task.finished:
                return task
        return tasks[0] if tasks else None


class Run:
    def __init__(
        self, pathspec: str, datastore: str | None = None, _ds: FlowDatastore | None = None
    ) -> None:
        flow, self.id = pathspec.split("/")
        self.pathspec = pathspec
        self.flow_name = flow
        self._ds = _ds or FlowDatastore(open_object_store(datastore_root(datastore)), flow)
        if self._ds.read_run(self.id) is None and not self._ds.list_steps(self.id):
            raise KeyError(f"run {pathspec} not found in {self._ds.store.url}")

    def __repr__(self) -> str:
        return f"Run('{self.pathspec}')"

    @cached_property
    def _record(self) -> dict[str, Any]:
        return self._ds.read_run(self.id) or {}

    @property
    def parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = self._record.get("parameters", {})
        return params

    @property
    def created_at(self) -> float | None:
        created = self._record.get("created")
        return float(created) if created is not None else None

    @property
    def origin_run_id(self) -> str | None:
        origin: str | None = self._record.get("origin_run_id")
        return origin

    def step_names(self) -> list[str]:
        return self._ds.list_steps(self.id)

    def steps(self) -> list[Step]:
        return [Step(f"{self.pathspec}/{s}", _ds=self._ds) for s in self.step_names()]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps())

    def __getitem__(self, step: str) -> Step:
        if step not in self.step_names():
            raise KeyError(f"run {self.pathspec} has no step {step!r}")
        return Step(f"{self.pathspec}/{step}", _ds=self._ds)

    def __contains__(self, step: str) -> bool:
        return step in self.step_names()

    @property
    def end_task(self) -> Task | None:
        status = self._ds.read_run_status(self.id) or {}
        end = status.get("end") or "end"
        if end not in self.step_names():
            return None
        return self[end].task

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


class Flow:
    def __init__(self, name: str, datastore: str | None = None) -> None:
        self.id = name
        self.pathspec = name
        self._ds = FlowDatastore(open_object_store(datastore_root(datastore)), name)

    def __repr__(self) -> str:
        return f"Flow('{self.id}')"

    def run_ids(self) -> list[str]:
        """Newest first (run ids sort by creation time)."""
        return sorted(self._ds.list_runs(), reverse=True)

    def runs(self) -> list[Run]:
        return [Run(f"{self.id}/{r}", _ds=self._ds) for r in self.run_ids()]

    def __iter__(self) -> Iterator[Run]:
        return iter(self.runs())

    def __getitem__(self, run_id: str) -> Run:
        return Run(f"{self.id}/{run_id}", _ds=self._ds)

    @property
    def latest_run(self) -> Run | None:
        ids = self.run_ids()
        return self[ids[0]] if ids else None

    @property
    def latest_successful_run(self) -> Run | None:
        return next((r for r in self.runs() if r.successful), None)


class Metaflow:
    """Every flow in the datastore."""

    def __init__(self, datastore: str | None = None) -> None:
        self.root = datastore_root(datastore)

    @property
    def flows(self) -> list[Flow]:
        store = open_object_store(self.root)
        return [
            Flow(name, self.root) for name in store.list_children("") if not name.startswith(".")
        ]


def namespace(ns: str | None) -> str | None:
    """Accepted for compatibility; flowc's datastore has no namespaces."""
    return ns
