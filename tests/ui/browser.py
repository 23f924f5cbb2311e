"""Real Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright, and a viewer to
point it at. ``tools/setup_test_tools.sh`` installs Chromium; Playwright's own browser
download is never used. Screenshots go to ``test-artifacts/ui/`` (gitignored);
``tools/readme_screenshots.sh`` copies the README's into ``docs/images/``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).parent / "flows"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium keeps dialling Google's services,
# which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("FLOWC_TEST_ARTIFACTS", REPO / "test-artifacts")) / "ui"


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (skipped when Chromium or Playwright is missing)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing (tools/setup_test_tools.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def viewer(root: str, poll_seconds: float = 0.5) -> Iterator[str]:
    """The viewer of ``root`` on a free port of 127.0.0.1, in a thread; yields its URL."""
    from flowc.ui import make_server

    server = make_server(root, "127.0.0.1", 0, poll_seconds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def screenshot(page: Any, name: str, **options: Any) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


def flowc_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flowc.cli", *args]


def run_flow(flow: str, root: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a flow of tests/ui/flows (or a path) with the local runner; its run id."""
    path = flow if os.path.sep in flow else str(FLOWS / flow)
    done = subprocess.run(
        flowc_command("run", path, "--datastore", root, "-q", *args),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]
