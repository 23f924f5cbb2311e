"""Fixtures of the client tests: a scratch directory and a known user and namespace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

USER = "alice"


@pytest.fixture
def workdir(tmp_path: Any) -> Iterator[str]:
    yield str(tmp_path)


@pytest.fixture(autouse=True)
def known_user(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs record ``user:alice`` and the client starts in that namespace.

    Afterwards the namespace is left unset, so the next test's client derives it from
    the environment again (the environment is restored after this fixture ends).
    """
    from runtime_shim import identity

    monkeypatch.setenv("METAFLOW_USER", USER)
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    identity.default_namespace()
    yield USER
    identity._current = identity._UNSET


@pytest.fixture(scope="session")
def tagged_run(tmp_path_factory: Any) -> Iterator[Any]:
    """One run of flows/tagged.py (by alice, tagged ``nightly``) shared by the tests."""
    import os

    from tests.support.runtime import run_local

    # Alice only while the run is made: a session fixture that kept her in the
    # environment would name every later test's deployments after her.
    previous = os.environ.get("METAFLOW_USER")
    os.environ["METAFLOW_USER"] = USER
    try:
        workdir = str(tmp_path_factory.mktemp("tagged"))
        run = run_local("tests/client/flows/tagged.py", cwd=workdir, tags=["nightly", "刺身"])
    finally:
        if previous is None:
            os.environ.pop("METAFLOW_USER", None)
        else:
            os.environ["METAFLOW_USER"] = previous
    assert run.ok
    yield run
