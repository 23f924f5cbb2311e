"""``metaflow_extensions`` packages: what the compiler reads equals what the task imports,
and a flow using every extension point runs under ``flowc run``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.runs import artifacts, local_store

FLOWC = str(Path(sys.executable).with_name("flowc"))

# Run with the extension on PYTHONPATH: the checker's names of every module extensions
# touch, and for each whether the runtime provides it; then what the runtime's extension
# modules define that the checker does not accept.
CROSS_CHECK = """
import importlib, json, types
from flowc.analyzer._imports import MetaflowSurface
from runtime_shim.aliases import install
from runtime_shim.extension_packages import discover
from runtime_shim.extensions import POINT_OF_MODULE, _source_module

install()
surface = MetaflowSurface.load()
report = {"missing_at_run_time": [], "refused_by_checker": [], "checked": 0}
modules = [*POINT_OF_MODULE, *(alias for alias, _ in discover().promoted)]
for alias in modules:
    accepted = surface.names(alias)
    module = importlib.import_module(alias)
    for name in sorted(accepted.names):
        report["checked"] += 1
        try:
            exec(f"from {alias} import {name}", {})
        except ImportError:
            report["missing_at_run_time"].append(f"{alias}.{name}")
sources = {p.point: _source_module(p) for p in discover().points}
for alias, point in POINT_OF_MODULE.items():
    if point not in sources:
        continue
    for name, value in vars(importlib.import_module(sources[point])).items():
        if not name.startswith("__") and not isinstance(value, types.ModuleType):
            if not surface.names(alias).provides(name):
                report["refused_by_checker"].append(f"{alias}.{name}")
for alias, target in discover().promoted:
    for name in vars(importlib.import_module(target)):
        if not name.startswith("_") and not surface.names(alias).provides(name):
            report["refused_by_checker"].append(f"{alias}.{name}")
for deco in discover().decorators:
    if not surface.names("metaflow").provides(deco.name):
        report["refused_by_checker"].append(f"metaflow.{deco.name}")
print(json.dumps(report))
"""


def test_checker_and_runtime_agree_on_extension_names(extension_root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(extension_root), "ACME_LOG": os.devnull}
    proc = subprocess.run(
        [sys.executable, "-c", CROSS_CHECK], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["missing_at_run_time"] == []
    assert report["refused_by_checker"] == []
    assert report["checked"] >= 10


FLOW = """
from metaflow import FlowSpec, step, current, audited, acme_flow, GREETING, shout


@acme_flow
class AcmeFlow(FlowSpec):
    @audited(label="first")
    @step
    def start(self):
        from metaflow.exception import AcmeError, MetaflowException
        from metaflow.metaflow_config import ACME_LIMIT, ACME_NOTHING
        from metaflow.plugins.frameworks.pytorch import WRAPPED
        from metaflow.plugins.helpers import VALUE

        self.seen = list(self.events)
        self.values = [GREETING, shout("a"), ACME_LIMIT, ACME_NOTHING, VALUE]
        self.acme_error_is_a_metaflow_exception = issubclass(AcmeError, MetaflowException)
        self.orig_module = WRAPPED.__module__
        self.options = current.acme_options
        self.next(self.fails)

    @audited(swallow=True)
    @step
    def fails(self):
        raise ValueError("handled by the decorator")
        self.next(self.end)

    @step
    def end(self):
        self.options = current.acme_options
"""


def test_a_flow_uses_every_extension_point(tmp_path: Path, extension_root: Path) -> None:
    flow = tmp_path / "acme_flow.py"
    flow.write_text(textwrap.dedent(FLOW))
    log = tmp_path / "hooks.log"
    store = str(tmp_path / "store")
    env = {
        **os.environ,
        "PYTHONPATH": str(extension_root),
        "ACME_LOG": str(log),
        "METAFLOW_ACME_COUNT": "3",
    }
    proc = subprocess.run(
        [FLOWC, "run", str(flow), "--datastore", store, "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run_id = proc.stdout.strip().splitlines()[-1]
    found = artifacts(local_store(store), "AcmeFlow", run_id)
    start = next(v for k, v in found.items() if k.startswith("start/"))
    assert start["seen"] == ["pre_step:first:0", "decorated"]
    assert start["post_step"] == "start"
    assert start["values"] == ["hello", "A", 7, None, 5]
    assert start["acme_error_is_a_metaflow_exception"] is True
    assert start["orig_module"] == "runtime_shim.compat.frameworks.pytorch"
    assert start["options"] == {"acme_level": "low", "acme_count": 3}
    end = next(v for k, v in found.items() if k.startswith("end/"))
    assert end["options"] == {"acme_level": "low", "acme_count": 3}
    # task_post_step does not run for a step that raised (the value is start's).
    assert next(v for k, v in found.items() if k.startswith("fails/"))["post_step"] == "start"
    assert log.read_text().splitlines() == [
        "step_init start ['audited']",
        "finished start True",
        "step_init fails ['audited']",
        "exception fails ValueError",
        "finished fails True",
    ]


def test_an_unhandled_exception_reaches_task_finished_as_failed(
    tmp_path: Path, extension_root: Path
) -> None:
    flow = tmp_path / "acme_fail.py"
    flow.write_text(
        textwrap.dedent(FLOW)
        .replace("@audited(swallow=True)", "@audited")
        .replace("class AcmeFlow", "class AcmeFailFlow")
    )
    log = tmp_path / "hooks.log"
    env = {**os.environ, "PYTHONPATH": str(extension_root), "ACME_LOG": str(log)}
    proc = subprocess.run(
        [FLOWC, "run", str(flow), "--datastore", str(tmp_path / "store"), "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode != 0
    assert log.read_text().splitlines()[-2:] == [
        "exception fails ValueError",
        "finished fails False",
    ]


def test_flow_options_are_declared_by_the_flow_decorators(extension_root: Path) -> None:
    code = textwrap.dedent(
        """
        import json, os
        from runtime_shim.aliases import install
        install()
        from metaflow import FlowSpec, acme_flow
        from runtime_shim.plugin_decorators import FLOW_ATTRIBUTE, flow_options, option_values

        @acme_flow
        class F(FlowSpec):
            pass

        os.environ["METAFLOW_ACME_LEVEL"] = "high"
        deco = getattr(F, FLOW_ATTRIBUTE)[0]
        print(json.dumps([sorted(flow_options(F)), option_values(deco)]))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(extension_root)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        ["acme-count", "acme-level"],
        {"acme_level": "high", "acme_count": 1},
    ]
