"""``current.card``: where a step's code puts the components of its cards.

The rules are Metaflow's:
- ``current.card.append``/``extend`` go to the *default editable card*: the only card
  whose type allows user components; else the only such card without an ``id``; a card
  with ``customize=True`` takes precedence over both. When none can be chosen, the call
  is ignored with a ``[@card WARNING]`` on stderr (once) instead of failing the step.
- ``current.card[ID]`` is the card with ``@card(id=ID)``, editable or not; an unknown id
  warns and returns a throwaway list.
- Warnings are also added to the cards themselves unless ``METAFLOW_CARD_NO_WARNING``.
"""

from __future__ import annotations

import json
import os
import sys

from runtime_shim.cards.base import MetaflowCardComponent, create_component_id
from runtime_shim.cards.exception import CARD_ID_PATTERN, TYPE_CHECK_REGEX

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from runtime_shim.cards.live import LiveCards


def card_warning(message: str) -> None:
    print(f"[@card WARNING] {message}", file=sys.stderr)


class ComponentStore:
    """One card's components in insertion order, addressable by component id."""

    def __init__(self, card_type: str, card_id: str | None, components: Iterable[Any] = ()):
        self._card_type = card_type
        self._card_id = card_id
        self._components: dict[str, MetaflowCardComponent] = {}
        for component in components:
            self._store(component, None)

    def _store(self, component: Any, component_id: str | None) -> None:
        if not isinstance(component, MetaflowCardComponent):
            card_warning(
                f"Component ({component}) is not a valid MetaflowCardComponent. "
                "It will not be stored."
            )
            return
        if component_id is not None:
            component.component_id = component_id
        elif component.component_id is None:
            component.component_id = create_component_id(component)
        self._components[str(component.component_id)] = component

    def append(self, component: Any, id: str | None = None) -> None:
        self._store(component, id)

    def extend(self, components: Iterable[Any]) -> None:
        for component in components:
            self._store(component, None)

    def clear(self) -> None:
        self._components.clear()

    def keys(self) -> list[str]:
        return list(self._components)

    def values(self) -> list[MetaflowCardComponent]:
        return list(self._components.values())

    def __iter__(self) -> Iterator[MetaflowCardComponent]:
        return iter(list(self._components.values()))

    def __len__(self) -> int:
        return len(self._components)

    def __contains__(self, key: object) -> bool:
        return key in self._components

    def __getitem__(self, key: str) -> MetaflowCardComponent:
        if key not in self._components:
            from runtime_shim.cards.components import StubComponent

            self._store(StubComponent(key), key)
        return self._components[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self._components:
            from runtime_shim.cards.exception import ComponentOverwriteNotSupportedException

            raise ComponentOverwriteNotSupportedException(key, self._card_id, self._card_type)
        self._store(value, key)

    def __delitem__(self, key: str) -> None:
        if key not in self._components:
            raise KeyError(
                f"MetaflowCardComponent with id `{key}` not found. Available components "
                f"for the cards include : {', '.join(self.keys())}"
            )
        del self._components[key]

    def __str__(self) -> str:
        return f"Card components present in the card: `{'`, `'.join(self.keys())}` "


class CardSlot:
    """One ``@card`` of the running step: its arguments and the components it collects."""

    def __init__(self, position: int, attributes: dict[str, Any]) -> None:
        from runtime_shim.cards.registry import find_card_type

        self.position = position
        self.attributes = attributes
        self.type: str = str(attributes.get("type") or "default")
        self.card_class = find_card_type(self.type)
        self.exists = self.card_class is not None
        self.editable = bool(self.card_class and self.card_class.ALLOW_USER_COMPONENTS)
        self.customize = str(attributes.get("customize")) == "True"
        card_id = attributes.get("id")
        if card_id is not None and CARD_ID_PATTERN.match(str(card_id)) is None:
            card_warning(
                f"@card with id '{card_id}' doesn't match REGEX pattern. Adding custom "
                f"components to cards will not be accessible via `current.card['{card_id}']`. "
                f"Please create `id` of pattern {TYPE_CHECK_REGEX}. "
            )
            card_id = None
        self.card_id: str | None = card_id
        self.components = ComponentStore(self.type, self.card_id)
        self.user_data: Any = None
        # Live updates (runtime_shim.cards.live), set when the task starts.
        self.live: LiveCards | None = None
        self.card_filename = ""
        self.last_refresh: float | None = None
        self.render_seq = 0
        self.reload_token: str | None = None

    # The per-card interface of ``current.card[ID]`` (Metaflow's CardComponentManager).
    def append(self, component: Any, id: str | None = None) -> None:
        self.components.append(component, id=id)

    def extend(self, components: Iterable[Any]) -> None:
        self.components.extend(components)

    def clear(self) -> None:
        self.components.clear()

    def refresh(self, data: Any = None, force: bool = False) -> None:
        """Keep ``data`` for the card's renders and, in a running task, store the live
        card and its data (rate-limited, ``runtime_shim.cards.live``)."""
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            card_warning("Data provided to `refresh` is not JSON serializable. It will be ignored.")
            return
        self.user_data = data
        if self.live is not None:
            self.live.refresh(self, force)

    def __iter__(self) -> Iterator[MetaflowCardComponent]:
        return iter(self.components)

    def serialized_components(self) -> list[Any]:
        """The components rendered for the card type: str or JSON-able dict, others dropped.

        Flow-built components (``UserComponent``) are wrapped into one section, as
        Metaflow does, so a card type receives one block of markup.
        """
        from runtime_shim.cards.components import SectionComponent, UserComponent, placed

        pairs = [(c, r) for c in self.components if (r := _render_component(c)) is not None]
        if pairs and any(isinstance(c, UserComponent) for c in self.components):
            # Each piece of markup sits in an element carrying its component's id, which
            # the card's live-update script finds (runtime_shim.cards.live).
            contents = [placed(c, r) if isinstance(r, str) else r for c, r in pairs]
            return [SectionComponent(contents=contents).render()]
        return [r for _, r in pairs]

    def runtime_data(self) -> dict[str, Any]:
        """What ``MetaflowCard.runtime_data`` holds at the final render."""
        components = {
            str(c.component_id): r
            for c in self.components
            if c.REALTIME_UPDATABLE and (r := _render_component(c)) is not None
        }
        return {
            "user": self.user_data,
            "components": components,
            "render_seq": "final",
            "mode": "render",
        }


def _render_component(component: Any) -> Any:
    """A component's rendering, or None to leave it out. As in Metaflow, a flowc
    component (``UserComponent``) that fails shows an error in its place instead; any
    other component that fails, or renders neither a str nor a JSON-able dict, is left
    out."""
    from runtime_shim.cards.components import UserComponent, failed_component

    if not isinstance(component, MetaflowCardComponent):
        return None
    shown = isinstance(component, UserComponent)
    try:
        rendered = component.render()
    except Exception:
        import traceback

        return failed_component(component, traceback.format_exc()) if shown else None
    if type(rendered) not in (str, dict):
        return (
            failed_component(component, "render() returned neither a str nor a dict")
            if shown
            else None
        )
    try:
        json.dumps(rendered)
    except (TypeError, ValueError, OverflowError) as exc:
        return failed_component(component, f"not JSON-serialisable: {exc}") if shown else None
    return rendered


class CardComponentCollector:
    """``current.card`` of one task (empty when the step has no ``@card``)."""

    def __init__(self, cards: Iterable[dict[str, Any]] = ()) -> None:
        self.slots = [CardSlot(i, dict(attrs)) for i, attrs in enumerate(cards)]
        self._no_warnings = _truthy(os.environ.get("METAFLOW_CARD_NO_WARNING"))
        self._warned: set[str] = set()
        self._by_id: dict[str, CardSlot] = {}
        self._default: CardSlot | None = None
        self.facts: Any = None  # the task's TaskFacts, once the task has started
        self._finalize()

    def go_live(self, live: LiveCards, pathspec: str, attempt: int) -> None:
        """Let ``refresh()`` store live cards for this task (``cards.lifecycle.start``)."""
        from runtime_shim.cards.store import card_filename, card_hash

        for slot in self.slots:
            card_type = slot.type if CARD_ID_PATTERN.match(slot.type) else "error"
            digest = card_hash(pathspec, attempt, slot.position)
            slot.card_filename = card_filename(card_type, digest, slot.card_id)
            slot.live = live

    def _finalize(self) -> None:
        editable = [s for s in self.slots if s.editable]
        ids = [s.card_id for s in self.slots if s.card_id is not None]
        self._by_id = {s.card_id: s for s in self.slots if s.card_id is not None}
        if not editable:
            return
        if len(editable) == 1:
            self._default = editable[0]
            return
        without_id = [s for s in editable if s.card_id is None]
        if len(without_id) == 1:
            self._default = without_id[0]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            self._warn(
                "Multiple `@card` decorator have been annotated with duplicate ids : "
                f"{', '.join(duplicates)}. `current.card['{duplicates[0]}']` will not work"
            )
            for card_id in duplicates:
                del self._by_id[card_id]
        customized = [s for s in editable if s.customize]
        if len(customized) > 1:
            self._warn(
                "Multiple @card decorators have `customize=True`. Only one @card per @step "
                "can have `customize=True`. `current.card.append` will ignore all "
                "decorators marked `customize=True`."
            )
        elif len(customized) == 1:
            self._default = customized[0]

    def _warn(self, message: str, once: str | None = None, to_cards: bool = False) -> None:
        if once is not None:
            if once in self._warned:
                return
            self._warned.add(once)
        card_warning(message)
        if to_cards and not self._no_warnings:
            from runtime_shim.cards.components import WarningComponent

            for slot in self.slots:
                slot.components.append(WarningComponent(message))

    def _no_default(self, verb: str, what: str) -> None:
        if not self.slots:
            return  # no @card on the step: components go nowhere, silently
        if len(self.slots) == 1:
            only = self.slots[0]
            head = (
                f"Card of type `{only.type}` is not an editable card."
                if only.exists
                else f"Card of type `{only.type}` doesn't exist."
            )
            tail = (
                "Please use an editable card."
                if only.exists
                else ("Please use a card `type` which exits.")
            )
        else:
            head = f"`current.card.{verb}` cannot disambiguate between multiple editable cards."
            tail = (
                "To fix this set the `id` argument in all @card's when using multiple @card "
                "decorators over a single @step. "
            )
        lines = [
            head,
            f"{what} will not work for any call during this runtime execution.",
            tail,
        ]
        self._warn(" ".join(lines), once=verb, to_cards=True)

    def __getitem__(self, key: str) -> Any:
        if key in self._by_id:
            return self._by_id[key]
        lines = [
            f"`current.card['{key}']` is not present. Please set the `id` argument in @card "
            f"to '{key}' to access `current.card['{key}']`.",
            f"`current.card['{key}']` will return an empty `list` which is not referenced "
            "to `current.card` object.",
        ]
        self._warn(" ".join(lines), once=f"[{key}]", to_cards=True)
        return []

    def __setitem__(self, key: str, value: Any) -> None:
        slot = self._by_id.get(key)
        if slot is None:
            card_warning(
                f"`current.card['{key}']` is not present. Please set the `id` argument in "
                f"@card to '{key}' to access `current.card['{key}']`. "
            )
            return
        if not isinstance(value, list):
            card_warning(
                f"`current.card['{key}']` not set. `current.card['{key}']` should be a "
                "`list` of `MetaflowCardComponent`."
            )
            return
        slot.components = ComponentStore(slot.type, slot.card_id, value)

    def append(self, component: Any, id: str | None = None) -> None:
        if self._default is None:
            self._no_default("append", "Component will not be appended and `current.card.append`")
            return
        self._default.append(component, id=id)

    def extend(self, components: Iterable[Any]) -> None:
        if self._default is None:
            self._no_default(
                "extend", "Components list will not be extended and `current.card.extend`"
            )
            return
        self._default.extend(components)

    @property
    def components(self) -> ComponentStore | None:
        if self._default is None:
            if self.slots:
                self._warn(
                    "`current.card.components` cannot be resolved to one editable card.",
                    once="components",
                )
            return None
        return self._default.components

    def clear(self) -> None:
        if self._default is not None:
            self._default.clear()

    def refresh(self, *args: Any, **kwargs: Any) -> None:
        if self._default is not None:
            self._default.refresh(*args, **kwargs)

    def get(self, type: str | None = None) -> list[CardSlot]:
        """The cards of one type (a list, since a step may carry several)."""
        return [s for s in self.slots if s.type == type]

    def __iter__(self) -> Iterator[MetaflowCardComponent]:
        return iter(self._default.components if self._default is not None else [])

    def __len__(self) -> int:
        return len(self._default.components) if self._default is not None else 0


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
