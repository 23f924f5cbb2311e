"""The two moments of a task that concern its cards (called by ``runtime_shim.task``).

``start`` gives the step a fresh ``current.card`` for its ``@card`` decorators, before the
step body runs, and lets ``current.card.refresh()`` store live cards
(``runtime_shim.cards.live``); ``finish`` renders and stores the cards once the step's
artifacts are persisted, before the task commits. A task whose step raised renders no
card (as in Metaflow).
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.cards.render import TaskFacts
    from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore


def start(
    func: Any,
    flow: Any = None,
    ds: FlowDatastore | None = None,
    task_key: str = "",
    attempt: int = 0,
    started: float | None = None,
    run_record: dict[str, Any] | None = None,
) -> None:
    from runtime_shim.cards.collector import CardComponentCollector
    from runtime_shim.current import current
    from runtime_shim.decorators import repeated_decorators

    collector = CardComponentCollector(repeated_decorators(func, "card"))
    current.card = collector
    pathspec = current.pathspec
    if not collector.slots or ds is None or pathspec is None:
        return
    from runtime_shim.cards.live import LiveCards
    from runtime_shim.cards.render import FinishedTask, RunningCards, TaskCards

    where = TaskCards(ds, str(current.run_id), str(current.step_name), task_key, attempt)
    facts = _facts(collector, flow, ds, attempt, started, run_record)

    running = FinishedTask(pathspec, {}, ds.load_value, facts=facts, finished=False)
    collector.go_live(LiveCards(where, RunningCards(running, flow)), pathspec, attempt)
    collector.facts = facts


def _facts(
    collector: Any,
    flow: Any,
    ds: FlowDatastore,
    attempt: int,
    started: float | None,
    run_record: dict[str, Any] | None,
) -> TaskFacts:
    from runtime_shim.cards.render import TaskFacts
    from runtime_shim.current import current

    record = run_record or {}
    steps = None
    if any(slot.type == "default" for slot in collector.slots):
        from runtime_shim.cards.dag import run_graph

        steps = run_graph(ds, str(current.run_id), flow)
    return TaskFacts(
        created_at=started,
        attempt=attempt,
        tags=sorted(current.tags or ()),
        user=current.username,
        parameters=dict(record.get("parameters") or {}),
        graph_steps=steps,
    )


def finish(
    flow: Any,
    refs: dict[str, ArtifactRef],
    ds: FlowDatastore,
    task_key: str,
    attempt: int,
) -> list[str]:
    """Render the step's cards; return the keys stored (none without ``@card``)."""
    from runtime_shim.current import current

    collector = current.card
    slots = collector.slots
    if not slots or current.pathspec is None:
        return []
    from runtime_shim.cards.render import FinishedTask, TaskCards, TaskFacts, render_cards

    facts = getattr(collector, "facts", None) or TaskFacts(attempt=attempt)
    facts.finished_at = time.time()
    run, step = str(current.run_id), str(current.step_name)
    task = FinishedTask(current.pathspec, refs, ds.load_value, facts=facts)
    return render_cards(slots, task, flow, TaskCards(ds, run, step, task_key, attempt))
