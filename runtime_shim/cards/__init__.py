"""Cards: HTML reports a task renders from its ``@card`` decorators (``metaflow.cards``).

- ``base``: ``MetaflowCard`` (a card type) and ``MetaflowCardComponent``;
- ``components``: the components flows build (``Markdown``, ``Table``, ``Image``...);
- ``builtin``/``test_cards``/``registry``: which card types exist, extensions included;
- ``collector``: ``current.card``; ``render``: rendering at task end; ``store``: where
  cards live in the datastore; ``client``: ``get_cards`` to read them back.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.cards.base import MetaflowCard as MetaflowCard
    from runtime_shim.cards.base import MetaflowCardComponent as MetaflowCardComponent
    from runtime_shim.cards.builtin import BlankCard as BlankCard
    from runtime_shim.cards.builtin import DefaultCard as DefaultCard
    from runtime_shim.cards.builtin import ErrorCard as ErrorCard
    from runtime_shim.cards.components import Artifact as Artifact
    from runtime_shim.cards.components import Error as Error
    from runtime_shim.cards.components import EventsTimeline as EventsTimeline
    from runtime_shim.cards.components import Image as Image
    from runtime_shim.cards.components import JSONViewer as JSONViewer
    from runtime_shim.cards.components import Markdown as Markdown
    from runtime_shim.cards.components import ProgressBar as ProgressBar
    from runtime_shim.cards.components import PythonCode as PythonCode
    from runtime_shim.cards.components import Table as Table
    from runtime_shim.cards.components import ValueBox as ValueBox
    from runtime_shim.cards.components import VegaChart as VegaChart
    from runtime_shim.cards.components import YAMLViewer as YAMLViewer

# Every task imports ``runtime_shim.cards.collector`` (``current.card``), which imports this
# package first; loading the components and card types only when a name is asked for keeps
# them (uuid, platform, html, base64...) out of the start-up of tasks without ``@card``.
_SUBMODULE_OF = {
    **dict.fromkeys(("MetaflowCard", "MetaflowCardComponent"), "base"),
    **dict.fromkeys(("BlankCard", "DefaultCard", "ErrorCard"), "builtin"),
    **dict.fromkeys(
        (
            "Artifact",
            "Error",
            "EventsTimeline",
            "Image",
            "JSONViewer",
            "Markdown",
            "ProgressBar",
            "PythonCode",
            "Table",
            "ValueBox",
            "VegaChart",
            "YAMLViewer",
        ),
        "components",
    ),
}

__all__ = sorted([*_SUBMODULE_OF, "get_cards"])


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE_OF.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def get_cards(
    task: Any, id: str | None = None, type: str | None = None, follow_resumed: bool = True
) -> Any:
    """The cards of a task (``runtime_shim.cards.client.get_cards``; loaded on first use)."""
    from runtime_shim.cards.client import get_cards as read

    return read(task, id=id, type=type, follow_resumed=follow_resumed)
