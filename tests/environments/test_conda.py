"""@conda/@conda_base: an FC213 error at the decorator wherever the flow is checked,
compiled or run, saying which channels were tried and what each answered.

The channels are real local HTTP servers (or a closed port), named through
FLOWC_CONDA_CHANNEL, so the probe's refused connection, 404 and served index are the real
answers of a socket, not stand-ins.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import FlowSpec, conda, conda_base, step


@conda_base(python="3.11")
class CondaFlow(FlowSpec):
    @conda(packages={"numpy": "2.1.3"})
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CondaFlow()
"""


class _Channel(http.server.BaseHTTPRequestHandler):
    """Serves ``noarch/repodata.json`` when ``serves`` is set, else 404 for everything."""

    serves = False

    def do_HEAD(self) -> None:
        found = self.serves and self.path.endswith("/noarch/repodata.json")
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Index(_Channel):
    serves = True


def _serve(handler: type[_Channel]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/conda-forge"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def empty_channel() -> Iterator[str]:
    yield from _serve(_Channel)


@pytest.fixture
def index_channel() -> Iterator[str]:
    yield from _serve(_Index)


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _flowc(tmp_path: Path, channel: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FLOWC_CONDA_CHANNEL=channel, FLOWC_ENV_CACHE=str(tmp_path / "envs"))
    return subprocess.run(
        [*args] if args[0] == sys.executable else [FLOWC, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _assert_refused(done: subprocess.CompletedProcess[str], because: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    base = "condaflow.py:4:" in done.stderr and "@conda_base on the flow" in done.stderr
    step = "condaflow.py:6:" in done.stderr and "@conda on step 'start'" in done.stderr
    assert base and step, done.stderr
    assert done.stderr.count("FC213") >= 2 and because in done.stderr, done.stderr
    assert "numpy=2.1.3" in done.stderr and "FLOWC_CONDA_CHANNEL" in done.stderr


WHERE = [
    ("check", "condaflow.py"),
    ("lock", "condaflow.py"),
    ("compile", "condaflow.py", "--target", "argo"),
    ("compile", "condaflow.py", "--target", "airflow"),
    ("compile", "condaflow.py", "--target", "stepfunctions"),
    ("compile", "condaflow.py", "--target", "ir"),
    ("run", "--local", "condaflow.py"),
]


@pytest.mark.parametrize("command", WHERE, ids=[" ".join(c[:1] + c[3:]) for c in WHERE])
def test_an_unreachable_channel_is_named_wherever_the_flow_goes(
    tmp_path: Path, closed_port: str, command: tuple[str, ...]
) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    done = _flowc(tmp_path, closed_port, *command)
    _assert_refused(done, f"no conda channel reachable: tried {closed_port} (connection refused)")
    assert not (tmp_path / ".flowc").exists() and not (tmp_path / "envs").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["condaflow.py"]


def test_python_flow_run_refuses_before_any_task(tmp_path: Path, closed_port: str) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    done = _flowc(tmp_path, closed_port, sys.executable, "condaflow.py", "run")
    _assert_refused(done, "connection refused")
    assert not (tmp_path / ".flowc").exists()


def test_every_channel_tried_is_reported_with_its_answer(
    tmp_path: Path, closed_port: str, empty_channel: str
) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    done = _flowc(tmp_path, f"{empty_channel}, {closed_port}/", "check", "condaflow.py")
    _assert_refused(
        done,
        f"tried {empty_channel} (HTTP 404 for noarch/repodata.json); "
        f"{closed_port} (connection refused)",
    )


def test_a_reachable_channel_still_refuses_and_says_the_builder_is_missing(
    tmp_path: Path, index_channel: str
) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    done = _flowc(tmp_path, index_channel, "compile", "condaflow.py", "--target", "argo")
    _assert_refused(
        done, f"channel {index_channel} answers, but flowc does not build conda environments"
    )
    assert "no conda channel reachable" not in done.stderr


def test_a_flow_without_conda_asks_no_channel(tmp_path: Path, closed_port: str) -> None:
    (tmp_path / "plain.py").write_text(
        FLOW.replace('@conda_base(python="3.11")\n', "").replace(
            '    @conda(packages={"numpy": "2.1.3"})\n', ""
        )
    )
    done = _flowc(tmp_path, closed_port, "check", "plain.py")
    assert done.returncode == 0, done.stderr


def test_a_file_channel_is_looked_up_on_disk(tmp_path: Path) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    channel = tmp_path / "channel"
    missing = _flowc(tmp_path, f"file://{channel}", "check", "condaflow.py")
    _assert_refused(missing, f"no file {channel}/noarch/repodata.json")
    (channel / "noarch").mkdir(parents=True)
    (channel / "noarch" / "repodata.json").write_text('{"packages": {}}')
    found = _flowc(tmp_path, f"file://{channel}", "check", "condaflow.py")
    _assert_refused(found, f"channel file://{channel} answers")
