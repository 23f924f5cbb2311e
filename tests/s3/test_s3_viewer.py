"""A flow run with its datastore on SeaweedFS shows its cards in the viewer (in Chromium).

The viewer reads the ``s3://`` root with the same credentials the run used; the test
follows the links a person would, from the run page to the task and its card.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, TEST_BUCKET, unique_prefix

from tests.ui.browser import chromium, run_flow, screenshot, viewer

pytestmark = [pytest.mark.slow, pytest.mark.seaweedfs]
HOSTILE = "<img src=x onerror=alert(1)>"


def test_viewer_shows_the_cards_of_a_run_on_seaweedfs(
    seaweed_env: dict[str, str], tmp_path: Path
) -> None:
    root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    env = {**seaweed_env, "PYTHONPATH": str(REPO)}
    run_id = run_flow(str(REPO / "tests/cards/flows/card_contents.py"), root, env=env)
    assert os.environ.get("AWS_ACCESS_KEY_ID")  # the viewer in this process reads S3 too
    dialogs: list[str] = []
    with chromium() as browser, viewer(root) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/flows/CardContentsFlow")
        page.get_by_role("link", name=run_id).click()
        box = page.locator("#dag g.step[data-step='start']")
        assert "status-succeeded" in (box.get_attribute("class") or "")
        page.get_by_role("link", name="start/start").click()
        frame = page.frame_locator("section.card[data-card-type='default'] iframe")
        frame.get_by_role("heading", name="Report").wait_for()
        assert frame.get_by_role("cell", name=HOSTILE).first.is_visible()
        frame.locator(".vega-chart svg").first.wait_for(timeout=10_000)
        screenshot(page, "s3-task", full_page=True)
    assert dialogs == []
