"""The flow file's ``tag`` verb, run under a command group as the flow's top level runs it."""

from __future__ import annotations

import os
from typing import Any

import click
from click.testing import CliRunner

from tests.support.runtime import ROOT, run_local


def _group(root: str, quiet: bool = False) -> click.Group:
    from flowc.flowcli.context import FlowContext
    from flowc.flowcli.tag import tag

    @click.group()
    @click.pass_context
    def start(ctx: click.Context) -> None:
        flow_file = os.path.join(ROOT, "tests", "shapes", "linear.py")
        ctx.obj = FlowContext(flow_file, "LinearFlow", datastore_root=root, quiet=quiet)

    start.add_command(tag)
    return start


def _tags(root: str, run_id: str, *extra: str) -> set[str]:
    result = CliRunner().invoke(_group(root), ["tag", "list", "--flat", *extra, "--run-id", run_id])
    assert result.exit_code == 0, result.output
    banner, *tags = result.stderr.splitlines()
    assert banner.endswith(f"executing LinearFlow for user:{os.environ['METAFLOW_USER']}")
    return set(tags)


def test_tag_verb_lists_and_changes_tags(workdir: str, known_user: str) -> None:
    done = run_local("tests/shapes/linear.py", cwd=workdir, tags=["first"])
    root, run_id = done.datastore, done.run_id
    runner = CliRunner()
    assert _tags(root, run_id, "--hide-system-tags") == {"first"}
    everything = _tags(root, run_id)
    assert f"user:{known_user}" in everything and "runtime:dev" in everything

    result = runner.invoke(_group(root), ["tag", "add", "--run-id", run_id, "AAA", "BBB"])
    assert result.exit_code == 0 and "Operation successful. New tags:" in result.stderr
    assert "*AAA*" in result.stderr and "runtime:dev" in result.stderr
    args = ["tag", "replace", "--run-id", run_id, "--remove", "AAA", "--add", "CCC"]
    assert runner.invoke(_group(root), args).exit_code == 0
    assert (
        runner.invoke(_group(root), ["tag", "remove", "--run-id", run_id, "first"]).exit_code == 0
    )
    assert _tags(root, run_id, "--hide-system-tags") == {"BBB", "CCC"}

    failed = runner.invoke(_group(root), ["tag", "remove", "--run-id", run_id, "runtime:dev"])
    assert failed.exit_code == 1 and "existing system tag" in failed.stderr
    failed = runner.invoke(_group(root), ["tag", "add", "--run-id", run_id, ""])
    assert failed.exit_code == 1 and "empty string" in failed.stderr
    failed = runner.invoke(_group(root), ["tag", "replace", "--run-id", run_id])
    assert failed.exit_code == 1 and "Specify at least one tag" in failed.stderr
    failed = runner.invoke(_group(root), ["tag", "add", "x"])
    assert failed.exit_code == 1 and f"has id *{run_id}*" in failed.stderr
    failed = runner.invoke(_group(root), ["tag", "add", "--run-id", "nope", "x"])
    assert failed.exit_code == 1 and "No run *LinearFlow/nope*" in failed.stderr


def test_tag_list_groupings(workdir: str, known_user: str, monkeypatch: Any) -> None:
    one = run_local("tests/shapes/linear.py", cwd=workdir, tags=["shared", "one"])
    monkeypatch.setenv("METAFLOW_USER", "bob")
    two = run_local("tests/shapes/linear.py", cwd=workdir, tags=["shared"])
    root = one.datastore
    runner = CliRunner()
    listing = runner.invoke(_group(root), ["tag", "list", "--all", "--group-by-tag"])
    assert listing.exit_code == 0
    assert "For tag *shared*" in listing.stderr and "For tag user:bob" in listing.stderr
    quiet = runner.invoke(_group(root, quiet=True), ["tag", "list", "--group-by-run"])
    lines = sorted(quiet.stderr.splitlines())
    assert lines[0].startswith(f"LinearFlow/{two.run_id} ; ") or lines[1].startswith(
        f"LinearFlow/{two.run_id} ; "
    )
    assert any(line.endswith(" ; one,shared") for line in lines)
    mine = runner.invoke(_group(root), ["tag", "list", "--my-runs", "--flat"])  # bob's runs
    assert "one" not in mine.stderr.splitlines() and "shared" in mine.stderr.splitlines()
    assert quiet.stderr.count("executing") == 0  # --quiet: no banner
