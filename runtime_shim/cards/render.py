"""Rendering a task's cards when its step has finished, before the task commits.

Each ``@card`` of the step becomes one file (``runtime_shim.cards.store``). A card that
cannot be rendered never fails the task; what happens instead is Metaflow's:
- with ``save_errors=True`` (the default) an error card holding the reason is stored
  under the card's type: unknown type, constructor rejecting the options, ``render``
  raising, returning nothing, or running longer than ``timeout`` seconds;
- with ``save_errors=False`` nothing is stored and the reason goes to the task's stderr.
Rendering runs in the task's process, under an alarm of ``timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
import traceback

from runtime_shim.cards.exception import (
    CARD_ID_PATTERN,
    CardClassFoundException,
    IncorrectCardArgsException,
    UnrenderableCardException,
)
from runtime_shim.cards.store import card_filename, card_hash, write_card

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import Any

    from runtime_shim.cards.base import MetaflowCard
    from runtime_shim.cards.collector import CardSlot
    from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore


class _RenderTimeout(BaseException):
    pass


class TaskArtifact:
    """``task[name]`` of a finished task: ``id`` and ``data`` (loaded on first use)."""

    def __init__(self, name: str, load: Callable[[], Any]) -> None:
        self.id = name
        self._load = load

    @property
    def data(self) -> Any:
        return self._load()


class _Data:
    def __init__(self, task: FinishedTask) -> None:
        self._task = task

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name not in self._task:
            raise AttributeError(name)
        return self._task[name].data


class TaskFacts:
    """What the default card shows about a task besides its artifacts (epoch seconds)."""

    def __init__(
        self,
        created_at: float | None = None,
        finished_at: float | None = None,
        attempt: int = 0,
        tags: list[str] | None = None,
        user: str | None = None,
        parameters: dict[str, Any] | None = None,
        graph_steps: list[tuple[str, str, list[str]]] | None = None,
    ) -> None:
        self.created_at = created_at
        self.finished_at = finished_at
        self.attempt = attempt
        self.tags = list(tags or [])
        self.user = user
        self.parameters = dict(parameters or {})
        self.graph_steps = graph_steps


class FinishedTask:
    """The task a card type renders: the client ``Task`` interface cards use.

    Built from the task's own outputs, so rendering needs no metadata service and works
    the same inside a container as on a laptop. A live render (``finished=False``) has
    no artifacts yet.
    """

    def __init__(
        self,
        pathspec: str,
        refs: dict[str, ArtifactRef],
        load: Callable[[ArtifactRef], Any],
        successful: bool = True,
        facts: TaskFacts | None = None,
        finished: bool = True,
    ) -> None:
        self.pathspec = pathspec
        self.flow_name, self.run_id, self.step_name, self.id = pathspec.split("/")
        self.successful = successful
        self.finished = finished
        self._refs = refs
        self._load = load
        self.data = _Data(self)
        facts = facts or TaskFacts()
        self.created_at = facts.created_at
        self.finished_at = facts.finished_at if finished else None
        self.attempt = facts.attempt
        self.tags = facts.tags
        self.user = facts.user
        self.parameters = facts.parameters
        self.graph_steps = facts.graph_steps

    def __getitem__(self, name: str) -> TaskArtifact:
        if name not in self._refs:
            raise KeyError(name)
        ref = self._refs[name]
        return TaskArtifact(name, lambda: self._load(ref))

    def __contains__(self, name: object) -> bool:
        return name in self._refs

    def __iter__(self) -> Iterator[TaskArtifact]:
        return iter([self[name] for name in sorted(self._refs)])

    @property
    def artifacts(self) -> list[TaskArtifact]:
        return list(self)

    def __repr__(self) -> str:
        return f"Task('{self.pathspec}')"


class TaskCards:
    """Everything needed to store one task's cards."""

    def __init__(self, ds: FlowDatastore, run: str, step: str, task_key: str, attempt: int) -> None:
        self.ds = ds
        self.run = run
        self.step = step
        self.task_key = task_key
        self.attempt = attempt


def render_cards(
    slots: list[CardSlot], task: FinishedTask, flow: Any, where: TaskCards
) -> list[str]:
    """Render and store every card of the step; return the stored keys."""
    stored = []
    for slot in slots:
        content = render_one(slot, task, flow)
        if content is None:
            continue
        name = slot.card_filename or card_filename(
            slot.type if CARD_ID_PATTERN.match(slot.type) else "error",
            card_hash(task.pathspec, where.attempt, slot.position),
            slot.card_id,
        )
        stored.append(
            write_card(
                where.ds, where.run, where.step, where.task_key, where.attempt, name, content
            )
        )
        if slot.live is not None:
            slot.live.finish(slot)
    return stored


class RunningCards:
    """The card types' side of live updates while ``task`` runs (``live.CardOps``).

    Each call builds the card type afresh, as Metaflow's card processes do; a failure
    never reaches the step: a warning, then the data itself stands in.
    """

    def __init__(self, task: FinishedTask, flow: Any) -> None:
        self.task = task
        self.flow = flow

    def _card(self, slot: CardSlot, components: list[Any]) -> MetaflowCard | None:
        cls = slot.card_class
        if cls is None:
            return None
        kwargs: dict[str, Any] = {"components": components, "graph": None, "flow": self.flow}
        options = slot.attributes.get("options") or {}
        if options:
            kwargs["options"] = options
        return cls(**kwargs)

    def runtime_html(self, slot: CardSlot, live: dict[str, Any]) -> str | None:
        """The card's ``render_runtime`` (None for a type that is not RUNTIME_UPDATABLE)."""
        if slot.card_class is None or not slot.card_class.RUNTIME_UPDATABLE:
            return None
        data = {**slot.runtime_data(), "render_seq": slot.render_seq, "mode": "render_runtime"}
        try:
            card = self._card(slot, slot.serialized_components())
            if card is None:
                return None
            _set_runtime_data(card, {**data, "live": live})
            html = card.render_runtime(self.task, data)
        except Exception as exc:
            print(f"[@card WARNING] live card {slot.type} not rendered: {exc}", file=sys.stderr)
            return None
        if html is None:
            return None
        return str(html).replace("[METAFLOW_RELOAD_TOKEN]", live["reload_token"])

    def card_data(self, slot: CardSlot, latest: dict[str, Any]) -> Any:
        """What the card type's ``refresh(task, latest)`` makes of an update (``latest``
        itself when the type has none, or it fails)."""
        try:
            card = self._card(slot, [])
            data = card.refresh(self.task, latest) if card is not None else latest
            json.dumps(data)
        except Exception:
            return latest
        return data

    def reload_token(self, slot: CardSlot, latest: dict[str, Any]) -> str:
        """Metaflow's token for the card type's ``RELOAD_POLICY``."""
        cls = slot.card_class
        if cls is None or cls.RELOAD_POLICY == cls.RELOAD_POLICY_NEVER:
            return "never"
        if cls.RELOAD_POLICY == cls.RELOAD_POLICY_ALWAYS:
            return f"render-seq-{latest['render_seq']}"
        try:
            card = self._card(slot, [])
            return str(card.reload_content_token(self.task, latest)) if card else "never"
        except Exception:
            return "never"


def render_one(slot: CardSlot, task: FinishedTask, flow: Any) -> str | None:
    """One card's HTML (or its error card), or None when nothing is to be stored."""
    save_errors = bool(slot.attributes.get("save_errors", True))
    timeout = slot.attributes.get("timeout")
    options = slot.attributes.get("options") or {}
    try:
        html = _render(slot, task, flow, options, timeout)
    except _CardFailure as failure:
        if not save_errors:
            print(f"Card render failed with error : \n\n {failure}", file=sys.stderr)
            return None
        return _error_card(task, str(failure))
    return html.replace("[METAFLOW_RELOAD_TOKEN]", "final")


class _CardFailure(Exception):
    pass


def _render(
    slot: CardSlot, task: FinishedTask, flow: Any, options: dict[str, Any], timeout: Any
) -> str:
    cls = slot.card_class
    if cls is None:
        raise _CardFailure(str(CardClassFoundException(slot.type)))
    kwargs: dict[str, Any] = {"components": slot.serialized_components(), "graph": None}
    kwargs["flow"] = flow
    if options:
        kwargs["options"] = options
    try:
        card = cls(**kwargs)
    except TypeError:
        raise _CardFailure(str(IncorrectCardArgsException(slot.type, options))) from None
    _set_runtime_data(card, slot.runtime_data())
    try:
        with _alarm(float(timeout) if timeout else 0):
            html = card.render(task)
    except _RenderTimeout:
        raise _CardFailure(
            f"\nCard rendering timed out after {timeout} seconds. To increase the timeout "
            "duration for card rendering, please set the `timeout` parameter in the @card "
            f"decorator. \nStack Trace : \n{traceback.format_exc()}"
        ) from None
    except Exception:
        raise _CardFailure(str(UnrenderableCardException(slot.type, options))) from None
    if html is None:
        raise _CardFailure(f"No information rendered from card of type {slot.type}")
    return str(html)


def _set_runtime_data(card: MetaflowCard, data: dict[str, Any]) -> None:
    # A card type that made runtime_data read-only keeps its own.
    with contextlib.suppress(AttributeError):
        card.runtime_data = data


def _error_card(task: FinishedTask, reason: str) -> str:
    from runtime_shim.cards.builtin import ErrorCard

    return ErrorCard().render(task, stack_trace=reason).replace("[METAFLOW_RELOAD_TOKEN]", "final")


class _alarm:
    """Raise ``_RenderTimeout`` (a BaseException, so a card's ``except Exception`` cannot
    swallow it) in the main thread after ``seconds`` (0: no limit)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds if threading.current_thread() is threading.main_thread() else 0
        self.previous: Any = None

    def __enter__(self) -> None:
        if self.seconds > 0:
            self.previous = signal.signal(signal.SIGALRM, _expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def _expire(_signum: int, _frame: FrameType | None) -> None:
    raise _RenderTimeout()
