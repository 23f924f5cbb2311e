"""Task, DataArtifact and Metadata: one execution of a step and what it produced.

A task's id is the one the API shows everywhere (``current.task_id``, pathspecs): the
step name plus the index path (``train.3``); the datastore key is mapped at this edge
(``runtime_shim.datastore.layout.task_id``). Without ``attempt=`` a task shows its
winning attempt (the committed one) or else its latest.
"""

from __future__ import annotations

import sys
from collections import namedtuple
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flowc.client._base import MetaflowObject, RunMember, is_running_here, timestamp
from runtime_shim.datastore.layout import ArtifactRef, parse_task_key, task_id, task_key_of
from runtime_shim.exceptions import MetaflowExceptionWrapper, MetaflowNotFound

if TYPE_CHECKING:
    from flowc.client._run import Run, Step

Metadata = namedtuple("Metadata", ["name", "value", "created_at", "type", "task"])
"""One metadata event of a task (Metaflow's record): ``created_at`` in epoch milliseconds."""

MAX_ATTEMPTS = 6


class MetaflowData:
    """``task.data``: artifacts as attributes (``task.data.score``)."""

    def __init__(self, task: Task) -> None:
        self._task = task

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
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


class DataArtifact(MetaflowObject):
    """One artifact of a task: ``DataArtifact("Flow/RUN/STEP/TASK/NAME")`` or ``task[NAME]``."""

    _NAME = "artifact"
    _SHAPE = "FlowName/RunID/StepName/TaskID/ArtifactName"

    def __init__(
        self,
        pathspec: str,
        datastore: str | None = None,
        *,
        attempt: int | None = None,
        _task: Task | None = None,
        _ref: ArtifactRef | None = None,
        **options: Any,
    ) -> None:
        super().__init__(pathspec, datastore, **options)
        if _task is None:
            task_spec = pathspec.rsplit("/", 1)[0]
            _task = Task(task_spec, attempt=attempt, _ds=self._ds, _namespace_check=False)
        self.task = _task
        if _ref is None:
            refs = _task._refs
            if self.id not in refs:
                raise self._not_found()
            _ref = refs[self.id]
        self.ref = _ref
        self._check_namespace()

    @property
    def tags(self) -> frozenset[str]:
        return self.task.tags

    @property
    def user_tags(self) -> frozenset[str]:
        return self.task.user_tags

    @property
    def system_tags(self) -> frozenset[str]:
        return self.task.system_tags

    def _parent_object(self) -> Task:
        return self.task

    @property
    def sha(self) -> str:
        return self.ref.sha

    @property
    def size(self) -> int:
        return self.ref.size

    @property
    def type(self) -> str:
        return self.ref.type

    @property
    def created_at(self) -> datetime | None:
        return self.task.finished_at

    @property
    def finished_at(self) -> datetime | None:
        return self.created_at

    @cached_property
    def data(self) -> Any:
        return self._ds.load_value(self.ref)

    def _sort_key(self) -> Any:
        return self.id


class Task(RunMember):
    """One execution of a step: ``Task("Flow/RUN/STEP/TASK", attempt=None)``."""

    _NAME = "task"
    _SHAPE = "FlowName/RunID/StepName/TaskID"

    def __init__(
        self,
        pathspec: str,
        datastore: str | None = None,
        *,
        attempt: int | None = None,
        _run: Run | None = None,
        **options: Any,
    ) -> None:
        super().__init__(pathspec, datastore, **options)
        _flow, self.run_id, self.step_name, ident = self.path_components
        if attempt is not None and not 0 <= int(attempt) < MAX_ATTEMPTS:
            raise MetaflowNotFound(f"Attempt can only be between 0 and {MAX_ATTEMPTS - 1}")
        self._attempt = None if attempt is None else int(attempt)
        key = task_key_of(self.step_name, ident)
        if key is None:
            raise self._not_found()
        known = key in self._ds.list_tasks(self.run_id, self.step_name)
        if not known and not is_running_here(f"{_flow}/{self.run_id}/{self.step_name}/{ident}"):
            raise self._not_found()
        self._key = key
        self.id = task_id(self.step_name, key)
        self.pathspec = f"{_flow}/{self.run_id}/{self.step_name}/{self.id}"
        self.index_path, self.iteration = parse_task_key(key)
        self._run = _run
        self._check_namespace()

    @property
    def key(self) -> str:
        """The task's datastore key: its index path (``_`` at top level) and iteration."""
        return self._key

    def __str__(self) -> str:
        if self._attempt is not None:
            return f"Task('{self.pathspec}', attempt={self._attempt})"
        return f"Task('{self.pathspec}')"

    def _parent_object(self) -> Step:
        from flowc.client._run import Step

        return Step(
            f"{self.flow_name}/{self.run_id}/{self.step_name}",
            _ds=self._ds,
            _namespace_check=False,
            _run=self._run,
        )

    # -- the datastore records -----------------------------------------------------------
    @cached_property
    def _record(self) -> dict[str, Any] | None:
        record = self._ds.committed(self.run_id, self.step_name, self._key)
        wrong_attempt = self._attempt is not None and record is not None
        if wrong_attempt and int(record["attempt"]) != self._attempt:  # type: ignore[index]
            return None
        return record

    @cached_property
    def _attempts(self) -> list[int]:
        return self._ds.attempts(self.run_id, self.step_name, self._key)

    @cached_property
    def _refs(self) -> dict[str, ArtifactRef]:
        if self._record is None:
            return {}
        return self._ds.artifacts(self.run_id, self.step_name, self._key, self._record)

    def _attempt_record(self, attempt: int) -> dict[str, Any]:
        """The attempt's record (a task cloned by resume has its origin's)."""
        found = self._ds.attempt_record(
            self.run_id, self.step_name, self._key, attempt, self._record
        )
        return found or {}

    def _meta(self, attempt: int) -> dict[str, Any]:
        meta: dict[str, Any] = self._attempt_record(attempt).get("meta") or {}
        return meta

    @property
    def attempt(self) -> int | None:
        """The attempt shown: the one asked for, else the winning one, else the latest."""
        if self._attempt is not None:
            return self._attempt
        if self._record is not None:
            return int(self._record["attempt"])
        return self._attempts[-1] if self._attempts else None

    @property
    def _cloned_from(self) -> str | None:
        origin = self._record.get("cloned_from") if self._record else None
        return str(origin) if origin else None

    # -- Metaflow's Task properties ------------------------------------------------------
    @property
    def current_attempt(self) -> int:
        attempt = self.attempt
        return 0 if attempt is None else attempt

    @property
    def finished(self) -> bool:
        return self._record is not None

    @property
    def successful(self) -> bool:
        """Committed without ``@catch`` having caught an exception."""
        return self._record is not None and self._record.get("status") != "caught"

    @property
    def caught(self) -> bool:
        """True if ``@catch`` recorded an exception for this task."""
        return bool(self._record and self._record.get("status") == "caught")

    @property
    def exception(self) -> MetaflowExceptionWrapper | None:
        """The exception that failed the shown attempt (None if it did not fail)."""
        if self._record is not None or self.attempt is None:
            return None
        described = self._meta(self.attempt).get("exception")
        if not described:
            return None
        wrapper = MetaflowExceptionWrapper()
        wrapper.__setstate__(
            {
                "type": described.get("type"),
                "exception": described.get("message"),
                "stacktrace": described.get("traceback"),
            }
        )
        return wrapper

    @property
    def created_at(self) -> datetime | None:
        first = self._attempts[0] if self._attempts else self.attempt
        if first is None:
            return None
        return timestamp(self._meta(first).get("started"))

    @property
    def finished_at(self) -> datetime | None:
        attempt = self.attempt
        if attempt is None:
            return None
        return timestamp(self._meta(attempt).get("finished"))

    @property
    def index(self) -> int | None:
        return int(self.index_path.rsplit(".", 1)[-1]) if self.index_path else None

    @property
    def origin_pathspec(self) -> str | None:
        """The task a resumed run cloned this one from (``Flow/RUN/STEP/TASK``)."""
        origin = self._cloned_from
        if origin is None:
            return None
        run, step, key = origin.split("/")
        return f"{self.flow_name}/{run}/{step}/{task_id(step, key)}"

    @property
    def metadata(self) -> list[Metadata]:
        """Every attempt's metadata events (Metaflow's names and types)."""
        from flowc.client._metadata import task_metadata

        return task_metadata(self)

    @property
    def metadata_dict(self) -> dict[str, Any]:
        """The newest value of each metadata name."""
        return {m.name: m.value for m in sorted(self.metadata, key=lambda m: m.created_at)}

    @property
    def parent_task_pathspecs(self) -> list[str]:
        attempt = self.attempt
        parents = self._meta(attempt).get("parents", []) if attempt is not None else []
        specs = []
        for parent in parents:
            step, key = parent.split("/")
            specs.append(f"{self.flow_name}/{self.run_id}/{step}/{task_id(step, key)}")
        return specs

    @property
    def parent_tasks(self) -> list[Task]:
        return [Task(p, _ds=self._ds, _namespace_check=False) for p in self.parent_task_pathspecs]

    @property
    def child_task_pathspecs(self) -> list[str]:
        found = []
        for step in self._record.get("next", []) if self._record else []:
            for key in self._ds.list_tasks(self.run_id, step):
                child = Task(
                    f"{self.flow_name}/{self.run_id}/{step}/{task_id(step, key)}",
                    _ds=self._ds,
                    _namespace_check=False,
                )
                if self.pathspec in child.parent_task_pathspecs:
                    found.append(child.pathspec)
        return found

    @property
    def child_tasks(self) -> list[Task]:
        return [Task(p, _ds=self._ds, _namespace_check=False) for p in self.child_task_pathspecs]

    # -- logs -------------------------------------------------------------------------
    def _log(self, stream: str, attempt: int | None = None) -> str:
        attempt = self.attempt if attempt is None else attempt
        if attempt is None:
            return ""
        return self._ds.log(self.run_id, self.step_name, self._key, attempt, stream, self._record)

    @property
    def stdout(self) -> str:
        return self._log("stdout")

    @property
    def stderr(self) -> str:
        return self._log("stderr")

    @property
    def stdout_size(self) -> int:
        return len(self.stdout.encode("utf-8"))

    @property
    def stderr_size(self) -> int:
        return len(self.stderr.encode("utf-8"))

    def loglines(
        self, stream: str, as_unicode: bool = True, meta_dict: dict[str, Any] | None = None
    ) -> Iterator[tuple[datetime | None, str | bytes]]:
        """``(timestamp, line)`` per line of the log.

        flowc's logs carry no per-line timestamps: every line has the attempt's finish
        time (or its start time while it runs).
        """
        if stream not in ("stdout", "stderr"):
            raise ValueError(f"stream must be 'stdout' or 'stderr', not {stream!r}")
        attempt = self.attempt
        meta = self._meta(attempt) if attempt is not None else {}
        when = timestamp(meta.get("finished") or meta.get("started"))
        for line in self._log(stream).splitlines():
            yield when, (line if as_unicode else line.encode("utf-8"))

    # -- artifacts ----------------------------------------------------------------------
    @property
    def data(self) -> MetaflowData:
        return MetaflowData(self)

    def artifact_names(self) -> list[str]:
        return sorted(n for n in self._refs if not n.startswith("_"))

    @property
    def artifacts(self) -> Any:
        """A named tuple of the task's artifacts (``task.artifacts.score``)."""
        names = self.artifact_names()
        record = namedtuple("MetaflowArtifacts", names, rename=True)  # type: ignore[misc]
        return record(*(self[n] for n in names))

    def __getitem__(self, name: str) -> DataArtifact:
        if name not in self._refs:
            raise KeyError(name)
        return DataArtifact(
            f"{self.pathspec}/{name}",
            _task=self,
            _ref=self._refs[name],
            **self._child_options(),
        )

    def __contains__(self, name: str) -> bool:
        return name in self._refs

    def __iter__(self) -> Iterator[DataArtifact]:
        return iter([self[n] for n in self.artifact_names()])

    def _sort_key(self) -> Any:
        created = self.created_at
        return (created.timestamp() if created else sys.float_info.max, self._index_key())

    def _index_key(self) -> tuple[tuple[int, ...], int]:
        return tuple(int(p) for p in self.index_path.split(".") if p), self.iteration
