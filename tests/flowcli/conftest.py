"""Fixtures of the flow-file command-line tests (helpers: tests/support/flowcli.py)."""

from __future__ import annotations

import pytest

from tests.support.flowcli import FlowDir, make_flowdir


@pytest.fixture
def flowdir(tmp_path: object) -> FlowDir:
    return make_flowdir(str(tmp_path))
