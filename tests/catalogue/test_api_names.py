"""One list of user-API names: ``flowc``, ``runtime_shim.api``, the ``metaflow`` fallback
and the analyzer all know every catalogue decorator, and the runtime's decorators resolve
arguments exactly as the compiler does."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from typing import Any

import pytest

from flowc.analyzer._names import API_NAMES, collect_api_names
from runtime_shim.api_names import USER_API_NAMES
from runtime_shim.catalogue import DECORATORS, decorator


def test_every_catalogue_decorator_is_exported_and_known() -> None:
    import flowc
    import runtime_shim.api

    assert set(DECORATORS) <= set(USER_API_NAMES)
    assert set(runtime_shim.api.__all__) == set(USER_API_NAMES)
    assert set(USER_API_NAMES) <= set(flowc.__all__)
    for name in USER_API_NAMES:
        assert getattr(flowc, name) is getattr(runtime_shim.api, name), name
        assert name in API_NAMES, name
    for name in DECORATORS:
        assert getattr(runtime_shim.api, name).__name__ == name


@pytest.mark.parametrize("module", ["flowc", "metaflow"])
def test_from_import_of_every_name(module: str) -> None:
    """A fresh interpreter (``metaflow`` comes from the fallback) imports every name."""
    names = ", ".join(USER_API_NAMES)
    probe = f"from {module} import {names}\nimport sys\nprint(sys.modules['{module}'].__name__)\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    if module == "metaflow":
        assert done.stdout.strip() == "runtime_shim.metaflow_compat"


def test_analyzer_reads_every_decorator_from_every_module() -> None:
    for module in ("metaflow", "flowc"):
        tree = ast.parse(f"from {module} import {', '.join(DECORATORS)}\n")
        names = collect_api_names(tree)
        assert names.names == {name: name for name in DECORATORS}


def test_runtime_decorators_resolve_like_the_compiler() -> None:
    api = importlib.import_module("runtime_shim.api")

    @api.batch(trainium=2, memory="8192")
    @api.retry
    @api.card
    def start(self: Any) -> None: ...

    recorded = start._flowc_decorators  # type: ignore[attr-defined]
    batch = decorator("batch")
    retry = decorator("retry")
    assert batch is not None and retry is not None
    assert recorded["batch"] == batch.resolve({"trainium": 2, "memory": "8192"}).values
    assert recorded["batch"]["inferentia"] == 2 and recorded["batch"]["memory"] == 8192
    assert recorded["retry"] == retry.defaults()

    @api.schedule(cron="0 3 ? * 2 *")
    class Flow:
        pass

    assert Flow._flowc_flow_decorators["schedule"]["cron"] == "0 3 * * 1"  # type: ignore[attr-defined]
    assert Flow._flowc_flow_decorators["schedule"]["daily"] is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        ("retry", {"tims": 3}, ["@retry", "tims", "times"]),
        ("retry", {"times": "three"}, ["@retry", "times", "three"]),
        ("timeout", {"seconds": -5}, ["@timeout", "seconds", "range"]),
        ("secrets", {"sources": "db-creds"}, ["@secrets", "sources"]),
        ("schedule", {"cron": "0 3 * *"}, ["@schedule", "cron"]),
    ],
)
def test_runtime_decorators_reject_what_the_compiler_rejects(
    name: str, kwargs: dict[str, Any], words: list[str]
) -> None:
    api = importlib.import_module("runtime_shim.api")
    with pytest.raises(TypeError) as raised:
        getattr(api, name)(**kwargs)
    for word in words:
        assert word in str(raised.value)
