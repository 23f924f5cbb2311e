"""@pypi/@pypi_base: ``flowc lock`` resolves with uv from PyPI, local runs use cached venvs.

The packages (termcolor, inflection) are small pure-Python wheels that flowc's own
environment does not have, so a step can only see them through its environment. One
environment cache serves the whole session: each environment is built once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flowc.client import Run
from runtime_shim.environment import address

pytestmark = pytest.mark.network
pytest.importorskip("uv", reason="uv (a runtime dependency of flowc) is not installed")

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import FlowSpec, pypi, pypi_base, step


@pypi_base(packages={"inflection": "0.5.1"})
class EnvFlow(FlowSpec):
    @pypi(packages={"termcolor": "TERMCOLOR_START"})
    @step
    def start(self):
        from importlib.metadata import version
        import inflection, termcolor  # noqa: F401  (importable, not just installed)

        self.seen = {"termcolor": version("termcolor"), "inflection": version("inflection")}
        self.next(self.other)

    @pypi(packages={"termcolor": "2.3.0"})
    @step
    def other(self):
        from importlib.metadata import version

        self.seen = {"termcolor": version("termcolor"), "inflection": version("inflection")}
        self.next(self.end)

    @pypi(disabled=True)
    @step
    def end(self):
        self.seen = [
            name for name in ("termcolor", "inflection")
            if __import__("importlib.util").util.find_spec(name) is not None
        ]


if __name__ == "__main__":
    EnvFlow()
"""


@pytest.fixture(scope="session")
def env_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("flowc-envs"))


def flowc(cwd: Path, cache: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FLOWC_ENV_CACHE=cache)
    return subprocess.run(
        [FLOWC, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def write_flow(tmp_path: Path, termcolor: str = "2.4.0") -> Path:
    path = tmp_path / "envflow.py"
    path.write_text(FLOW.replace("TERMCOLOR_START", termcolor))
    return path


def seen(tmp_path: Path, run_id: str, step: str) -> object:
    task = Run(f"EnvFlow/{run_id}", str(tmp_path / ".flowc"))[step].task
    assert task is not None
    return task.data.seen


def test_the_packages_are_not_in_flowcs_own_environment() -> None:
    assert importlib.util.find_spec("termcolor") is None
    assert importlib.util.find_spec("inflection") is None


def test_each_step_runs_in_its_environment_and_a_step_without_one_sees_none(
    tmp_path: Path, env_cache: str
) -> None:
    write_flow(tmp_path)
    locked = flowc(tmp_path, env_cache, "lock", "envflow.py")
    assert locked.returncode == 0, locked.stderr
    first = flowc(tmp_path, env_cache, "run", "--local", "envflow.py")
    assert first.returncode == 0, first.stderr
    run_id = first.stdout.strip().splitlines()[-1]
    assert seen(tmp_path, run_id, "start") == {"termcolor": "2.4.0", "inflection": "0.5.1"}
    assert seen(tmp_path, run_id, "other") == {"termcolor": "2.3.0", "inflection": "0.5.1"}
    assert seen(tmp_path, run_id, "end") == []
    assert first.stderr.count("building environment") == 2
    # The second run (through `python flow.py run`) reuses both cached environments.
    again = subprocess.run(
        [sys.executable, "envflow.py", "--environment", "pypi", "run"],
        cwd=tmp_path,
        env=dict(os.environ, FLOWC_ENV_CACHE=env_cache),
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "building environment" not in again.stderr
    ready = [p for p in os.listdir(env_cache) if not p.startswith(".")]
    assert len(ready) == 2


def test_the_lock_is_byte_stable_and_a_changed_pypi_makes_it_stale(
    tmp_path: Path, env_cache: str
) -> None:
    write_flow(tmp_path)
    unlocked = flowc(tmp_path, env_cache, "check", "envflow.py")
    assert unlocked.returncode == 1
    assert "envflow.py:6:" in unlocked.stderr and "FC211" in unlocked.stderr
    assert flowc(tmp_path, env_cache, "lock", "envflow.py").returncode == 0
    assert flowc(tmp_path, env_cache, "check", "envflow.py").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["envflow.flowc-lock.json", "envflow.py"]
    lock = tmp_path / "envflow.flowc-lock.json"
    written = lock.read_bytes()
    assert flowc(tmp_path, env_cache, "lock", "envflow.py", "--upgrade").returncode == 0
    assert lock.read_bytes() == written
    document = json.loads(written)
    assert document["platform"] == "x86_64-manylinux_2_28"
    requirements = [e["requirements"] for e in document["environments"].values()]
    assert all("--hash=sha256:" in r and "termcolor==" in r for r in requirements)
    assert flowc(tmp_path, env_cache, "lock", "envflow.py", "--check").returncode == 0

    write_flow(tmp_path, termcolor="2.2.0")
    check = flowc(tmp_path, env_cache, "lock", "envflow.py", "--check")
    assert check.returncode == 1
    assert "FC211" in check.stderr and "step 'start'" in check.stderr
    run = flowc(tmp_path, env_cache, "run", "--local", "envflow.py")
    assert run.returncode == 1
    assert "FC211" in run.stderr and "flowc lock envflow.py" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("termcolor", "named"),
    [("99.0.0", "termcolor==99.0.0"), ("", "no-such-package-flowc-test")],
)
def test_an_unresolvable_environment_names_the_step_and_the_package(
    tmp_path: Path, env_cache: str, termcolor: str, named: str
) -> None:
    path = write_flow(tmp_path, termcolor=termcolor)
    if not termcolor:
        path.write_text(path.read_text().replace('"termcolor": ""', f'"{named}": "1.0"'))
    done = flowc(tmp_path, env_cache, "lock", "envflow.py")
    assert done.returncode == 1
    assert "FC212" in done.stderr and "step 'start'" in done.stderr
    assert named.split("==")[0] in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "envflow.flowc-lock.json").exists()


def test_a_failed_build_publishes_no_environment(tmp_path: Path, env_cache: str) -> None:
    write_flow(tmp_path, termcolor="2.1.0")
    assert flowc(tmp_path, env_cache, "lock", "envflow.py").returncode == 0
    lock = tmp_path / "envflow.flowc-lock.json"
    document = json.loads(lock.read_text())
    for entry in document["environments"].values():
        if entry["packages"]["termcolor"] == "2.1.0":
            entry["requirements"] = entry["requirements"].replace("sha256:", "sha256:0", 1)
            key = address(entry["python"], entry["requirements"])
    lock.write_text(json.dumps(document))
    done = flowc(tmp_path, env_cache, "run", "--local", "envflow.py")
    assert done.returncode == 1
    assert "cannot build the environment of step start" in done.stderr
    assert "Traceback" not in done.stderr
    assert not os.path.exists(os.path.join(env_cache, key))
    assert not [p for p in os.listdir(env_cache) if p.startswith(f".build-{key}")]


def test_concurrent_builders_publish_one_environment(tmp_path: Path) -> None:
    from flowc.environments import Environment, default_python, resolve
    from flowc.runner.envs import READY, ensure_environment

    env = Environment(default_python(), (("inflection", "0.5.1"),))
    requirements = resolve(env)
    assert not os.path.exists("-")  # the resolver writes to its stdout, not to a file
    root = str(tmp_path / "cache")
    with ThreadPoolExecutor(3) as pool:
        pythons = list(pool.map(lambda _: ensure_environment(env, requirements, root), range(3)))
    assert len(set(pythons)) == 1
    key = address(env.python, requirements)
    assert os.listdir(root) == [key]
    assert os.path.exists(os.path.join(root, key, READY))
    probe = "import inflection, runtime_shim; print(inflection.__file__)"
    shown = subprocess.run(
        [pythons[0], "-c", probe],
        env=dict(os.environ, FLOWC_SHIM_PATH=str(tmp_path / "none")),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    # The environment has its package and nothing of flowc without FLOWC_SHIM_PATH's links.
    assert "No module named 'runtime_shim'" in shown.stderr


def test_no_network_while_building_stops_the_run_before_any_task(
    tmp_path: Path, env_cache: str
) -> None:
    write_flow(tmp_path)
    assert flowc(tmp_path, env_cache, "lock", "envflow.py").returncode == 0
    fresh = str(tmp_path / "envs")
    # An empty uv cache and uv's offline mode: the packages cannot be fetched.
    offline = dict(os.environ, UV_OFFLINE="1", UV_CACHE_DIR=str(tmp_path / "uv-cache"))
    done = subprocess.run(
        [FLOWC, "run", "--local", "envflow.py"],
        cwd=tmp_path,
        env=dict(offline, FLOWC_ENV_CACHE=fresh),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "cannot build the environment of step start" in done.stderr
    assert "termcolor==2.4.0" in done.stderr and "network" in done.stderr
    assert "Traceback" not in done.stderr and "running EnvFlow" not in done.stderr
    assert os.listdir(fresh) == []
    # Nothing of the failed build is trusted: with the network back, the same cache gets
    # complete environments and each step sees its own versions.
    again = flowc(tmp_path, fresh, "run", "--local", "envflow.py")
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("building environment") == 2
    run_id = again.stdout.strip().splitlines()[-1]
    assert seen(tmp_path, run_id, "start") == {"termcolor": "2.4.0", "inflection": "0.5.1"}
    assert seen(tmp_path, run_id, "other") == {"termcolor": "2.3.0", "inflection": "0.5.1"}


def test_no_network_while_locking_is_fc212_naming_the_step_and_the_package(
    tmp_path: Path,
) -> None:
    write_flow(tmp_path)
    offline = dict(os.environ, UV_OFFLINE="1", UV_CACHE_DIR=str(tmp_path / "uv-cache"))
    done = subprocess.run(
        [FLOWC, "lock", "envflow.py"],
        cwd=tmp_path,
        env=offline,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "envflow.py:6:" in done.stderr and "FC212" in done.stderr
    assert "step 'start'" in done.stderr and "termcolor==2.4.0" in done.stderr
    assert "network was disabled" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "envflow.flowc-lock.json").exists()
