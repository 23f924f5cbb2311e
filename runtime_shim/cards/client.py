"""Reading cards back: ``get_cards(task_or_pathspec, id=, type=)`` (``metaflow.cards``).

``get_cards`` returns a ``CardContainer``, a read-only list of ``Card`` objects; a card's
HTML is read from the datastore only when asked for (``Card.get()``, or a notebook
showing it through ``_repr_html_``). A task without any card raises
``CardNotPresentException``; filters that match none of its cards give an empty
container, as in Metaflow. A task a resume cloned shows its origin's cards. Inside a
running step, ``get_cards(current.pathspec)`` reads the task's live cards (those its
``current.card.refresh()`` stored so far), read afresh on each ``get()``.
"""

from __future__ import annotations

import html
import json

from runtime_shim.cards.exception import (
    CardNotPresentException,
    IncorrectArgumentException,
    IncorrectPathspecException,
)
from runtime_shim.cards.store import (
    CARDS_DIR,
    CardFile,
    committed_cards,
    parse_card_filename,
    read_card,
    select_cards,
)

__all__ = [
    "Card",
    "CardContainer",
    "get_cards",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from runtime_shim.datastore.layout import FlowDatastore


class Card:
    """One stored card: ``type``, ``id``, ``hash``, ``path``; ``get()`` reads its HTML."""

    def __init__(
        self,
        ds: FlowDatastore,
        file: CardFile,
        origin_pathspec: str | None = None,
        live: bool = False,
    ):
        self._ds = ds
        self._file = file
        self._html: str | None = None
        # A card of a running task changes: read it again on every get().
        self._live = live
        self.type = file.type
        self.hash = file.hash
        self.from_resumed = origin_pathspec is not None
        self.origin_pathspec = origin_pathspec

    @property
    def id(self) -> str | None:
        return self._file.id

    @property
    def path(self) -> str:
        """The card's key in the datastore (unique to this card)."""
        return self._file.key

    def get(self) -> str:
        if self._live:
            return read_card(self._ds, self._file)
        if self._html is None:
            self._html = read_card(self._ds, self._file)
        return self._html

    def get_data(self) -> dict[str, Any] | None:
        """The card's live data (``runtime_shim.cards.live``): the last
        ``current.card.refresh()`` of its task, or None when the task never refreshed."""
        from runtime_shim.cards.live import data_filename
        from runtime_shim.datastore.errors import ObjectNotFound

        key = self.path.rsplit("/", 1)[0] + "/" + data_filename(self._file.filename)
        try:
            data: dict[str, Any] = json.loads(self._ds.store.get(key))
        except (ObjectNotFound, ValueError):
            return None
        return data

    def __str__(self) -> str:
        return f"<Card at '{self.path}'>"

    __repr__ = __str__

    def view(self) -> str:
        """Open the card in the default web browser (``$BROWSER`` if set) from a local
        copy; returns that file's path. A card needs no network, so the copy is enough."""
        import tempfile
        import webbrowser
        from pathlib import Path

        folder = Path(tempfile.gettempdir()) / "flowc-cards"
        folder.mkdir(exist_ok=True)
        path = folder / self._file.filename
        path.write_text(self.get(), encoding="utf-8")
        webbrowser.open(path.as_uri())
        return str(path)

    def _repr_html_(self) -> str:
        # In a sandboxed frame: the card's own content policy applies, and its scripts
        # (charts, live updates) run without reaching the notebook around it.
        return (
            f"<iframe class='embed' data-card='{html.escape(self.hash)}' sandbox='allow-scripts' "
            f'srcdoc="{html.escape(self.get(), quote=True)}" '
            "style='width:100%;height:600px;border:0'></iframe>"
        )


class CardContainer:
    """The cards of one task (immutable, list-like)."""

    def __init__(self, cards: list[Card], origin_pathspec: str | None = None) -> None:
        self._cards = list(cards)
        self.from_resumed = origin_pathspec is not None
        self.origin_pathspec = origin_pathspec

    def __len__(self) -> int:
        return len(self._cards)

    def __iter__(self) -> Iterator[Card]:
        return iter(self._cards)

    def __getitem__(self, index: int) -> Card:
        return self._cards[index]

    def _repr_html_(self) -> str:
        return "\n".join(
            f"<h1>Displaying Card Of Type : {html.escape(c.type.title())}</h1>{c._repr_html_()}"
            for c in self._cards
        )


def get_cards(
    task: Any,
    id: str | None = None,
    type: str | None = None,
    follow_resumed: bool = True,
) -> CardContainer:
    """The cards of ``task`` (a client ``Task`` or ``FLOW/RUN/STEP/TASK``), filtered."""
    running = _running_cards(task)
    if running is not None:
        live_ds, live_files = running
        if not live_files:
            raise CardNotPresentException(str(current_pathspec()), card_type=type, card_id=id)
        live = select_cards(live_files, card_type=type, card_id=id)
        return CardContainer([Card(live_ds, f, live=True) for f in live])
    ds, run, step, key, pathspec, origin = task_location(task)
    files = committed_cards(ds, run, step, key)
    if not files:
        raise CardNotPresentException(pathspec, card_type=type, card_id=id)
    chosen = select_cards(files, card_type=type, card_id=id)
    return CardContainer([Card(ds, f, origin) for f in chosen], origin)


def current_pathspec() -> str | None:
    from runtime_shim.current import current

    return current.pathspec


def _running_cards(task: Any) -> tuple[FlowDatastore, list[CardFile]] | None:
    """The live cards of the task running in this process, when ``task`` names it
    (``get_cards(current.pathspec)`` inside a step): read from its running attempt."""
    from runtime_shim.current import current

    pathspec = task if isinstance(task, str) else getattr(task, "pathspec", None)
    if pathspec is None or pathspec != current.pathspec:
        return None
    live = next((s.live for s in current.card.slots if s.live is not None), None)
    if live is None:
        return None
    w = live.where
    prefix = f"{w.ds.attempt_prefix(w.run, w.step, w.task_key, w.attempt)}/{CARDS_DIR}"
    found = (parse_card_filename(f"{prefix}/{n}") for n in w.ds.store.list_children(prefix))
    return w.ds, [c for c in found if c is not None]


def task_location(task: Any) -> tuple[FlowDatastore, str, str, str, str, str | None]:
    """(datastore, run, step, task key, pathspec, origin pathspec) of a task or pathspec."""
    from flowc.client import Task

    if isinstance(task, str):
        if len(task.split("/")) != 4:
            raise IncorrectPathspecException(task)
        task = Task(task)
    elif not isinstance(task, Task):
        raise IncorrectArgumentException(type(task))
    origin = getattr(task, "origin_pathspec", None)
    # The datastore key (``_``, ``3@1``), which task ids (``start``, ``train.3@1``) name.
    key = getattr(task, "key", None) or task.id
    return task._ds, task.run_id, task.step_name, key, task.pathspec, origin


def cards_as_json(pathspec: str, cards: list[Card]) -> str:
    """``card list --as-json`` of one task."""
    listed = [c._file.to_json() for c in cards]
    return json.dumps({"pathspec": pathspec, "cards": listed})
