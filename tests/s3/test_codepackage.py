"""Code packages: deterministic build, include/exclude, verified download and safe extraction."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from flowc.packaging import (
    MANIFEST_NAME,
    build_package,
    collect_files,
    matches,
    package_key,
    publish_package,
)
from runtime_shim.codepackage import CodePackageError, fetch_code_package, prepare

REPO = Path(__file__).resolve().parents[2]
FLOW = """from metaflow import FlowSpec, step
from helpers.values import VALUE


class PkgFlow(FlowSpec):
    @step
    def start(self):
        self.value = VALUE
        self.next(self.end)

    @step
    def end(self):
        self.doubled = self.value * 2
"""


def make_project(root: Path) -> Path:
    (root / "helpers").mkdir(parents=True)
    (root / "helpers" / "__init__.py").write_text("")
    (root / "helpers" / "values.py").write_text("VALUE = 21\n")
    (root / "data").mkdir()
    (root / "data" / "big.csv").write_text("a,b\n1,2\n")
    (root / "notes.md").write_text("notes\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "run.sh", 0o755)
    for junk in [
        ".git/config",
        ".venv/lib/x.py",
        "helpers/__pycache__/values.cpython-311.pyc",
        ".flowc/PkgFlow/runs/1/run.json",
    ]:
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        (root / junk).write_text("junk")
    flow = root / "pkgflow.py"
    flow.write_text(FLOW)
    return flow


def test_matches_names_and_paths() -> None:
    assert matches("a/b/__pycache__/x.pyc", ["__pycache__"])
    assert matches("data/big.csv", ["*.csv"])
    assert matches("data/big.csv", ["data"])
    assert matches("data/raw/x.csv", ["data/raw"])
    assert matches("data/raw/x.csv", ["data/**"])
    assert not matches("mydata/x.csv", ["data"])
    assert not matches("src/x.py", ["data/*.py"])


def test_default_excludes_and_globs(tmp_path: Path) -> None:
    make_project(tmp_path)
    files = collect_files(str(tmp_path))
    assert files == [
        "data/big.csv",
        "helpers/__init__.py",
        "helpers/values.py",
        "notes.md",
        "pkgflow.py",
        "run.sh",
    ]
    assert collect_files(str(tmp_path), exclude=["data", "*.md"]) == [
        "helpers/__init__.py",
        "helpers/values.py",
        "pkgflow.py",
        "run.sh",
    ]
    assert collect_files(str(tmp_path), include=["*.py"]) == [
        "helpers/__init__.py",
        "helpers/values.py",
        "pkgflow.py",
    ]


def test_build_is_deterministic_and_content_addressed(tmp_path: Path) -> None:
    flow = make_project(tmp_path / "a")
    first = build_package(str(flow), include=["*.py"])
    os.utime(flow, (1, 1))  # timestamps must not matter
    again = build_package(str(flow), include=["*.py"])
    assert first.data == again.data
    assert first.sha256 == hashlib.sha256(first.data).hexdigest()
    # The same tree elsewhere gives the same bytes; a one-byte change gives another hash.
    copy = make_project(tmp_path / "b")
    assert build_package(str(copy), include=["*.py"]).sha256 == first.sha256
    (tmp_path / "b" / "helpers" / "values.py").write_text("VALUE = 22\n")
    assert build_package(str(copy), include=["*.py"]).sha256 != first.sha256
    with tarfile.open(fileobj=io.BytesIO(first.data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [
        MANIFEST_NAME,
        "helpers/__init__.py",
        "helpers/values.py",
        "pkgflow.py",
    ]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.mode) for m in members} == {(0, 0, 0, "", 0o644)}
    assert first.data[4:8] == b"\0\0\0\0"  # gzip header mtime


def test_flow_file_is_always_included(tmp_path: Path) -> None:
    flow = make_project(tmp_path)
    built = build_package(str(flow), include=["*.csv"])
    assert built.files == ["data/big.csv", "pkgflow.py"]
    assert built.flow_file == "pkgflow.py"


def test_publish_fetch_and_import(tmp_path: Path) -> None:
    flow = make_project(tmp_path / "project")
    built = build_package(str(flow))
    url = publish_package(built, str(tmp_path / "ds"), "PkgFlow")
    assert url.endswith(package_key("PkgFlow", built.sha256))
    directory = fetch_code_package(url, str(tmp_path / "cache"))
    assert sorted(os.listdir(directory)) == sorted(
        [MANIFEST_NAME, "data", "helpers", "notes.md", "pkgflow.py", "run.sh"]
    )
    assert os.access(os.path.join(directory, "run.sh"), os.X_OK)
    # A second fetch reuses the extracted directory.
    assert fetch_code_package(url, str(tmp_path / "cache")) == directory
    flow_path = prepare(url, "some/where/pkgflow.py", str(tmp_path / "cache"))
    assert flow_path == os.path.join(directory, "pkgflow.py")


def test_corrupt_package_is_rejected(tmp_path: Path) -> None:
    built = build_package(str(make_project(tmp_path / "p")))
    bad = tmp_path / f"{built.sha256}.tar.gz"
    middle = len(built.data) // 2
    bad.write_bytes(
        built.data[:middle] + bytes([built.data[middle] ^ 0xFF]) + built.data[middle + 1 :]
    )
    with pytest.raises(CodePackageError, match="corrupt"):
        fetch_code_package(str(bad), str(tmp_path / "cache"))
    assert not (tmp_path / "cache" / built.sha256).exists()
    with pytest.raises(CodePackageError, match="does not exist"):
        fetch_code_package(str(tmp_path / ("0" * 64 + ".tar.gz")), str(tmp_path / "cache"))
    with pytest.raises(CodePackageError, match="sha256"):
        fetch_code_package(str(tmp_path / "package.tar.gz"), str(tmp_path / "cache"))


@pytest.mark.parametrize("name", ["../escape.py", "/abs.py"])
def test_unsafe_members_are_rejected(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    data = buffer.getvalue()
    path = tmp_path / f"{hashlib.sha256(data).hexdigest()}.tar.gz"
    path.write_bytes(data)
    with pytest.raises(CodePackageError, match="unsafe"):
        fetch_code_package(str(path), str(tmp_path / "cache"))
    assert not (tmp_path / "escape.py").exists()


def test_shim_runs_a_flow_from_a_package_alone(tmp_path: Path) -> None:
    """A 'plain image': an empty working directory, only the package URL names the code."""
    flow = make_project(tmp_path / "project")
    datastore = str(tmp_path / "ds")
    result = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "package", str(flow), "--datastore", datastore],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    url = result.stdout.strip()
    workdir = tmp_path / "container"
    workdir.mkdir()
    env = {**os.environ, "FLOWC_CODE_PACKAGE_DIR": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)
    for step_name, inputs in [("start", "none"), ("end", "same:start")]:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "runtime_shim",
                "step",
                "flows/pkgflow.py",
                "--flow",
                "PkgFlow",
                "--step",
                step_name,
                "--inputs",
                inputs,
                "--run-id",
                "r1",
                "--index-path",
                "",
                "--attempt",
                "0",
                "--datastore",
                datastore,
                "--code-package",
                url,
            ],
            check=True,
            cwd=workdir,
            env=env,
            capture_output=True,
        )
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(open_object_store(datastore), "PkgFlow")
    refs = ds.artifacts("r1", "end", "_")
    assert ds.load_value(refs["doubled"]) == 42


def test_package_command_reads_project_configuration(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flowc.cli import cli

    flow = make_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flowc]\ndatastore = "store"\n[tool.flowc.package]\nexclude = ["data", "*.md"]\n'
    )
    result = CliRunner().invoke(cli, ["package", str(flow), "-o", str(tmp_path / "p.tgz")])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith(str(tmp_path / "store"))  # relative to the pyproject.toml
    with tarfile.open(tmp_path / "p.tgz") as tar:
        names = tar.getnames()
    assert "data/big.csv" not in names and "notes.md" not in names
    assert "helpers/values.py" in names
    assert hashlib.sha256((tmp_path / "p.tgz").read_bytes()).hexdigest() in url
