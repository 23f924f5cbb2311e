"""The card types every flow has: ``default``, ``blank``, ``html`` and the ``error`` card.

A card is one self-contained HTML file that opens in any browser without network access
(``runtime_shim.cards.page``). While the task runs, ``current.card.refresh()`` stores a
runtime version of the default and blank cards whose script updates the components in
place (``runtime_shim.cards.live``); the card rendered at task end replaces it.
"""

from __future__ import annotations

import html

from runtime_shim.cards.base import MetaflowCard

__all__ = [
    "BlankCard",
    "DefaultCard",
    "ErrorCard",
    "HTMLCard",
    "TaskSpecCard",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def page(title: str, body: str, live: dict[str, Any] | None = None) -> str:
    """A complete HTML document around ``body`` (``runtime_shim.cards.page.page``)."""
    from runtime_shim.cards.page import page as document

    return document(title, body, live)


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
    RUNTIME_UPDATABLE = True

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
        self._flow = flow

    def _live(self) -> dict[str, Any] | None:
        data = self.runtime_data if isinstance(self.runtime_data, dict) else {}
        live = data.get("live")
        return live if isinstance(live, dict) else None

    # The page reloads (runtime_shim.cards.live) when the set of components changes;
    # updates to components arrive as data.
    RELOAD_POLICY = MetaflowCard.RELOAD_POLICY_ONCHANGE

    def reload_content_token(self, task: Any, data: dict[str, Any]) -> str:
        from runtime_shim.cards.live import layout_token

        return layout_token(list(data.get("layout", [])))

    def render_runtime(self, task: Any, data: dict[str, Any]) -> str:
        return self.render(task)

    def refresh(self, task: Any, data: dict[str, Any]) -> Any:
        return data.get("components")


class BlankCard(_ComponentCard):
    """Only the components a step added (``current.card.append``), under a title."""

    type = "blank"

    def render(self, task: Any) -> str:
        title = str(self._options.get("title", ""))
        heading = f"<h1>{html.escape(title)}</h1>" if title else ""
        body = heading + _components_html(self._components)
        return page(title or task.pathspec, body, self._live())


class DefaultCard(_ComponentCard):
    """The task at a glance: metadata, parameters, the step's components, the flow's DAG
    with this step marked, every artifact, and the step's source.

    ``options={"max_artifact_size_chars": N}`` caps each artifact's repr (500).
    """

    type = "default"

    def render(self, task: Any) -> str:
        from runtime_shim.cards import sections

        limit = int(self._options.get("max_artifact_size_chars", 500))
        finished = getattr(task, "finished", True)
        steps = getattr(task, "graph_steps", None)
        if steps:
            from runtime_shim.cards.dag import dag_svg

            dag = dag_svg(steps, task.step_name)
        else:
            dag = "<p>The flow's graph is not available to this task.</p>"
        artifacts = (
            sections.artifacts_table(task, limit)
            if finished
            else "<p>Artifacts are shown when the task finishes.</p>"
        )
        body = (
            f"<h1>{html.escape(task.pathspec)}</h1>"
            f"<h2>Task</h2>{sections.metadata_table(task)}"
            f"<h2>Parameters</h2>"
            f"{sections.parameters_table(getattr(task, 'parameters', {}) or {}, limit)}"
            + _components_html(self._components)
            + f"<h2>DAG</h2>{dag}"
            + f"<h2>Artifacts</h2>{artifacts}"
            + f"<h2>Source of {html.escape(task.step_name)}</h2>"
            + sections.step_source(self._flow, task.step_name)
        )
        return page(task.pathspec, body, self._live())


class HTMLCard(MetaflowCard):
    """The task's ``html`` artifact as a page (``options={"artifact": NAME}`` picks
    another). The HTML is shown in a sandboxed frame: it is drawn, but its scripts do not
    run and it cannot reach the card around it or the network."""

    type = "html"

    def __init__(self, options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._artifact = str((options or {}).get("artifact", "html"))

    def render(self, task: Any) -> str:
        name = html.escape(self._artifact)
        if self._artifact not in task:
            body = f"<p>This task has no artifact <code>{name}</code> to show.</p>"
        else:
            content = html.escape(str(task[self._artifact].data), quote=True)
            body = (
                f"<iframe class='html-artifact' title='{name}' sandbox srcdoc=\"{content}\" "
                "style='width:100%;min-height:80vh;border:0'></iframe>"
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


BUILTIN_CARDS: tuple[type[MetaflowCard], ...] = (
    DefaultCard,
    BlankCard,
    HTMLCard,
    ErrorCard,
    TaskSpecCard,
)
