"""An unknown ``--option`` key is an FC305 error on every target, with a did-you-mean
drawn from the target's own table of option keys."""

from __future__ import annotations

import pytest

from backends.airflow._settings import OPTION_KEYS as AIRFLOW_KEYS
from backends.argo._options import OPTION_KEYS as ARGO_KEYS
from backends.base import TargetOptions, get_backend
from backends.stepfunctions._options import OPTION_KEYS as SFN_KEYS
from flowc.compiler import analyze_source

SOURCE = (
    "from flowc import FlowSpec, step\n\n\nclass OptionFlow(FlowSpec):\n"
    "    @step\n    def start(self):\n        self.next(self.end)\n\n"
    "    @step\n    def end(self):\n        pass\n"
)
KEYS = {"argo": ARGO_KEYS, "airflow": AIRFLOW_KEYS, "stepfunctions": SFN_KEYS}


@pytest.mark.parametrize(
    ("target", "typo", "meant"),
    [
        ("argo", "kindd", "kind"),
        ("airflow", "operater", "operator"),
        ("stepfunctions", "comptue", "compute"),
    ],
)
def test_unknown_key_is_an_error_with_a_suggestion(target: str, typo: str, meant: str) -> None:
    ir = analyze_source("option_flow.py", SOURCE).ir
    assert ir is not None
    options = TargetOptions(datastore_root="s3://b/p", extra={typo: "x"})
    result = get_backend(target).emit(ir, options)
    [error] = [d for d in result.diagnostics if d.code == "FC305" and typo in d.message]
    assert error.hint == f"did you mean `{meant}`?" and result.files == []
    assert meant in KEYS[target]


@pytest.mark.parametrize("target", sorted(KEYS))
def test_every_known_key_is_accepted(target: str) -> None:
    """No key of the table is itself reported unknown (values may still be invalid)."""
    ir = analyze_source("option_flow.py", SOURCE).ir
    assert ir is not None
    result = get_backend(target).emit(
        ir, TargetOptions(datastore_root="s3://b/p", extra=dict.fromkeys(KEYS[target], "1"))
    )
    assert not [d for d in result.diagnostics if "unknown" in d.message and "option" in d.message]
