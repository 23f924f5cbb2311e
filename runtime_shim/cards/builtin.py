"""The card types every flow has: ``default``, ``blank`` and the ``error`` card.

The pages are plain HTML with a small inline stylesheet: a card is a self-contained file
that opens in any browser, without scripts or network access.
"""

from __future__ import annotations

import html

from runtime_shim.cards.base import MetaflowCard

__all__ = [
    "BlankCard",
    "DefaultCard",
    "ErrorCard",
    "TaskSpecCard",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}"
    ".card-warning,.error{border-left:4px solid #c33;padding:0 1em;margin:1em 0}"
)


def page(title: str, body: str) -> str:
    """A complete HTML document around ``body`` (already escaped markup)."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _components_html(components: list[Any]) -> str:
    # Components arrive rendered (str or dict); a dict is shown as its JSON.
    import json

    return "".join(
        c if isinstance(c, str) else f"<pre>{html.escape(json.dumps(c, default=str))}</pre>"
        for c in components
    )


class _ComponentCard(MetaflowCard):
    """A card type that shows the step's components and reads its options."""

    ALLOW_USER_COMPONENTS = True

    def __init__(
        self,
        options: dict[str, Any] | None = None,
        components: list[Any] | None = None,
        graph: Any = None,
        flow: Any = None,
        **kwargs: Any,
    ) -> None:
        self._options = dict(options or {})
        self._components = list(components or [])


class BlankCard(_ComponentCard):
    """Only the components a step added (``current.card.append``), under a title."""

    type = "blank"

    def render(self, task: Any) -> str:
        title = str(self._options.get("title", ""))
        heading = f"<h1>{html.escape(title)}</h1>" if title else ""
        return page(title or task.pathspec, heading + _components_html(self._components))


class DefaultCard(_ComponentCard):
    """The task at a glance: its pathspec, its artifacts, then the step's components.

    ``options={"max_artifact_size_chars": N}`` truncates each artifact's repr (500).
    """

    type = "default"

    def render(self, task: Any) -> str:
        limit = int(self._options.get("max_artifact_size_chars", 500))
        rows = []
        for artifact in task:
            if artifact.id.startswith("_"):
                continue
            text = repr(artifact.data)
            if len(text) > limit:
                text = text[:limit] + "..."
            rows.append(
                f"<tr><th>{html.escape(artifact.id)}</th>"
                f"<td><pre>{html.escape(text)}</pre></td></tr>"
            )
        body = (
            f"<h1>{html.escape(task.pathspec)}</h1>"
            + _components_html(self._components)
            + "<h2>Artifacts</h2><table>"
            + "".join(rows)
            + "</table>"
        )
        return page(task.pathspec, body)


class ErrorCard(MetaflowCard):
    """What is stored instead of a card that failed to render (``save_errors=True``)."""

    type = "error"

    def render(self, task: Any, stack_trace: str | None = None) -> str:
        body = (
            f"<h1>{html.escape(task.pathspec)}</h1><div class='error'><h3>Card render "
            f"failed</h3><pre>{html.escape(stack_trace or '')}</pre></div>"
        )
        return page(task.pathspec, body)


class TaskSpecCard(MetaflowCard):
    """Exactly the task's pathspec (a card whose content a test can predict)."""

    type = "taskspec_card"

    def render(self, task: Any) -> str:
        return str(task.pathspec)


BUILTIN_CARDS: tuple[type[MetaflowCard], ...] = (DefaultCard, BlankCard, ErrorCard, TaskSpecCard)
