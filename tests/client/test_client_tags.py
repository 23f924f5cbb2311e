"""Run tags: recorded at start, shown on every object, changed safely and by Metaflow's rules."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
from typing import Any

import pytest

from tests.client.conftest import USER
from tests.support.runtime import ROOT, run_local


def test_run_records_user_and_system_tags(tagged_run: Any) -> None:
    from flowc.client import Run

    run = Run(f"TaggedFlow/{tagged_run.run_id}", tagged_run.datastore)
    workers = {f"worker-{i}" for i in range(6)}  # added by six tasks running at once
    assert run.user_tags == {"nightly", "刺身"} | workers
    assert run.system_tags == {
        f"user:{USER}",
        "runtime:dev",
        f"python_version:{platform.python_version()}",
        f"flowc_version:{_flowc_version()}",
        "project:clienttests",
        f"project_branch:user.{USER}",
    }
    assert run.tags == run.user_tags | run.system_tags
    for step in run:
        assert step.tags == run.tags
        for task in step:
            assert task.tags == run.tags and task.user_tags == run.user_tags
            assert all(artifact.tags == run.tags for artifact in task)
    assert run.parent.tags == frozenset()


def _flowc_version() -> str:
    from importlib.metadata import version

    return version("flowc")


def test_children_filtered_by_tags(tagged_run: Any) -> None:
    from flowc.client import Flow

    flow = Flow("TaggedFlow", tagged_run.datastore)
    assert [r.id for r in flow.runs("nightly", f"user:{USER}")] == [tagged_run.run_id]
    assert flow.runs("not_a_tag") == [] and flow.runs("nightly", "not_a_tag") == []
    run = flow[tagged_run.run_id]
    assert {s.id for s in run.steps("nightly")} == {"start", "work", "join", "flaky", "end"}
    assert run.steps("not_a_tag") == []
    work = run["work"]
    assert [t.id for t in work.tasks("刺身")] == [t.id for t in work] and work.tasks("x") == []


def test_mutation_rules(workdir: str) -> None:
    from flowc.client import Run
    from runtime_shim.exceptions import MetaflowTaggingError

    done = run_local("tests/shapes/linear.py", cwd=workdir, tags=["keep"])
    run = Run(f"LinearFlow/{done.run_id}", done.datastore)
    system = sorted(run.system_tags)
    run.add_tags(["tag_along", system[0]])  # a system tag is not added as a user tag
    assert run.user_tags == {"keep", "tag_along"}
    with pytest.raises(MetaflowTaggingError, match="existing system tag"):
        run.remove_tags(["tag_along", system[0]])
    assert "tag_along" in Run(run.pathspec, done.datastore).user_tags  # all or nothing
    run.replace_tags(["keep", "tag_along"], ["tag_along", "new"])  # remove, then add
    assert Run(run.pathspec, done.datastore).user_tags == {"tag_along", "new"}
    run.add_tag(["whoop", "eee"])  # Metaflow's older spelling: a list given to add_tag
    run.replace_tag(["whoop", "eee"], "woo")
    run.remove_tag("woo")
    run.add_tag("新想法")
    assert Run(run.pathspec, done.datastore).user_tags == {"tag_along", "new", "新想法"}
    for bad in ("", "a" * 501, 4, b"\xff\xfe"):
        with pytest.raises(MetaflowTaggingError):
            run.add_tag(bad)  # type: ignore[arg-type]
    with pytest.raises(MetaflowTaggingError, match="at least one tag"):
        run.replace_tags([], [])
    with pytest.raises(MetaflowTaggingError, match="may not be a string"):
        run.add_tags("abc")
    run.add_tags([f"t{i}" for i in range(47)])
    with pytest.raises(MetaflowTaggingError, match="beyond 50"):
        run.add_tag("one-too-many")


def test_concurrent_writers_lose_nothing(workdir: str) -> None:
    from flowc.client import Run

    done = run_local("tests/shapes/linear.py", cwd=workdir)
    spec = f"LinearFlow/{done.run_id}"

    def add(prefix: str) -> None:
        run = Run(spec, done.datastore)
        for i in range(5):
            run.add_tag(f"{prefix}{i}")

    threads = [threading.Thread(target=add, args=(p,)) for p in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Run(spec, done.datastore).user_tags == {f"{p}{i}" for p in "abcd" for i in range(5)}


def test_flowc_run_tag_option(workdir: str) -> None:
    from flowc.client import Run

    env = dict(os.environ, FLOWC_DATASTORE=os.path.join(workdir, "ds"))
    flow = os.path.join(ROOT, "tests", "shapes", "linear.py")
    command = [sys.executable, "-m", "flowc.cli", "run", flow, "-q"]
    done = subprocess.run(
        [*command, "--tag", "a b", "--tag", "ok"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    run = Run(f"LinearFlow/{done.stdout.split()[-1]}", env["FLOWC_DATASTORE"])
    assert run.user_tags == {"a b", "ok"}
    bad = subprocess.run([*command, "--tag", ""], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "Tags must not be empty string" in bad.stderr
    assert "Traceback" not in bad.stderr
