"""``python flow.py [TOP OPTIONS] run|resume``: Metaflow's options reach the run."""

from __future__ import annotations

import json
import os

from flowc.client import Run
from tests.support.flowcli import TOP_OPTIONS, FlowDir, assert_user_error


def test_metaflow_test_runner_options_run_the_flow_and_write_the_run_id(flowdir: FlowDir) -> None:
    run_id = flowdir.run(
        "--max-workers=50", "--max-num-splits=10000", "--tag=刺身 means sashimi", "--alpha", "2"
    )
    run = Run(f"CliFlow/{run_id}", flowdir.datastore)
    assert run["end"].task.data.result == 2 * (0 + 1 + 4)
    assert run.parameters["alpha"] == 2


def test_max_workers_below_one_is_a_usage_error_in_both_forms(flowdir: FlowDir) -> None:
    for workers in ("0", "-3"):
        assert_user_error(flowdir.python("run", "--max-workers", workers), 2, "--max-workers")
        assert_user_error(
            flowdir.flowc("run", flowdir.flow, "--max-workers", workers), 2, "--max-workers"
        )
    assert not os.path.exists(flowdir.datastore)


def test_with_attaches_a_decorator_that_acts_in_the_runner(flowdir: FlowDir) -> None:
    failed = flowdir.python("--quiet", "run", FLAKY_STEP="work")
    assert failed.returncode == 1
    run_id = flowdir.run("--with", "retry:times=1", FLAKY_STEP="work")
    work = Run(f"CliFlow/{run_id}", flowdir.datastore)["work"]
    assert sorted(t.attempt for t in work.tasks()) == [1, 1, 1]


def test_top_level_with_attaches_a_decorator_that_acts_in_the_task(flowdir: FlowDir) -> None:
    """@catch works inside the task process, so the decorator must reach the task."""
    done = flowdir.python(
        "--quiet", "--with", "catch:var=failure", "run", "--run-id-file", "rid", FAIL_STEP="work"
    )
    assert done.returncode == 0, done.stderr
    task = Run(f"CliFlow/{flowdir.read('rid')}", flowdir.datastore)["work"].task
    assert task is not None and "work fails on purpose" in str(task.data.failure)


def test_a_decorator_flowc_cannot_attach_is_rejected(flowdir: FlowDir) -> None:
    assert_user_error(flowdir.python("--with", "no_such_thing", "run"), 2, "@no_such_thing")
    assert_user_error(flowdir.python("run", "--with", "schedule:daily=true"), 2, "flow decorator")
    assert_user_error(flowdir.python("run", "--with", "retry:times=-1"), 2, "@retry")
    assert not os.path.exists(flowdir.datastore)


def test_a_metadata_service_flowc_has_no_counterpart_for_is_a_usage_error(
    flowdir: FlowDir,
) -> None:
    assert_user_error(flowdir.python("--metadata", "service", "run"), 2, "--metadata")
    assert_user_error(flowdir.python("--environment", "conda", "run"), 2, "--environment")
    assert_user_error(flowdir.python("--datastore", "s3", "run"), 2, "--datastore-root")


def test_branch_reaches_the_tasks(flowdir: FlowDir) -> None:
    done = flowdir.python("--quiet", "--branch", "feature", "run", "--run-id-file", "rid")
    assert done.returncode == 0, done.stderr
    start = Run(f"CliFlow/{flowdir.read('rid')}", flowdir.datastore)["start"].task
    assert start is not None and start.data.branch_seen == "feature"


def test_namespace_reaches_the_tasks(flowdir: FlowDir) -> None:
    for given, seen in (("team:ml", "team:ml"), ("", None)):
        done = flowdir.python("--quiet", "run", "--namespace", given, "--run-id-file", "rid")
        assert done.returncode == 0, done.stderr
        start = Run(f"CliFlow/{flowdir.read('rid')}", flowdir.datastore)["start"].task
        assert start is not None and start.data.namespace_seen == seen


def test_max_num_splits_fails_a_wider_foreach(flowdir: FlowDir) -> None:
    done = flowdir.python("run", "--max-num-splits", "2", WIDTH="3")
    assert done.returncode == 1
    assert "yielded 3 child steps" in done.stderr and "--max-num-splits" in done.stderr


def test_runner_attribute_file_names_the_run(flowdir: FlowDir) -> None:
    done = flowdir.python(
        "--quiet", "run", "--run-id-file", "rid", "--runner-attribute-file", "attrs.json"
    )
    assert done.returncode == 0, done.stderr
    attributes = json.loads(flowdir.read("attrs.json"))
    assert attributes["flow_name"] == "CliFlow"
    assert attributes["run_id"] == flowdir.read("rid")
    assert attributes["metadata"] == f"local@{flowdir.datastore}"


def test_resume_reruns_from_the_failed_step_of_the_latest_run(flowdir: FlowDir) -> None:
    failed = flowdir.python(*TOP_OPTIONS, "run", "--run-id-file", "first", FAIL_STEP="work")
    assert failed.returncode == 1
    done = flowdir.python(*TOP_OPTIONS, "resume", "--run-id-file", "second")
    assert done.returncode == 0, done.stderr
    first, second = flowdir.read("first"), flowdir.read("second")
    resumed = Run(f"CliFlow/{second}", flowdir.datastore)
    assert resumed.origin_run_id == first
    assert resumed["end"].task.data.result == 5
    assert resumed["start"].task.origin_pathspec.startswith(f"CliFlow/{first}/start/")


def test_resume_a_named_step_of_a_named_run(flowdir: FlowDir) -> None:
    first = flowdir.run()
    flowdir.run()  # the latest run is not the one resumed
    done = flowdir.python(
        "--quiet", "resume", "join", "--origin-run-id", first, "--run-id-file", "rid"
    )
    assert done.returncode == 0, done.stderr
    resumed = Run(f"CliFlow/{flowdir.read('rid')}", flowdir.datastore)
    assert resumed.origin_run_id == first
    assert resumed["work"].task.origin_pathspec is not None
    assert resumed["join"].task.origin_pathspec is None


def test_resume_after_a_start_step_that_failed_at_import(flowdir: FlowDir) -> None:
    with open(flowdir.flow, encoding="utf-8") as f:
        source = f.read()
    with open(flowdir.flow, "w", encoding="utf-8") as f:
        f.write(source.replace("import sys\n", "import sys\nimport no_such_module_here\n", 1))
    assert_user_error(flowdir.flowc("resume", flowdir.flow), 2, "no run")
    # The start task fails importing the file: the run never recorded its parameters.
    assert flowdir.flowc("run", flowdir.flow, "-q").returncode == 1
    with open(flowdir.flow, "w", encoding="utf-8") as f:
        f.write(source)
    done = flowdir.python("--quiet", "resume", "--run-id-file", "rid")
    assert done.returncode == 0, done.stderr
    assert Run(f"CliFlow/{flowdir.read('rid')}", flowdir.datastore)["end"].task is not None


def test_resume_of_an_unknown_step_or_run_is_a_usage_error(flowdir: FlowDir) -> None:
    flowdir.run()
    assert_user_error(flowdir.python("resume", "no_such_step"), 2, "no_such_step")
    assert_user_error(flowdir.python("resume", "--origin-run-id", "nope"), 2, "nope")
