"""The run viewer in real Chromium: from the flows page to a run, a task and its cards,
as a person would see them; a live card changing while its task runs; hostile strings
shown as text; and the run page of a 1,000-task run interactive within a second."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.browser import FLOWS, chromium, flowc_command, run_flow, screenshot, viewer

REPO = Path(__file__).resolve().parents[2]
CONTENTS_FLOW = str(REPO / "tests/cards/flows/card_contents.py")
HOSTILE = "<img src=x onerror=alert(1)>"
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page that records every dialog (none may open: user strings are text)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.dialogs = []

    def dismiss(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", dismiss)
    yield opened
    context.close()


def test_run_to_task_to_card(page: Any, tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    run_id = run_flow(CONTENTS_FLOW, root)
    with viewer(root) as base:
        page.goto(base + "/")
        page.get_by_role("link", name="CardContentsFlow").first.wait_for()
        page.get_by_role("link", name=run_id).click()
        page.wait_for_url(f"**/runs/CardContentsFlow/{run_id}")
        # The DAG: both steps drawn, coloured as succeeded.
        for step in ("start", "end"):
            box = page.locator(f"#dag g.step[data-step='{step}']")
            assert "status-succeeded" in (box.get_attribute("class") or "")
            fill = box.locator("rect").evaluate("r => getComputedStyle(r).fill")
            assert fill == "rgb(198, 246, 213)"  # STATUS_COLOURS["succeeded"]
        assert page.locator("#run-status").inner_text() == "succeeded"
        assert page.locator("#tasks tbody tr").count() == 2
        screenshot(page, "run", full_page=True)

        page.get_by_role("link", name="start/start").click()
        page.wait_for_url("**/tasks/CardContentsFlow/**/start/start")
        # The hostile artifact is text on the task page.
        assert HOSTILE in page.locator("tr[data-artifact='hostile'] pre").inner_text()
        assert page.locator("img[src=x]").count() == 0

        frame = page.frame_locator("section.card[data-card-type='default'] iframe")
        frame.get_by_role("heading", name="Report").wait_for()
        markdown = frame.locator(".markdown").first
        assert markdown.is_visible() and HOSTILE in markdown.inner_text()
        cell = frame.get_by_role("cell", name=HOSTILE).first
        assert cell.is_visible()
        assert frame.locator("img[src=x]").count() == 0
        # The chart is drawn by Vega (an SVG inside the chart's element).
        frame.locator(".vega-chart svg").first.wait_for(timeout=10_000)
        # The image artifacts show as images that decoded.
        images = frame.locator("img[src^='data:image/png']")
        assert images.count() >= 1
        assert images.first.evaluate("i => i.complete && i.naturalWidth > 0")
        frame.get_by_text("step 2", exact=True).wait_for()
        page.locator("section.card").first.scroll_into_view_if_needed()
        screenshot(page, "task", full_page=True)
        # The card's own report at the top of its frame: Markdown, table, chart, images.
        frame.locator(".markdown").first.evaluate("el => el.scrollIntoView()")
        page.locator("section.card iframe").first.screenshot(path=str(screenshot_path("card")))

        # The html card's script may not reach the viewer page around it.
        page.goto(base + f"/tasks/CardContentsFlow/{run_id}/end/end")
        html_frame = page.frame_locator("section.card[data-card-type='html'] iframe")
        # The html card frames the flow's HTML once more, sandboxed without scripts.
        html_frame.frame_locator("iframe").get_by_role(
            "heading", name="Made by the flow"
        ).wait_for()
        time.sleep(0.3)
        assert page.title() != "owned"
    assert page.dialogs == []


def screenshot_path(name: str) -> Path:
    from tests.ui.browser import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_live_run_and_card_change_while_the_task_runs(page: Any, tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    env = {**os.environ, "LIVE_TICKS": "8", "FLOWC_TASK_ECHO": "0"}
    process = subprocess.Popen(
        flowc_command("run", str(FLOWS / "live_card.py"), "--datastore", root, "-q"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        runs = Path(root) / "LiveCardFlow" / "runs"
        deadline = time.monotonic() + 60
        while not (runs.is_dir() and any(runs.iterdir())):
            assert time.monotonic() < deadline, "the run never started"
            assert process.poll() is None, process.communicate()
            time.sleep(0.1)
        (run_dir,) = runs.iterdir()
        with viewer(root, poll_seconds=0.3) as base:
            # The run page while the run runs: its start task shows as running.
            page.goto(f"{base}/runs/LiveCardFlow/{run_dir.name}")
            page.evaluate("window.notReloaded = true")
            row = page.locator("#tasks tr[data-task='start/start']")
            row.wait_for(timeout=30_000)
            start_box = page.locator("#dag g.step[data-step='start']")
            expect(start_box).to_have_class(re.compile("status-running"), timeout=30_000)
            assert page.locator("#run-status").inner_text() == "running"
            screenshot(page, "run-live")

            # The task page: its runtime card counts up while the task runs.
            task_page = page.context.new_page()
            task_page.goto(f"{base}/tasks/LiveCardFlow/{run_dir.name}/start/start")
            frame = task_page.frame_locator("section.card iframe")
            seen = []
            for _ in range(80):
                text = frame.locator("[data-component-id='counter']").inner_text(timeout=20_000)
                if not seen or seen[-1] != text:
                    seen.append(text)
                if len(seen) >= 3:
                    break
                time.sleep(0.25)
            assert len(seen) >= 3, seen
            ticks = [int(s.split()[-1]) for s in seen]
            assert ticks == sorted(ticks) and len(set(ticks)) == len(ticks), seen

            # The run page follows the run to its end without reloading.
            expect(page.locator("#run-status")).to_have_text("succeeded", timeout=60_000)
            assert page.evaluate("window.notReloaded") is True
            assert page.locator("#tasks tbody tr").count() == 2
            start_class = page.locator("#dag g.step[data-step='start']").get_attribute("class")
            assert "status-succeeded" in (start_class or "")
            screenshot(page, "run-finished")
            # The task page reloads itself when the task ends: now with its artifacts.
            task_page.locator("tr[data-artifact='ticks']").wait_for(timeout=30_000)
            assert "8" in task_page.locator("tr[data-artifact='ticks'] pre").inner_text()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert page.dialogs == []


@pytest.mark.slow
def test_a_thousand_task_run_page_is_interactive_within_a_second(page: Any, tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    run_id = run_flow("wide_foreach.py", root)
    with viewer(root) as base:
        url = f"{base}/runs/WideFlow/{run_id}"
        page.goto(url)  # once to warm the server's imports
        # The browser's own "interactive" mark (domInteractive: the page parsed, its
        # links live), from the start of navigation, so the server's time is in it.
        # Best of three loads: the machine running the tests is shared, and one load
        # can lose a second to a neighbour.
        marks = []
        for _ in range(3):
            page.goto(url, wait_until="domcontentloaded")
            marks.append(
                page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive")
            )
        assert page.locator("#tasks tbody tr").count() == 1003
        assert min(marks) < 1000, marks
        # And it is interactive: the last task's link leads to its page.
        page.locator("#tasks tr[data-task='work/work.999'] a").click()
        page.wait_for_url("**/tasks/WideFlow/**/work/work.999")
        assert "work.999" in page.locator("h1").inner_text()
        page.go_back()
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "run-1000")
