"""What the viewer shows, read from the datastore: flows, runs, tasks and their status.

The run page reads the datastore layout (``runtime_shim.datastore.layout``) directly
rather than through ``flowc.client``: a 1,000-task run is 1,000 commit records and
1,000 attempt records, and building a client ``Task`` for each costs several listings
more. The task page, which shows one task, uses the client.

A task's status is what its files say: ``succeeded`` (committed), ``caught`` (committed
with an exception ``@catch`` caught), ``failed`` (its last attempt recorded a failure),
``running`` (an attempt folder exists and nothing says it ended: a task with a live card
writes its cards there while it runs) and ``pending`` (a step of the graph with no task
yet). A task without a live card has no files until it ends, so it shows as pending.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore, task_id

FINISHED_RUNS_KEPT = 64
S3_READERS = 10  # the S3 client keeps at least 10 connections (datastore.s3)


@dataclass(frozen=True)
class TaskSummary:
    """One task on the run page (times are epoch seconds; None when not known)."""

    step: str
    key: str
    id: str
    status: str
    started: float | None
    finished: float | None
    attempt: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "id": self.id,
            "status": self.status,
            "started": self.started,
            "finished": self.finished,
            "attempt": self.attempt,
        }


@dataclass(frozen=True)
class RunSummary:
    """A run: its status, its times and, when asked for, its graph and tasks."""

    flow: str
    run: str
    status: str
    created: float | None
    finished: float | None
    graph: list[tuple[str, str, list[str]]] = field(default_factory=list)
    tasks: list[TaskSummary] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        if self.created is None:
            return None
        end = self.finished if self.finished is not None else time.time()
        return max(end - self.created, 0.0)

    def step_status(self) -> dict[str, str]:
        """Each step's status: the worst of its tasks (pending when it has none)."""
        by_step: dict[str, list[str]] = {}
        for task in self.tasks:
            by_step.setdefault(task.step, []).append(task.status)
        order = ("failed", "running", "pending", "caught", "succeeded")
        names = [name for name, _kind, _next in self.graph] or list(by_step)
        return {
            name: next((s for s in order if s in by_step.get(name, [])), "pending")
            for name in names
        }

    def version(self) -> str:
        """Changes whenever a task's status or times do (the page swaps its rows then)."""
        import json
        from hashlib import sha256

        text = json.dumps([t.to_json() for t in self.tasks], sort_keys=True)
        return sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "run": self.run,
            "status": self.status,
            "created": self.created,
            "finished": self.finished,
            "duration": self.duration,
            "steps": self.step_status(),
            "tasks": [t.to_json() for t in self.tasks],
        }


class Datastore:
    """The datastore a viewer reads (a local folder or an ``s3://`` URL)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.store = open_object_store(root)
        # A run the local runner has given its verdict on no longer changes (only its
        # tags do, which the viewer does not show): its summary is read once.
        self._finished: dict[tuple[str, str], RunSummary] = {}
        self._lock = threading.Lock()

    def flow(self, name: str) -> FlowDatastore:
        return FlowDatastore(self.store, name)

    def flows(self) -> list[str]:
        return sorted(n for n in self.store.list_children("") if not n.startswith("."))

    def runs(self, flow: str) -> list[RunSummary]:
        """The flow's runs, newest first (status and times, without their tasks)."""
        ds = self.flow(flow)
        found = [self.run(flow, run, tasks=False, ds=ds) for run in ds.list_runs()]
        return sorted(found, key=lambda r: (r.created or 0.0, r.run), reverse=True)

    def run(
        self, flow: str, run: str, *, tasks: bool = True, ds: FlowDatastore | None = None
    ) -> RunSummary:
        from runtime_shim.cards.dag import GRAPH_FILE

        with self._lock:
            kept = self._finished.get((flow, run))
        if kept is not None:
            return kept if tasks else replace(kept, tasks=[])
        ds = ds or self.flow(flow)
        record = ds.read_run(run) or {}
        verdict = ds.read_run_status(run) or {}
        status = str(verdict.get("status") or "running")
        finished = verdict.get("finished")
        graph: list[tuple[str, str, list[str]]] = []
        graph_record = ds._read_json(f"{ds.run_prefix(run)}/{GRAPH_FILE}")
        if graph_record is not None:
            graph = [(s["name"], s["type"], list(s["next"])) for s in graph_record["steps"]]
        if not verdict:
            # Engines other than the local runner write no verdict: a committed end
            # step is a finished run.
            end = next((name for name, kind, _next in graph if kind == "end"), "end")
            if ds.is_committed(run, end, "_"):
                status = "succeeded"
        summaries = self._tasks(ds, run, status) if tasks else []
        summary = RunSummary(flow, run, status, record.get("created"), finished, graph, summaries)
        if tasks and verdict.get("status") in ("succeeded", "failed"):
            with self._lock:
                if len(self._finished) >= FINISHED_RUNS_KEPT:
                    self._finished.pop(next(iter(self._finished)))
                self._finished[(flow, run)] = summary
        return summary

    def _tasks(self, ds: FlowDatastore, run: str, run_status: str) -> list[TaskSummary]:
        keys = [(step, key) for step in ds.list_steps(run) for key in ds.list_tasks(run, step)]
        if self.root.startswith("s3://") and len(keys) > 1:
            # Each task is a few small GETs: over S3 their latency, not their size,
            # is the cost, so many are in flight at once.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=S3_READERS) as pool:
                out = list(pool.map(lambda sk: self._task(ds, run, sk[0], sk[1], run_status), keys))
        else:
            out = [self._task(ds, run, step, key, run_status) for step, key in keys]
        out.sort(key=lambda t: (t.started if t.started is not None else float("inf"), t.id))
        return out

    def _task(
        self, ds: FlowDatastore, run: str, step: str, key: str, run_status: str
    ) -> TaskSummary:
        record = ds.committed(run, step, key)
        attempt: int | None
        if record is not None:
            attempt = int(record.get("attempt", 0))
            meta = ds.attempt_meta(run, step, key, attempt) or {}
            status = "caught" if record.get("status") == "caught" else "succeeded"
        else:
            attempts = ds.attempts(run, step, key)
            attempt = attempts[-1] if attempts else None
            meta = (ds.attempt_meta(run, step, key, attempt) if attempt is not None else None) or {}
            # Not committed: failed if its attempt says so or the run gave up, else it
            # is still running (or, having ended, waits for its retry).
            failed = meta.get("status") == "failed" or run_status == "failed"
            status = "failed" if failed else "running"
        return TaskSummary(
            step,
            key,
            task_id(step, key),
            status,
            meta.get("started"),
            meta.get("finished"),
            attempt,
        )


# An artifact's value is shown as its repr, cut at this many characters.
REPR_LIMIT = 2000


def task_detail(store: Datastore, flow: str, run: str, step: str, ident: str) -> dict[str, Any]:
    """What the task page shows (raises ``MetaflowNotFound`` for an unknown task)."""
    from flowc.client import Task

    task = Task(f"{flow}/{run}/{step}/{ident}", store.root, _namespace_check=False)
    ds = task._ds
    summary = store._task(ds, run, step, task.key, store.run(flow, run, tasks=False).status)
    artifacts = []
    for artifact in task:
        try:
            value = artifact.data
            shown = repr(value)
        except Exception as exc:  # an artifact whose class is not importable here
            value, shown = None, f"<not loadable here: {type(exc).__name__}: {exc}>"
        if len(shown) > REPR_LIMIT:
            shown = shown[:REPR_LIMIT] + f"… ({len(shown)} characters)"
        artifacts.append({"name": artifact.id, "type": artifact.type, "repr": shown})
    attempt = summary.attempt
    exception = task.exception
    return {
        "pathspec": task.pathspec,
        "status": summary.status,
        "attempt": attempt if attempt is not None else "-",
        "started": summary.started,
        "finished": summary.finished,
        "artifacts": artifacts,
        "stdout": task.stdout if attempt is not None else "",
        "stderr": task.stderr if attempt is not None else "",
        "exception": exception.stacktrace or str(exception) if exception else None,
        "cards": task_cards(ds, run, step, task.key, attempt),
    }


def task_status(store: Datastore, flow: str, run: str, step: str, ident: str) -> str:
    """A task's status alone (what its page polls while the task runs)."""
    from runtime_shim.datastore.layout import task_key_of

    ds = store.flow(flow)
    key = task_key_of(step, ident)
    if key is None or key not in ds.list_tasks(run, step):
        raise KeyError(f"no task {flow}/{run}/{step}/{ident}")
    return store._task(ds, run, step, key, store.run(flow, run, tasks=False).status).status


def task_cards(
    ds: FlowDatastore, run: str, step: str, key: str, attempt: int | None
) -> list[dict[str, Any]]:
    """The task's cards: the committed attempt's (its origin's, for a resumed clone), else
    those of the attempt that is running; each with the viewer URL it is served from."""
    from runtime_shim.cards.store import CARDS_DIR, parse_card_filename

    record = ds.committed(run, step, key)
    if record is not None:
        prefix = ds.output_prefix(run, step, key, record)
    elif attempt is not None:
        prefix = ds.attempt_prefix(run, step, key, attempt)
    else:
        return []
    folder = f"{prefix}/{CARDS_DIR}"
    cards = []
    for name in sorted(ds.store.list_children(folder)):
        card = parse_card_filename(f"{folder}/{name}")
        if card is not None:
            cards.append({"type": card.type, "id": card.id, "url": card_url(card.key)})
    return cards


def card_url(key: str) -> str:
    """Where the viewer serves the card at store key ``key``; its data file is the
    sibling ``NAME.data.json``, as live cards expect (docs/architecture.md#live-cards)."""
    from urllib.parse import quote

    return "/cards/" + "/".join(quote(part, safe="") for part in key.split("/"))
