"""Cards: HTML reports a task renders from its ``@card`` decorators (``metaflow.cards``).

- ``base``: ``MetaflowCard`` (a card type) and ``MetaflowCardComponent``;
- ``components``: the components flows build (``Markdown``, ``Table``, ``Image``...);
- ``builtin``/``test_cards``/``registry``: which card types exist, extensions included;
- ``collector``: ``current.card``; ``render``: rendering at task end; ``store``: where
  cards live in the datastore; ``client``: ``get_cards`` to read them back.
"""

from __future__ import annotations

from runtime_shim.cards.base import MetaflowCard, MetaflowCardComponent
from runtime_shim.cards.builtin import BlankCard, DefaultCard, ErrorCard
from runtime_shim.cards.components import (
    Artifact,
    Error,
    EventsTimeline,
    Image,
    JSONViewer,
    Markdown,
    ProgressBar,
    PythonCode,
    Table,
    ValueBox,
    VegaChart,
    YAMLViewer,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Artifact",
    "BlankCard",
    "DefaultCard",
    "Error",
    "ErrorCard",
    "EventsTimeline",
    "Image",
    "JSONViewer",
    "Markdown",
    "MetaflowCard",
    "MetaflowCardComponent",
    "ProgressBar",
    "PythonCode",
    "Table",
    "ValueBox",
    "VegaChart",
    "YAMLViewer",
    "get_cards",
]


def get_cards(
    task: Any, id: str | None = None, type: str | None = None, follow_resumed: bool = True
) -> Any:
    """The cards of a task (``runtime_shim.cards.client.get_cards``; loaded on first use)."""
    from runtime_shim.cards.client import get_cards as read

    return read(task, id=id, type=type, follow_resumed=follow_resumed)
