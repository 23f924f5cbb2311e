"""The engine-independent parts of the deploy verbs: parameter checks before a trigger,
run naming, the datastore records, and a flow with errors deploying nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowc.deploy import (
    RUN_ID_PREFIXES,
    DeployError,
    ParameterInfo,
    ParameterValueError,
    TriggeredRunRef,
    check_parameters,
    new_run_id,
    target_of_run_id,
)
from flowc.deploy._registry import TARGETS
from flowc.deploy._runs import DeploymentRecord, Records

PARAMS = (
    ParameterInfo("width", "int", False, True, 3),
    ParameterInfo("ratio", "float", False, True, 0.5),
    ParameterInfo("loud", "bool", False, True, False),
    ParameterInfo("config", "json", False, True, {}),
    ParameterInfo("who", "str", True, False),
)


def test_values_are_checked_and_rendered_as_json() -> None:
    given = {"width": 2, "ratio": 1, "loud": True, "config": {"a": [1]}, "who": "x"}
    assert check_parameters(PARAMS, given) == {
        "width": "2",
        "ratio": "1.0",
        "loud": "true",
        "config": '{"a": [1]}',
        "who": '"x"',
    }
    # Strings are read as on the command line.
    assert check_parameters(PARAMS, {"width": "7", "loud": "no", "who": "y"}) == {
        "width": "7",
        "loud": "false",
        "who": '"y"',
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"who": "x", "width": "seven"}, "'width': invalid int value 'seven'"),
        ({"who": "x", "width": True}, "expected int, got a bool"),
        ({"who": "x", "ratio": "fast"}, "'ratio': invalid float"),
        ({"who": "x", "loud": "maybe"}, "expected true or false"),
        ({"who": "x", "config": {1, 2}}, "'config': invalid json"),
        ({"who": 3}, "expected str, got int"),
        ({"who": "x", "depth": 1}, "no parameter 'depth'"),
        ({}, "'who' is required"),
    ],
)
def test_a_wrong_value_is_refused(given: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterValueError, match=message):
        check_parameters(PARAMS, given)


def test_run_ids_name_their_target() -> None:
    assert set(RUN_ID_PREFIXES) == set(TARGETS)
    for target in TARGETS:
        run_id = new_run_id(target)
        assert target_of_run_id(run_id) == target
        assert run_id == run_id.lower() and len(run_id) <= 63
    assert target_of_run_id("1733140000123456") is None


def test_records_round_trip_and_stay_out_of_the_client(tmp_path: Path) -> None:
    from flowc.client import Metaflow

    records = Records(str(tmp_path))
    record = DeploymentRecord(
        "stepfunctions", "TrainFlow", "TrainFlow", "/f.py", None, False, str(tmp_path), PARAMS
    )
    records.write_deployment(record)
    assert records.deployment("stepfunctions", "TrainFlow") == record
    ref = TriggeredRunRef("stepfunctions", "TrainFlow", "TrainFlow", "sfn-1", "arn:x")
    records.write_run(ref)
    assert records.run("TrainFlow/sfn-1") == ref
    with pytest.raises(DeployError, match="no triggered run TrainFlow/sfn-2"):
        records.run("TrainFlow/sfn-2")
    with pytest.raises(DeployError, match="not a run pathspec"):
        records.run("sfn-1")
    assert list(Metaflow(str(tmp_path))) == []
    records.delete_deployment("stepfunctions", "TrainFlow")
    assert records.deployment("stepfunctions", "TrainFlow") is None
    assert json.loads((tmp_path / ".deployments/runs/TrainFlow/sfn-1.json").read_text())["run_id"]
