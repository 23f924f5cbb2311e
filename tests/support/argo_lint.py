"""Run Argo Workflows' own validator (``tools/argo-lint.sh``) over manifests on disk.

The linter prints one line per problem, ``FILE: KIND/NAME: MESSAGE``; this module runs it
once over many files and files each line under the manifest it names, so a test can lint
hundreds of manifests in one process and still report per manifest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backends.argo import BACKEND
from backends.base import TargetOptions
from flowc.compiler import analyze_source
from flowc.diagnostics import Severity
from flowc.ir import FlowIR
from tests.support.argo import DATASTORE, REPO, load_ir

LINTER = REPO / "tools" / "argo-lint.sh"
BINARY = REPO / "tools" / "argo-lint" / "bin" / "argo-lint"
README = REPO / "README.md"
README_BLOCK = re.compile(
    r"<!-- argo-example:begin -->\n```yaml\n(.*?)```\n<!-- argo-example:end -->", re.S
)
PROBLEM = re.compile(r"^(?P<file>.+?): (?P<kind>\w+|\?)/(?P<name>[^:]*): (?P<message>.*)$")


@dataclass
class LintRun:
    """One run of the linter: its exit status, its output, and the problems per file."""

    returncode: int
    stdout: str
    stderr: str
    problems: dict[Path, list[str]] = field(default_factory=dict)

    def of(self, path: Path) -> list[str]:
        return self.problems.get(path.resolve(), [])


def lint(paths: Iterable[Path], *options: str) -> LintRun:
    """Lint ``paths`` (files or directories) in one linter process.

    Skips when the linter is neither built nor buildable (no Go), as tests of the other
    test-only tools do; ``tools/setup_test_tools.sh`` builds it, and under
    ``tools/test.sh`` a skip is a failure.
    """
    if not BINARY.exists() and not (os.environ.get("GO") or shutil.which("go")):
        pytest.skip("tools/argo-lint is not built and Go is not installed")
    proc = subprocess.run(
        ["bash", str(LINTER), *options, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    run = LintRun(proc.returncode, proc.stdout, proc.stderr)
    for line in proc.stdout.splitlines():
        found = PROBLEM.match(line)
        assert found, f"linter line not of the form FILE: KIND/NAME: MESSAGE: {line!r}"
        path = Path(found["file"]).resolve()
        run.problems.setdefault(path, []).append(
            f"{found['kind']}/{found['name']}: {found['message']}"
        )
    return run


def emit_to(directory: Path, stem: str, ir: FlowIR, options: TargetOptions) -> Path:
    """Emit ``ir`` and write its one manifest to ``directory/stem.yaml``."""
    result = BACKEND.emit(ir, options)
    errors = [d.message for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors and len(result.files) == 1, (stem, errors)
    path = directory / f"{stem}.yaml"
    path.write_text(result.files[0].content, encoding="utf-8")
    return path


def options(kind: str, **settings: object) -> TargetOptions:
    """Target options for ``kind``; ``settings`` are TargetOptions fields or Argo extras."""
    fields = {"image", "namespace", "service_account", "labels", "code_package", "python"}
    common = {k: v for k, v in settings.items() if k in fields}
    extra = {k: v for k, v in settings.items() if k not in fields}
    return TargetOptions(datastore_root=DATASTORE, extra={"kind": kind, **extra}, **common)  # type: ignore[arg-type]


def with_project(path: str, name: str = "lint_check") -> FlowIR:
    """The IR of the flow at ``path`` with ``@project(name=...)`` added to its class."""
    source = (REPO / path).read_text(encoding="utf-8")
    if "@project(" in source:
        return load_ir(path)
    decorated = re.sub(r"^class ", f"@project(name={name!r})\nclass ", source, count=1, flags=re.M)
    decorated = f"from flowc import project\n{decorated}"
    analysis = analyze_source(path, decorated)
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    return analysis.ir


def readme_manifest() -> str:
    """The example manifest of README.md, as it stands."""
    block = README_BLOCK.search(README.read_text(encoding="utf-8"))
    assert block, "README lost its Argo example block"
    return block.group(1)
