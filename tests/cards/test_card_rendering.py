"""Cards rendered by the task on a real local run, read back through ``get_cards``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.runs import run_local

FLOWS = Path(__file__).parent / "flows"


@pytest.fixture(scope="module")
def rules_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    datastore = str(tmp_path_factory.mktemp("cards") / "ds")
    code, run_id = run_local(str(FLOWS / "card_rules.py"), datastore, "--local")
    assert code == 0, run_id
    return datastore, run_id


def _cards(datastore: str, run_id: str, step: str, **filters: str) -> list[object]:
    from metaflow.cards import get_cards

    from flowc.client import Flow

    task = Flow("CardRulesFlow", datastore=datastore)[run_id][step].task
    return list(get_cards(task, **filters))


def _html(card: object) -> str:
    text: str = card.get()
    return text


def test_an_editable_card_gets_the_components_and_drops_non_components(rules_run) -> None:
    (card,) = _cards(*rules_run, "start", type="test_editable_card")
    assert _html(card) == "41"
    assert card.id is None and len(card.hash) == 32
    assert card.path.endswith(f"/cards/test_editable_card-{card.hash}.html")


def test_append_goes_to_the_card_without_id_and_an_id_reaches_its_card(rules_run) -> None:
    cards = _cards(*rules_run, "two_cards")
    by_id = {c.id: _html(c) for c in cards}
    assert set(by_id) == {None, "named"}
    # The unknown id adds a warning to every card (METAFLOW_CARD_NO_WARNING is not set).
    assert by_id[None].startswith("to-default$&#!!@*")
    assert by_id["named"].startswith("to-named$&#!!@*")
    assert "current.card[&#x27;missing&#x27;]" in by_id["named"]
    assert "lost" not in by_id["named"] + by_id[None]


def test_customize_picks_the_default_editable_card(rules_run) -> None:
    cards = _cards(*rules_run, "customized")
    contents = {c.type: _html(c) for c in cards}
    assert contents["test_editable_card"] == "custom"
    assert contents["test_editable_card_2"] == ""
    assert contents["taskspec_card"].startswith("CardRulesFlow/") and contents[
        "taskspec_card"
    ].endswith("/customized/customized")


def test_failures_store_error_cards_unless_save_errors_is_off(rules_run) -> None:
    cards = _cards(*rules_run, "failures")
    stored = sorted((c.type, c.id) for c in cards)
    assert stored == [
        ("no_such_card_type", None),
        ("test_error_card", None),
        ("test_timeout_card", "slow"),
    ]
    html = {c.type: _html(c) for c in cards}
    assert "MetaflowCard named no_such_card_type not found" in html["no_such_card_type"]
    assert "Unknown Things Happened" in html["test_error_card"]
    assert "Card rendering timed out after 1 seconds" in html["test_timeout_card"]


def test_components_are_escaped_in_blank_and_default_cards(rules_run) -> None:
    (page,) = _cards(*rules_run, "pages", type="blank")
    text = _html(page)
    assert "<h1>Title &lt;script&gt;</h1>" in text and "<script>" not in text
    assert "<th>h&lt;1&gt;</th>" in text and "<td>&lt;i&gt;cell&lt;/i&gt;</td>" in text
    (overview,) = _cards(*rules_run, "pages", id="overview")
    text = _html(overview)
    assert overview.type == "default" and "<strong>bold</strong>" in text
    assert "&#x27;&lt;b&gt;artifact&lt;/b&gt;&#x27;" in text  # the artifact, escaped


def test_filters_and_missing_cards(rules_run) -> None:
    from metaflow.cards import get_cards
    from metaflow.plugins.cards.exception import CardNotPresentException

    assert _cards(*rules_run, "start", type="no_such_type") == []
    datastore, run_id = rules_run
    os.environ["FLOWC_DATASTORE"] = datastore
    try:
        with pytest.raises(CardNotPresentException) as raised:
            get_cards(f"CardRulesFlow/{run_id}/end/_")
        assert raised.value.headline == "Card not found in datastore"
        assert len(get_cards(f"CardRulesFlow/{run_id}/two_cards/_", id="named")) == 1
    finally:
        del os.environ["FLOWC_DATASTORE"]


def test_a_resumed_task_shows_the_card_of_its_origin(tmp_path: Path) -> None:
    flow = str(FLOWS / "card_resume.py")
    datastore = str(tmp_path / "ds")
    env = dict(os.environ, CARD_RESUME_FAIL="1", FLOWC_DATASTORE=datastore)
    failed = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "run", "--local", flow, "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode == 1
    origin = failed.stdout.strip()
    env["CARD_RESUME_FAIL"] = "0"
    resumed = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "resume", flow, "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    from metaflow.cards import get_cards

    from flowc.client import Flow

    task = Flow("CardResumeFlow", datastore=datastore)[resumed.stdout.strip()]["start"].task
    (card,) = get_cards(task)
    assert card.get() == f"CardResumeFlow/{origin}/start/start" == task["origin"].data
