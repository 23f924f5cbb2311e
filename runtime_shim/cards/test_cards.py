"""The card types Metaflow's own test suite uses (``card_modules.test_cards``).

They are small, deterministic in what they show, and each exercises one rule of the card
machinery: editable or not, failing, slow, refreshable. Flows written for Metaflow's tests
import them by this module path.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import time

from runtime_shim.cards.base import MetaflowCard, MetaflowCardComponent

__all__ = [
    "TestEditableCard",
    "TestEditableCard2",
    "TestErrorCard",
    "TestJSONComponent",
    "TestMockCard",
    "TestNonEditableCard",
    "TestPathSpecCard",
    "TestRefreshCard",
    "TestRefreshComponentCard",
    "TestStringComponent",
    "TestTimeoutCard",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class TestStringComponent(MetaflowCardComponent):
    REALTIME_UPDATABLE = True

    def __init__(self, text: str) -> None:
        self._text = text

    def render(self) -> str:
        return str(self._text)

    def update(self, text: str) -> None:
        self._text = text


class TestJSONComponent(MetaflowCardComponent):
    REALTIME_UPDATABLE = True

    def __init__(self, data: Any) -> None:
        self._data = data

    def render(self) -> Any:
        return self._data

    def update(self, data: Any) -> None:
        self._data = data


class TestPathSpecCard(MetaflowCard):
    """The task's pathspec and a random suffix (two such cards on a step differ)."""

    type = "test_pathspec_card"

    def render(self, task: Any) -> str:
        suffix = "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        return f"{task.pathspec} {suffix}"


class _JoinedComponents(MetaflowCard):
    separator = "$&#!!@*"

    def __init__(self, components: list[Any] | None = None, **kwargs: Any) -> None:
        self._components = list(components or [])

    def render(self, task: Any) -> str:
        return self.separator.join(str(c) for c in self._components)


class TestEditableCard(_JoinedComponents):
    type = "test_editable_card"
    ALLOW_USER_COMPONENTS = True


class TestEditableCard2(_JoinedComponents):
    type = "test_editable_card_2"
    ALLOW_USER_COMPONENTS = True


class TestNonEditableCard(_JoinedComponents):
    type = "test_non_editable_card"


class TestMockCard(MetaflowCard):
    """The value of the artifact named by ``options["key"]``."""

    type = "test_mock_card"

    def __init__(self, options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._key = (options or {"key": "dummy_key"})["key"]

    def render(self, task: Any) -> str:
        return f"{task[self._key].data}"


class TestErrorCard(MetaflowCard):
    type = "test_error_card"

    def render(self, task: Any) -> str:
        raise Exception("Unknown Things Happened")


class TestTimeoutCard(MetaflowCard):
    """Sleeps ``options["timeout"]`` seconds (10 without it), then shows the pathspec."""

    type = "test_timeout_card"

    def __init__(self, options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._timeout = float((options or {"timeout": 50}).get("timeout", 10))

    def render(self, task: Any) -> str:
        time.sleep(self._timeout)
        return f"{task.pathspec}"


REFRESHABLE_HTML_TEMPLATE = """
<html>
<script>
var METAFLOW_RELOAD_TOKEN = "[METAFLOW_RELOAD_TOKEN]"

window.metaflow_card_update = function(data) {
    document.querySelector("h1").innerHTML = JSON.stringify(data);
}
</script>
<h1>[PATHSPEC]</h1>
<h1>[REPLACE_CONTENT_HERE]</h1>
</html>
"""


class TestRefreshCard(MetaflowCard):
    """Shows the data last passed to ``current.card.refresh(data)``."""

    HTML_TEMPLATE = REFRESHABLE_HTML_TEMPLATE
    RUNTIME_UPDATABLE = True
    ALLOW_USER_COMPONENTS = True
    RELOAD_POLICY = MetaflowCard.RELOAD_POLICY_ALWAYS
    type = "test_refresh_card"

    def render(self, task: Any) -> str:
        return self._render_func(task, self.runtime_data)

    def _render_func(self, task: Any, data: dict[str, Any]) -> str:
        return self.HTML_TEMPLATE.replace(
            "[REPLACE_CONTENT_HERE]", json.dumps(data["user"])
        ).replace("[PATHSPEC]", task.pathspec)

    def render_runtime(self, task: Any, data: dict[str, Any]) -> str:
        return self._render_func(task, data)

    def refresh(self, task: Any, data: dict[str, Any]) -> Any:
        return data


def _component_values_to_hash(components: dict[str, Any]) -> str:
    joined = ",".join("".join(x) for v in components.values() for x in v)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class TestRefreshComponentCard(MetaflowCard):
    """Shows its components; reloads when their values change."""

    HTML_TEMPLATE = REFRESHABLE_HTML_TEMPLATE
    RUNTIME_UPDATABLE = True
    ALLOW_USER_COMPONENTS = True
    RELOAD_POLICY = MetaflowCard.RELOAD_POLICY_ONCHANGE
    type = "test_component_refresh_card"

    def __init__(self, components: list[Any] | None = None, **kwargs: Any) -> None:
        self._components = list(components or [])

    def render(self, task: Any) -> str:
        return self.HTML_TEMPLATE.replace(
            "[REPLACE_CONTENT_HERE]", json.dumps(self._components)
        ).replace("[PATHSPEC]", task.pathspec)

    def render_runtime(self, task: Any, data: dict[str, Any]) -> str:
        return self.render(task)

    def refresh(self, task: Any, data: dict[str, Any]) -> Any:
        return data["components"]

    def reload_content_token(self, task: Any, data: dict[str, Any]) -> str:
        if task.finished:
            return "final"
        return "runtime-" + _component_values_to_hash(data["components"])


TEST_CARDS: tuple[type[MetaflowCard], ...] = (
    TestPathSpecCard,
    TestEditableCard,
    TestEditableCard2,
    TestNonEditableCard,
    TestMockCard,
    TestErrorCard,
    TestTimeoutCard,
    TestRefreshCard,
    TestRefreshComponentCard,
)
