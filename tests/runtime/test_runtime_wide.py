"""A 1,000-wide foreach runs end to end and joins every child in index order."""

from __future__ import annotations

import pytest

from tests.support.runtime import run_local


@pytest.mark.slow
def test_thousand_wide_foreach(workdir: str) -> None:
    from flowc.client import Run

    result = run_local("tests/runtime/flows/wide.py", cwd=workdir, max_workers=8)
    assert result.ok
    run = Run(f"WideFlow/{result.run_id}", datastore=result.datastore)
    join = run["join"].task
    assert join.data.count == 1000
    assert join.data.total == sum(i * i for i in range(1000))
    assert len(run["square"].task_ids()) == 1000
