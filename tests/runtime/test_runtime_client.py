"""Client API, progress display, and two runs sharing one datastore at once."""

from __future__ import annotations

import io
import os
import threading

from tests.support.runtime import run_local


def test_client_api_and_concurrent_runs(workdir: str) -> None:
    from flowc.client import Flow, Metaflow, Run

    results = []
    args = [["--who", "a"], ["--who", "b"]]
    threads = [
        threading.Thread(
            target=lambda a=a: results.append(
                run_local("tests/shapes/parameters.py", a, cwd=workdir)
            )
        )
        for a in args
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.ok for r in results) and len({r.run_id for r in results}) == 2
    store = results[0].datastore
    flow = Flow("ParametersFlow", datastore=store)
    runs = flow.runs()
    assert {r.id for r in runs} == {r.run_id for r in results}
    assert [r.created_at for r in runs] == sorted((r.created_at for r in runs), reverse=True)
    assert flow.latest_run is not None and flow.latest_run.id == runs[0].id
    assert flow.latest_successful_run is not None
    texts = {r.parameters["who"]: r.data.result["text"] for r in runs if r.data}
    assert texts == {"a": "hello ahello ahello a", "b": "hello bhello bhello b"}
    run = Run(f"ParametersFlow/{results[0].run_id}", datastore=store)
    assert run.successful and run.finished and run.status == "succeeded"
    assert [s.id for s in run] == ["end", "start"]
    task = run["start"].task
    assert task is not None and task.index is None and task.attempt == 0
    assert task["greeting"].data == task.data.greeting and "greeting" in task
    assert task["greeting"].sha and task["greeting"].type == "str"
    assert "ParametersFlow" in [f.id for f in Metaflow(store).flows]
    assert os.path.isdir(os.path.join(store, "ParametersFlow", "blobs"))


def test_live_progress_display() -> None:
    from flowc.commands.run import load_ir
    from flowc.ir import FlowIR
    from flowc.runner import RunResult, TaskId, TaskOutcome
    from flowc.runner.progress import ConsoleReporter

    ir: FlowIR = load_ir("tests/shapes/foreach.py", None)
    out = io.StringIO()
    reporter = ConsoleReporter(stream=out, live=True)
    reporter.started("r1", ir)
    step = ir.steps[1].name
    reporter.task_started(TaskId(step, "0"), 0)
    reporter.task_started(TaskId(step, "1"), 0)
    reporter.task_finished(TaskOutcome(TaskId(step, "0"), 0, True, 0.1), False)
    reporter.task_finished(TaskOutcome(TaskId(step, "1"), 0, False, 0.1), False)
    reporter.finished(RunResult("r1", False, 1, [], 0.5))
    text = out.getvalue()
    assert "run id r1" in text and "FAILED" in text
    row = [line for line in text.splitlines() if line.strip().startswith(step)][-1]
    assert row.split()[1:] == ["1", "0", "1"]  # done, running, failed
