"""The default card of a real local run: what it shows, that no user string becomes markup,
that it needs no network, and that ``current.card.refresh()`` stored live data.

The page is parsed with the standard library's HTML parser: a hostile string that
escaped would appear as an element (an ``img`` with ``onerror``), not as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support.runs import run_local

FLOWS = Path(__file__).parent / "flows"
HOSTILE = "<img src=x onerror=alert(1)>"


class _Page(HTMLParser):
    """Elements with their attributes, the text outside scripts, and the scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


@pytest.fixture(scope="module")
def contents_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    datastore = str(tmp_path_factory.mktemp("cards") / "ds")
    code, run_id = run_local(str(FLOWS / "card_contents.py"), datastore, "--local")
    assert code == 0, run_id
    return datastore, run_id


def _default_card(datastore: str, run_id: str) -> tuple[str, object]:
    from metaflow.cards import get_cards

    from flowc.client import Flow

    task = Flow("CardContentsFlow", datastore=datastore)[run_id]["start"].task
    (card,) = get_cards(task, type="default")
    return card.get(), card


def _parsed(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_no_hostile_string_becomes_an_element(contents_run: tuple[str, str]) -> None:
    text, _card = _default_card(*contents_run)
    page = _parsed(text)
    onerror = [attrs for tag, attrs in page.elements if "onerror" in attrs]
    assert onerror == []
    assert not any(tag == "img" and attrs.get("src") == "x" for tag, attrs in page.elements)
    shown = "".join(page.text)
    # Shown as text in: the artifact's repr, the parameter's value, the Markdown, the
    # table cell, the DataFrame cell.
    assert shown.count(HOSTILE) >= 5, shown
    assert "javascript:" not in "".join(str(a.get("href")) for _t, a in page.elements)


def test_the_page_allows_no_network_and_inlines_the_chart_libraries(
    contents_run: tuple[str, str],
) -> None:
    text, _card = _default_card(*contents_run)
    page = _parsed(text)
    (policy,) = [a for t, a in page.elements if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in str(policy["content"])
    assert not any(a.get("src", "data:").startswith(("http", "//")) for _t, a in page.elements)
    assert not any(
        t in ("script", "link") and ("src" in a or "href" in a) for t, a in page.elements
    )
    scripts = "".join(page.scripts)
    from runtime_shim.cards.assets import chart_libraries

    libraries = chart_libraries()
    assert libraries is not None, "card assets missing: python tools/fetch_card_assets.py"
    assert all(library in scripts for library in libraries)
    assert "vegaEmbed(el" in scripts


def test_the_default_card_shows_the_task_the_dag_the_artifacts_and_the_source(
    contents_run: tuple[str, str],
) -> None:
    text, _card = _default_card(*contents_run)
    page = _parsed(text)
    shown = "".join(page.text)
    for heading in ("Pathspec", "Created", "Finished", "Duration", "Attempt", "Tags", "User"):
        assert heading in shown
    assert re.search(r"Duration\d+\.\d{3} s", shown)
    steps = {a.get("data-step"): a.get("class") for t, a in page.elements if t == "g"}
    assert steps == {"start": "step current", "end": "step"}
    assert any(t == "svg" and a.get("class") == "dag" for t, a in page.elements)
    # The DataFrame is a table, the PNG bytes and the PIL image are images.
    assert "2 rows x 2 columns" in shown
    images = [a["src"] for t, a in page.elements if t == "img"]
    assert len(images) == 2 and all(str(s).startswith("data:image/png;base64,") for s in images)
    assert "self.frame = pd.DataFrame(" in shown and "def start(self):" in shown


def test_refresh_stored_live_data_and_the_final_card_does_not_poll(
    contents_run: tuple[str, str],
) -> None:
    text, card = _default_card(*contents_run)
    data = card.get_data()  # type: ignore[attr-defined]
    assert data is not None and data["mode"] == "final" and data["reload_token"] == "final"
    # Three refreshes (refresh_interval=0: none rate-limited), then the final write.
    assert data["render_seq"] == 4
    assert "step 2" in data["components"]["progress"]
    assert all(HOSTILE not in html for html in data["components"].values())
    page = _parsed(text)
    assert not any(a.get("name") == "flowc-card-data" for _t, a in page.elements)
    assert "fetch(url" not in "".join(page.scripts)
    from flowc.client import Flow

    run = Flow("CardContentsFlow", datastore=contents_run[0])[contents_run[1]]
    seen = run["start"].task["live_seen"].data
    assert seen["polls"] and seen["token_matches"] and seen["still_running"], seen
    assert seen["render_seq"] == 3 and "step 2" in seen["progress"]


def test_the_html_card_draws_the_artifact_in_a_sandbox_without_scripts(
    contents_run: tuple[str, str],
) -> None:
    from metaflow.cards import get_cards

    from flowc.client import Flow

    task = Flow("CardContentsFlow", datastore=contents_run[0])[contents_run[1]]["end"].task
    (card,) = get_cards(task, type="html")
    page = _parsed(card.get())
    (frame,) = [a for t, a in page.elements if t == "iframe"]
    # "sandbox" with no value: no scripts, no same-origin access, no forms, no popups.
    assert "sandbox" in frame and frame["sandbox"] in (None, "")
    assert frame["srcdoc"] == task["html"].data
    assert not any(t == "script" for t, _a in page.elements)


def test_the_targets_card_flow_runs_locally(tmp_path: Path) -> None:
    """The flow every target's card test runs (tests/support/cards.py), run locally."""
    from tests.support.cards import CARD_FLOW, check_cards
    from tests.support.runs import local_store

    code, run_id = run_local(CARD_FLOW, str(tmp_path / "ds"), "--local")
    assert code == 0, run_id
    check_cards(local_store(str(tmp_path / "ds")), run_id)


def test_a_notebook_shows_the_card_in_a_sandboxed_frame(contents_run: tuple[str, str]) -> None:
    text, card = _default_card(*contents_run)
    page = _parsed(card._repr_html_())  # type: ignore[attr-defined]
    (frame,) = page.elements
    assert frame[0] == "iframe" and frame[1]["sandbox"] == "allow-scripts"
    assert frame[1]["srcdoc"] == text
