"""Fixtures of the runtime tests (helpers live in tests/support/runtime.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def workdir(tmp_path: Any) -> Iterator[str]:
    yield str(tmp_path)
