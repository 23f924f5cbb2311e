"""Golden DAG files: what flowc emits for a few shapes, reviewed like code.

Regenerate after an intended change with ``FLOWC_REGEN=1 pytest tests/airflow``
and read the diff. Paths are fixed options, so the files do not depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.base import TargetOptions, get_backend
from tests.airflow.conftest import SHAPES
from tests.support.airflow import load_ir
from tests.support.golden import regenerating

GOLDEN = Path(__file__).with_name("golden")
FLOWS = Path(__file__).with_name("flows")
CASES = [
    ("linear", "local"),
    ("switch_in_foreach", "local"),
    ("nested_foreach3", "kubernetes"),
    ("recursive_switch", "kubernetes"),
    # trigger flows (tests/airflow/flows): a named asset, and two events of a project flow
    ("data_ready", "local"),
    ("two_events", "kubernetes"),
]


@pytest.mark.parametrize(("shape", "operator"), CASES)
def test_golden(shape: str, operator: str) -> None:
    options = TargetOptions(
        image="registry.example.com/flows:1.0",
        namespace="flows",
        datastore_root="s3://flows-bucket/flowc",
        python="python3",
        extra={"operator": operator, "flow_file": f"/opt/flows/{shape}.py"},
    )
    flow = SHAPES / f"{shape}.py"
    if not flow.exists():
        flow = FLOWS / f"{shape}.py"
    (emitted,) = get_backend("airflow").emit(load_ir(flow), options).files
    path = GOLDEN / f"{shape}_{operator}.py"
    if regenerating():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(emitted.content, encoding="utf-8")
    assert emitted.content == path.read_text(encoding="utf-8")
