"""The two moments of a task that concern its cards (called by ``runtime_shim.task``).

``start`` gives the step a fresh ``current.card`` for its ``@card`` decorators, before the
step body runs; ``finish`` renders and stores the cards once the step's artifacts are
persisted, before the task commits. A task whose step raised renders no card (as in
Metaflow).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore


def start(func: Any) -> None:
    from runtime_shim.cards.collector import CardComponentCollector
    from runtime_shim.current import current
    from runtime_shim.decorators import repeated_decorators

    current.card = CardComponentCollector(repeated_decorators(func, "card"))


def finish(
    flow: Any,
    refs: dict[str, ArtifactRef],
    ds: FlowDatastore,
    task_key: str,
    attempt: int,
) -> list[str]:
    """Render the step's cards; return the keys stored (none without ``@card``)."""
    from runtime_shim.current import current

    slots = current.card.slots
    if not slots or current.pathspec is None:
        return []
    from runtime_shim.cards.render import FinishedTask, TaskCards, render_cards

    run, step = str(current.run_id), str(current.step_name)
    task = FinishedTask(current.pathspec, refs, ds.load_value)
    return render_cards(slots, task, flow, TaskCards(ds, run, step, task_key, attempt))
