"""The two classes a card is built from (Metaflow's ``card_modules.card``).

A *card type* is a ``MetaflowCard`` subclass with a unique ``type`` name; it turns a
finished task into HTML. A *component* is a ``MetaflowCardComponent``; a step adds
components to its cards through ``current.card`` and the task renders them (``render()``
returns a string or a JSON-serialisable dict) before the card type sees them.
"""

from __future__ import annotations

__all__ = [
    "MetaflowCard",
    "MetaflowCardComponent",
    "create_component_id",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class MetaflowCard:
    """Base class of every card type; subclasses set ``type`` and implement ``render``.

    The constructor receives ``options`` (the decorator's ``options=``, only when given),
    ``components`` (the rendered components of an editable card), ``graph`` and ``flow``.
    """

    RELOAD_POLICY_NEVER = "never"
    RELOAD_POLICY_ALWAYS = "always"
    RELOAD_POLICY_ONCHANGE = "onchange"
    # Replaced in the rendered HTML by a token that tells a viewer when to reload.
    RELOAD_POLICY_TOKEN = "[METAFLOW_RELOAD_TOKEN]"

    type: str | None = None
    ALLOW_USER_COMPONENTS = False
    RUNTIME_UPDATABLE = False
    RELOAD_POLICY = RELOAD_POLICY_NEVER
    scope = "task"
    runtime_data: Any = None

    def __init__(
        self,
        options: dict[str, Any] | None = None,
        components: list[Any] | None = None,
        graph: Any = None,
        flow: Any = None,
        **kwargs: Any,
    ) -> None:
        pass

    def render(self, task: Any) -> str:
        """The card's HTML for the finished ``task``."""
        raise NotImplementedError()

    def render_runtime(self, task: Any, data: dict[str, Any]) -> str:
        raise NotImplementedError()

    def refresh(self, task: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError()

    def reload_content_token(self, task: Any, data: dict[str, Any]) -> str:
        return "content-token"


class MetaflowCardComponent:
    """Base class of card components: ``render()`` returns HTML (a string) or a dict."""

    REALTIME_UPDATABLE = False
    _component_id: str | None = None

    @property
    def component_id(self) -> str | None:
        return self._component_id

    @component_id.setter
    def component_id(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Component ID must be a string")
        self._component_id = value

    def update(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError()

    def render(self) -> Any:
        raise NotImplementedError()


def create_component_id(component: Any) -> str:
    """A fresh id for a component added without one (``markdown_1a2b3c``)."""
    import uuid  # uuid imports platform: kept off the start-up of tasks without cards

    return f"{type(component).__name__.lower()}_{uuid.uuid4().hex[:6]}"
