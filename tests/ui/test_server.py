"""The viewer's HTTP side without a browser: routes, read-only, escaping, the live data
token, and the commands that start it (``flowc ui``, ``flowc card server``, the flow
file's ``card server``) binding 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.browser import FLOWS, REPO, flowc_command, run_flow, viewer

CONTENTS_FLOW = str(REPO / "tests/cards/flows/card_contents.py")
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def contents_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    root = str(tmp_path_factory.mktemp("ds"))
    return root, run_flow(CONTENTS_FLOW, root)


@pytest.fixture
def base(contents_run: tuple[str, str]) -> Iterator[str]:
    with viewer(contents_run[0]) as url:
        yield url


def get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_pages_escape_every_user_string(base: str, contents_run: tuple[str, str]) -> None:
    _root, run = contents_run
    status, headers, body = get(f"{base}/tasks/CardContentsFlow/{run}/start/start")
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert HOSTILE not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "sandbox='allow-scripts'" in body


def test_run_json_reports_tasks_and_steps(base: str, contents_run: tuple[str, str]) -> None:
    _root, run = contents_run
    status, headers, body = get(f"{base}/api/runs/CardContentsFlow/{run}")
    data = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert data["status"] == "succeeded"
    assert data["steps"] == {"start": "succeeded", "end": "succeeded"}
    assert sorted(t["id"] for t in data["tasks"]) == ["end", "start"]


def test_only_card_files_are_served_and_nothing_is_written(
    base: str, contents_run: tuple[str, str]
) -> None:
    _root, run = contents_run
    for path in (
        "/cards/../../etc/passwd",
        f"/cards/CardContentsFlow/runs/{run}/run.json",
        f"/cards/CardContentsFlow/runs/{run}/start/_/attempt-0/artifacts.json",
        "/nothing/here",
        f"/runs/CardContentsFlow/{run}-not",
    ):
        assert get(base + path)[0] == 404, path
    request = urllib.request.Request(base + "/", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(request, timeout=30)
    assert failed.value.code == 501


def test_card_data_answers_an_opaque_origin_only_with_the_viewer_token(
    base: str, contents_run: tuple[str, str]
) -> None:
    _root, run = contents_run
    page = get(f"{base}/tasks/CardContentsFlow/{run}/start/start")[2]
    frame = re.search(r"<iframe[^>]* src='([^']+)'", page)
    assert frame is not None
    data_url = urllib.parse.unquote(frame.group(1).split("?data=", 1)[1])
    status, headers, _body = get(base + data_url, Origin="null")
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == "null"
    bare = data_url.split("?", 1)[0]
    assert "Access-Control-Allow-Origin" not in get(base + bare, Origin="null")[1]
    wrong = bare + "?viewer=guess"
    assert "Access-Control-Allow-Origin" not in get(base + wrong, Origin="null")[1]


@pytest.mark.parametrize(
    "command",
    [
        ["ui"],
        ["card", "server"],
        [CONTENTS_FLOW, "card", "server"],
    ],
    ids=["flowc-ui", "flowc-card-server", "flow-file-card-server"],
)
def test_commands_serve_on_localhost(
    command: list[str], contents_run: tuple[str, str], tmp_path: Path
) -> None:
    root, _run = contents_run
    if command[0] == CONTENTS_FLOW:
        import sys

        args = [sys.executable, CONTENTS_FLOW, "--datastore-root", root, "card", "server"]
    else:
        args = flowc_command(*command, "--datastore", root)
    process = subprocess.Popen(
        [*args, "--port", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+)(/\S*)", line)
        assert found, line
        status, _headers, body = get(found.group(1) + found.group(2))
        assert status == 200 and "CardContentsFlow" in body
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_port_in_use_is_a_user_error(contents_run: tuple[str, str]) -> None:
    root, _run = contents_run
    with viewer(root) as url:
        port = url.rsplit(":", 1)[1]
        done = subprocess.run(
            flowc_command("ui", "--datastore", root, "--port", port),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and "cannot listen on 127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_run_shows_failed_tasks_and_steps(tmp_path: Path) -> None:
    root = str(tmp_path / "ds")
    done = subprocess.run(
        flowc_command("run", str(FLOWS / "failing.py"), "--datastore", root, "-q"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    (run,) = (Path(root) / "FailingFlow" / "runs").iterdir()
    with viewer(root) as base:
        data = json.loads(get(f"{base}/api/runs/FailingFlow/{run.name}")[2])
        assert data["status"] == "failed"
        assert data["steps"] == {
            "start": "succeeded",
            "work": "failed",
            "join": "pending",
            "end": "pending",
        }
        statuses = {t["id"]: t["status"] for t in data["tasks"]}
        assert statuses["work.1"] == "failed" and statuses["start"] == "succeeded"
        status, _headers, body = get(f"{base}/tasks/FailingFlow/{run.name}/work/work.1")
        assert status == 200
        assert "&lt;b&gt;broken&lt;/b&gt; on purpose" in body and "<b>broken" not in body
        page = get(f"{base}/runs/FailingFlow/{run.name}")[2]
        assert "step status-failed" in page and "step status-pending" in page
