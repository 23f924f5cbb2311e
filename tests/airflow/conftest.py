"""Shared fixtures: one Airflow process per session (see airflow_worker.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "shapes"
AIRFLOW_VENV = Path(os.environ.get("FLOWC_AIRFLOW_VENV", ROOT / ".venv-airflow"))
AIRFLOW_PYTHON = AIRFLOW_VENV / "bin" / "python"
WORKER = Path(__file__).with_name("airflow_worker.py")


class AirflowWorker:
    """Talks to the Airflow process; ``dags`` is its DAGs folder."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.dags = home / "dags"
        self.dags.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            # An asset event queues runs only of unpaused DAGs (as a deployment would have).
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        }
        migrate = subprocess.run(
            [str(AIRFLOW_VENV / "bin" / "airflow"), "db", "migrate"],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrate.stderr[-3000:]}")
        self.log = open(home / "worker.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(AIRFLOW_PYTHON), str(WORKER)],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        ready = self._read()
        assert ready.get("ready"), ready

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"Airflow worker exited; see {self.home / 'worker.log'}")
        result: dict[str, Any] = json.loads(line)
        return result

    def request(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        response = self._read()
        if "error" in response:
            raise AssertionError(f"worker error:\n{response['error']}")
        return response

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowWorker]:
    if not AIRFLOW_PYTHON.exists():
        pytest.skip(
            f"Airflow virtual environment not found at {AIRFLOW_VENV}; "
            "create it with tools/airflow_venv.sh"
        )
    worker = AirflowWorker(tmp_path_factory.mktemp("airflow-home"))
    yield worker
    worker.close()


@pytest.fixture(scope="session")
def main_python() -> str:
    """The interpreter that runs the shim in local mode (the project's own venv)."""
    return sys.executable


def shape_path(name: str) -> Path:
    return SHAPES / f"{name}.py"


def which_ruff() -> str | None:
    candidate = Path(sys.executable).with_name("ruff")
    return str(candidate) if candidate.exists() else shutil.which("ruff")
