"""``flowc check`` reports a metaflow import flowc does not provide, at its line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flowc.analyzer import read_flow
from flowc.diagnostics import Diagnostic

FLOWC = str(Path(sys.executable).with_name("flowc"))

FLOW_BODY = """
class ImportsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def check(tmp_path: Path, header: str, body: str = FLOW_BODY) -> list[Diagnostic]:
    path = tmp_path / "flow.py"
    source = textwrap.dedent(header).lstrip() + body
    path.write_text(source)
    out: list[Diagnostic] = []
    read_flow(str(path), source, None, out)
    return [d for d in out if d.code.startswith("FC40")]


def where(found: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.start.line, d.span.start.column) for d in found if d.span]


def test_provided_imports_are_clean(tmp_path: Path) -> None:
    header = """
        import metaflow
        import metaflow.util as mfutil
        from metaflow import FlowSpec, step, current, retry, Parameter, Flow, exception
        from metaflow.exception import MetaflowException, MetaflowNotFound
        from metaflow.decorators import StepDecorator, FlowDecorator
        from metaflow.metaflow_current import current as cur
        from metaflow.plugins.cards.exception import CardNotPresentException
        from metaflow.plugins import cards
        from metaflow.plugins.frameworks.pytorch import setup_torch_distributed
        from metaflow import *
        """
    assert check(tmp_path, header) == []


def test_an_unprovided_name_is_an_error_at_the_name(tmp_path: Path) -> None:
    header = """
        from metaflow import FlowSpec, step, NoSuchThing
        from metaflow.exception import MetaflowExceptio
        """
    found = check(tmp_path, header)
    assert where(found) == [("FC402", 1, 37), ("FC402", 2, 31)]
    assert "`metaflow` has no name `NoSuchThing`" in found[0].message
    assert found[1].hint == "did you mean `MetaflowException`?"


def test_an_unprovided_module_is_an_error_at_the_import(tmp_path: Path) -> None:
    header = """
        from metaflow import FlowSpec, step
        import os, metaflow.no_such_module
        from metaflow.plugins.no_such_plugin import thing
        """
    found = check(tmp_path, header)
    assert where(found) == [("FC401", 2, 11), ("FC401", 3, 0)]


def test_imports_inside_steps_are_checked(tmp_path: Path) -> None:
    body = FLOW_BODY.replace(
        "        pass", "        from metaflow.metaflow_config import NOT_A_VALUE\n        pass"
    )
    found = check(tmp_path, "from metaflow import FlowSpec, step\n", body)
    assert where(found) == [("FC402", 10, 45)]


def test_guarded_imports_are_not_reported(tmp_path: Path) -> None:
    header = """
        from metaflow import FlowSpec, step
        from typing import TYPE_CHECKING
        try:
            from metaflow import NoSuchThing
        except ImportError:
            NoSuchThing = None
        try:
            import metaflow.no_such_module
        except (ModuleNotFoundError, KeyError):
            pass
        if TYPE_CHECKING:
            from metaflow.no_such_module import Anything
        try:
            from metaflow import AlsoMissing
        except KeyError:
            pass
        """
    assert where(check(tmp_path, header)) == [("FC402", 14, 25)]


def test_the_command_fails_with_the_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "flow.py"
    path.write_text("from metaflow import FlowSpec, step, Missing\n" + FLOW_BODY)
    proc = subprocess.run([FLOWC, "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "flow.py:1:38: error: FC402 `metaflow` has no name `Missing`" in proc.stderr


def test_extension_names_need_the_extension_on_the_path(
    tmp_path: Path, extension_root: Path
) -> None:
    header = """
        from metaflow import FlowSpec, step, GREETING, shout, audited, acme_flow
        from metaflow.exception import AcmeError
        from metaflow.metaflow_config import ACME_LIMIT
        from metaflow.plugins.helpers import VALUE
        from metaflow.plugins.frameworks.pytorch import WRAPPED
        from metaflow.plugins.frameworks._orig.pytorch import PytorchParallelDecorator
        """
    body = FLOW_BODY.replace("class", "@acme_flow\nclass").replace(
        "    @step\n    def start", "    @audited(label='x')\n    @step\n    def start"
    )
    path = tmp_path / "flow.py"
    path.write_text(textwrap.dedent(header).lstrip() + body)
    env = {**os.environ, "PYTHONPATH": str(extension_root)}
    with_ext = subprocess.run([FLOWC, "check", str(path)], capture_output=True, text=True, env=env)
    assert with_ext.returncode == 0, with_ext.stderr
    assert with_ext.stderr.count("FC403") == 2
    assert "@audited (Audited from the metaflow_extensions package `acme`)" in with_ext.stderr
    without = subprocess.run([FLOWC, "check", str(path)], capture_output=True, text=True)
    assert without.returncode == 1
    codes = [line.split()[2:4] for line in without.stderr.splitlines() if ": error: FC40" in line]
    assert [c[0] for c in codes] == ["FC402"] * 6 + ["FC401", "FC402", "FC401"]


def test_misplaced_extension_decorator(tmp_path: Path, extension_root: Path) -> None:
    body = FLOW_BODY.replace("    @step\n    def start", "    @acme_flow\n    @step\n    def start")
    path = tmp_path / "flow.py"
    path.write_text("from metaflow import FlowSpec, step, acme_flow\n" + body)
    env = {**os.environ, "PYTHONPATH": str(extension_root)}
    proc = subprocess.run([FLOWC, "check", str(path)], capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "FC210 @acme_flow belongs on a flow class" in proc.stderr
