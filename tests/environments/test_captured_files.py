"""IncludeFile and Config files travel with the compiled flow, not with the image.

``flowc compile`` stores each IncludeFile default in the datastore (configs are resolved
into the spec); the emitted Argo Workflow, executed by the harness as the pods would run
it, then sees the compiled contents after the originals were changed or deleted.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.argo import artifacts
from tests.support.argo_harness import Harness

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import Config, FlowSpec, IncludeFile, step


class DataFlow(FlowSpec):
    rows = IncludeFile("rows", default="data/rows.txt")
    blob = IncludeFile("blob", default="blob.bin", is_text=False)
    settings = Config("settings", default="settings.json")

    @step
    def start(self):
        self.lines = self.rows.splitlines()
        self.blob_sha = __import__("hashlib").sha256(self.blob).hexdigest()
        self.region = self.settings.region
        self.next(self.end)

    @step
    def end(self):
        pass
"""

BLOB = bytes(range(256)) * 4


def _project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "dataflow.py").write_text(FLOW)
    (src / "data" / "rows.txt").write_text("alpha\nbeta\n")
    (src / "blob.bin").write_bytes(BLOB)
    (src / "settings.json").write_text('{"region": "eu-west-1"}')
    return src


def _compile(src: Path, datastore: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [FLOWC, "compile", "dataflow.py", "--target", "argo", "--datastore", str(datastore)]
    return subprocess.run(
        [*command, "--option", "kind=Workflow", *args],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )


def _run(src: Path, datastore: Path, name: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    text = (src / "out" / "data-flow.workflow.yaml").read_text()
    result = Harness.from_yaml(text, cwd=str(src), workflow_name=name).submit()
    found = artifacts(str(datastore), "DataFlow", name) if result.phase == "Succeeded" else {}
    return result, found


def test_a_deployed_run_reads_the_compiled_contents(tmp_path: Path) -> None:
    src = _project(tmp_path)
    datastore = tmp_path / "ds"
    done = _compile(src, datastore, "-o", "out")
    assert done.returncode == 0, done.stderr
    stored = sorted((datastore / "DataFlow" / "includes").iterdir())
    assert [p.name for p in stored] == sorted(
        hashlib.sha256(b).hexdigest() for b in (b"alpha\nbeta\n", BLOB)
    )
    emitted = (src / "out" / "data-flow.workflow.yaml").read_bytes()
    # What the pod's file system has no longer matters: change and delete the originals.
    (src / "data" / "rows.txt").write_text("changed\n")
    (src / "blob.bin").unlink()
    (src / "settings.json").unlink()
    result, found = _run(src, datastore, "data-flow-a1b2c")
    assert result.phase == "Succeeded", result.message + "".join(n.stderr for n in result.nodes)
    start = found["start/_"]
    assert start["lines"] == ["alpha", "beta"]
    assert start["blob_sha"] == hashlib.sha256(BLOB).hexdigest()
    assert start["region"] == "eu-west-1"
    # The spec names the contents by hash: compiling the same files gives the same bytes,
    # and --check compares without storing anything.
    (src / "data" / "rows.txt").write_text("alpha\nbeta\n")
    (src / "blob.bin").write_bytes(BLOB)
    (src / "settings.json").write_text('{"region": "eu-west-1"}')
    assert _compile(src, tmp_path / "elsewhere", "-o", "out2").returncode == 0
    assert _compile(src, datastore, "-o", "out", "--check").returncode == 0
    again = _compile(src, datastore, "-o", "out")
    assert (
        again.returncode == 0 and (src / "out" / "data-flow.workflow.yaml").read_bytes() == emitted
    )
    (src / "data" / "rows.txt").write_text("changed\n")
    assert _compile(src, tmp_path / "unused", "-o", "out", "--check").returncode == 1
    assert not (tmp_path / "unused").exists()


def test_a_tampered_copy_fails_the_start_task(tmp_path: Path) -> None:
    src = _project(tmp_path)
    datastore = tmp_path / "ds"
    assert _compile(src, datastore, "-o", "out").returncode == 0
    copy = datastore / "DataFlow" / "includes" / hashlib.sha256(b"alpha\nbeta\n").hexdigest()
    copy.write_text("forged\n")
    result, _ = _run(src, datastore, "data-flow-d3e4f")
    assert result.phase == "Failed"
    log = "".join(n.stderr for n in result.nodes)
    assert "parameter 'rows'" in log and "does not match its sha256" in log, log[-2000:]


def test_a_missing_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    src = _project(tmp_path)
    (src / "blob.bin").unlink()
    done = _compile(src, tmp_path / "ds", "-o", "out")
    assert done.returncode == 1
    assert "dataflow.py:6:" in done.stderr and "FC214" in done.stderr, done.stderr
    assert "IncludeFile `blob`" in done.stderr and "'blob.bin' does not exist" in done.stderr
    assert not (src / "out").exists() and not (tmp_path / "ds").exists()


def test_packaging_stores_the_files_and_refuses_a_missing_one(tmp_path: Path) -> None:
    src = _project(tmp_path)
    datastore = tmp_path / "ds"

    def package() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [FLOWC, "package", "dataflow.py", "--datastore", str(datastore)],
            cwd=src,
            capture_output=True,
            text=True,
            check=False,
        )

    done = package()
    assert done.returncode == 0, done.stderr
    assert "stored 2 IncludeFile default(s)" in done.stderr
    stored = sorted(p.name for p in (datastore / "DataFlow" / "includes").iterdir())
    assert stored == sorted(hashlib.sha256(b).hexdigest() for b in (b"alpha\nbeta\n", BLOB))
    (src / "data" / "rows.txt").unlink()
    missing = package()
    assert missing.returncode == 1
    assert "dataflow.py:5:" in missing.stderr and "FC214" in missing.stderr
    assert "IncludeFile `rows`" in missing.stderr and "Traceback" not in missing.stderr
