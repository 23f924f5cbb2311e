"""``metaflow.cards`` components, accepted so flows that build cards still run.

Cards are not rendered by the shim; the components keep their arguments.
"""

from __future__ import annotations

from typing import Any


class MetaflowCardComponent:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.args = args or self.args
        self.kwargs.update(kwargs)


class Markdown(MetaflowCardComponent):
    pass


class Table(MetaflowCardComponent):
    pass


class Image(MetaflowCardComponent):
    pass


class Artifact(MetaflowCardComponent):
    pass


class VegaChart(MetaflowCardComponent):
    pass


class ProgressBar(MetaflowCardComponent):
    pass


class Error(MetaflowCardComponent):
    pass


def get_cards(task: Any, id: str | None = None, type: str | None = None) -> list[Any]:
    """The cards of ``task``: none, since the shim does not render cards."""
    return []
