"""Namespaces: the default one is the user's, objects outside it are refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client.conftest import USER
from tests.support.runtime import run_local


def test_default_namespace_is_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowc.client import default_namespace, get_namespace, namespace

    assert get_namespace() == f"user:{USER}"
    assert namespace("user:bob") == "user:bob" and get_namespace() == "user:bob"
    assert namespace(None) is None and get_namespace() is None
    monkeypatch.setenv("METAFLOW_USER", "carol")
    assert default_namespace() == "user:carol" == get_namespace()
    monkeypatch.setenv("METAFLOW_PRODUCTION_TOKEN", "tok")
    assert default_namespace() == "production:tok"


def test_without_metaflow_user_the_os_user_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import pwd

    from runtime_shim.identity import get_username, resolve_identity

    for variable in ("METAFLOW_USER", "SUDO_USER", "USERNAME", "USER"):
        monkeypatch.delenv(variable, raising=False)
    expected = pwd.getpwuid(os.getuid()).pw_name
    assert get_username() == expected and resolve_identity() == f"user:{expected}"
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("SUDO_USER", "dave")
    assert get_username() == "dave"  # "root" is skipped in favour of the invoking user


def test_objects_outside_the_namespace_are_refused(tagged_run: Any) -> None:
    from flowc.client import DataArtifact, Flow, Metaflow, Run, Step, Task, namespace
    from runtime_shim.exceptions import MetaflowNamespaceMismatch

    root, run_id = tagged_run.datastore, tagged_run.run_id
    run = Flow("TaggedFlow", root)[run_id]
    assert run_id in [r.id for r in Flow("TaggedFlow", root)]
    task = run["end"].task
    assert task is not None
    paths = [run.pathspec, f"{run.pathspec}/end", task.pathspec, f"{task.pathspec}/my_id"]
    namespace("user:nobody")
    for cls, path in zip((Run, Step, Task, DataArtifact), paths, strict=True):
        with pytest.raises(
            MetaflowNamespaceMismatch, match="Object not in namespace 'user:nobody'"
        ):
            cls(path, root)
        assert cls(path, root, _namespace_check=False).pathspec == path
    with pytest.raises(MetaflowNamespaceMismatch):
        Flow("TaggedFlow", root)
    assert "TaggedFlow" not in [f.id for f in Metaflow(root).flows]
    flow = Flow("TaggedFlow", root, _namespace_check=False)
    assert [r.id for r in flow] == [run_id]  # no check: every run
    namespace("nightly")  # a user tag is a namespace too
    assert Run(run.pathspec, root).id == run_id
    namespace(None)
    assert Run(run.pathspec, root).id == run_id
    assert "TaggedFlow" in [f.id for f in Metaflow(root).flows]


def test_flow_lists_only_the_runs_of_the_namespace(workdir: str, monkeypatch: Any) -> None:
    from flowc.client import Flow, namespace

    mine = run_local("tests/shapes/linear.py", cwd=workdir)
    monkeypatch.setenv("METAFLOW_USER", "bob")
    theirs = run_local("tests/shapes/linear.py", cwd=workdir)
    root = mine.datastore
    assert [r.id for r in Flow("LinearFlow", root)] == [mine.run_id]
    namespace("user:bob")
    assert [r.id for r in Flow("LinearFlow", root)] == [theirs.run_id]
    assert Flow("LinearFlow", root).latest_run.id == theirs.run_id  # type: ignore[union-attr]
    namespace(None)
    assert [r.id for r in Flow("LinearFlow", root)] == [theirs.run_id, mine.run_id]


def test_metaflow_names_resolve_to_the_client() -> None:
    import sys

    from runtime_shim.loader import install_metaflow_alias

    install_metaflow_alias()
    import metaflow
    import metaflow.client

    import flowc.client

    assert sys.modules["metaflow.client"] is flowc.client
    assert metaflow.namespace is flowc.client.namespace
    assert metaflow.client.get_namespace is metaflow.get_namespace
    from runtime_shim.exceptions import MetaflowNamespaceMismatch

    exc = MetaflowNamespaceMismatch("user:x")
    assert exc.headline == "Object not in the current namespace"
