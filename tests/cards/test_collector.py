"""``current.card``'s routing rules, on the collector itself (no run needed)."""

from __future__ import annotations

import pytest

from runtime_shim.cards import test_cards
from runtime_shim.cards.collector import CardComponentCollector

Text = test_cards.TestStringComponent


def _collector(*cards: dict[str, object]) -> CardComponentCollector:
    return CardComponentCollector([{"type": "default", **c} for c in cards])


def _texts(collector: CardComponentCollector, position: int) -> list[object]:
    return collector.slots[position].serialized_components()


@pytest.fixture(autouse=True)
def _warnings_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METAFLOW_CARD_NO_WARNING", raising=False)


def test_the_only_editable_card_is_the_default_even_with_an_id() -> None:
    cards = _collector({"type": "test_editable_card", "id": "xyz"}, {"type": "taskspec_card"})
    cards.append(Text("a"))
    cards.extend([Text("b")])
    assert _texts(cards, 0) == ["a", "b"] and _texts(cards, 1) == []
    assert cards["xyz"] is cards.slots[0]


def test_two_editable_cards_with_ids_refuse_append_and_warn_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cards = _collector(
        {"type": "test_editable_card", "id": "a"}, {"type": "test_editable_card", "id": "b"}
    )
    cards.append(Text("x"))
    cards.append(Text("y"))
    err = capsys.readouterr().err
    assert err.count("[@card WARNING] `current.card.append` cannot disambiguate") == 1
    # The warning itself is added to both cards; the components are not.
    assert all("COMP" not in str(t) and "cannot disambiguate" in str(t) for t in _texts(cards, 0))


def test_no_warning_setting_keeps_warnings_out_of_the_cards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("METAFLOW_CARD_NO_WARNING", "True")
    cards = _collector({"type": "test_editable_card", "id": "a"}, {"type": "test_editable_card"})
    assert cards["nope"] == []
    cards.append(Text("kept"))
    assert _texts(cards, 0) == [] and _texts(cards, 1) == ["kept"]


def test_customize_wins_and_a_non_editable_card_is_reachable_by_id() -> None:
    cards = _collector(
        {"type": "test_editable_card"},
        {"type": "test_editable_card", "customize": True},
        {"type": "test_non_editable_card", "id": "fixed"},
    )
    cards.append(Text("c"))
    cards["fixed"].append(Text("f"))
    assert [_texts(cards, i) for i in range(3)] == [[], ["c"], ["f"]]


def test_duplicate_ids_disable_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    cards = _collector(
        {"type": "test_editable_card", "id": "same"}, {"type": "test_editable_card", "id": "same"}
    )
    assert "duplicate ids : same" in capsys.readouterr().err
    assert cards["same"] == []


def test_clear_refresh_components_and_get() -> None:
    cards = _collector({"type": "test_editable_card"}, {"type": "taskspec_card"})
    cards.append(Text("gone"), id="first")
    assert cards.components is not None and cards.components.keys() == ["first"]
    cards.clear()
    cards.refresh({"progress": 3})
    assert _texts(cards, 0) == [] and cards.slots[0].runtime_data()["user"] == {"progress": 3}
    assert [s.type for s in cards.get(type="taskspec_card")] == ["taskspec_card"]


def test_a_step_without_cards_ignores_components_silently(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cards = CardComponentCollector()
    cards.append(Text("nowhere"))
    assert capsys.readouterr().err == "" and len(cards) == 0
