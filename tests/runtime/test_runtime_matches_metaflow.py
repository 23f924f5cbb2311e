"""Every case gives the same artifacts, task for task, as Metaflow 2.19 recorded in
``expected/`` (see record_expected.py for how they were produced)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.support.runtime import HERE, copy_files, run_local
from tests.support.runtime_cases import CASES, normalize, sort_lists


def flowc_tasks(datastore: str, flow: str, run_id: str) -> dict[str, dict[str, Any]]:
    from flowc.client import Run

    run = Run(f"{flow}/{run_id}", datastore=datastore)
    tasks: dict[str, dict[str, Any]] = {}
    for step in run:
        found = {t.key: {a.id: normalize(a.data) for a in t} for t in step if t.finished}
        if found:
            tasks[step.id] = found
    return tasks


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_artifacts_as_metaflow(case: str, workdir: str) -> None:
    with open(os.path.join(HERE, "expected", f"{case}.json"), encoding="utf-8") as handle:
        expected = json.load(handle)
    spec = CASES[case]
    copy_files(spec.get("files", []), workdir)
    run = run_local(spec["file"], spec.get("flowc_args", []), cwd=workdir)
    assert run.ok == (not spec.get("expect_failure", False))
    got, want = flowc_tasks(run.datastore, run.flow, run.run_id), expected["tasks"]
    if spec.get("sort_lists"):
        got, want = sort_lists(got), sort_lists(want)
    assert got == want
