"""Every graph shape compiles to IR that validates against the schema, with the expected
structure; ``flowc compile --target ir`` output equals the committed golden files.

Regenerate the golden files (after an intended IR change) with::

    FLOWC_REGEN=1 .venv/bin/python -m pytest tests/frontend -k golden
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from flowc.compiler import analyze_file
from flowc.ir import FlowIR
from tests.support.frontend import GOLDEN_IR, REPO, SHAPES, run_flowc
from tests.support.golden import regenerating

SHAPE_FILES = sorted(SHAPES.glob("*.py"))
SHAPE_NAMES = [p.stem for p in SHAPE_FILES]

# step -> (kind, input rule, foreach stack); steps listed in the IR's (topological) order.
# nested_foreach3 is the nested-foreach example of docs/architecture.md.
EXPECTED: dict[str, dict[str, tuple[str, str, list[str]]]] = {
    "exit_hooks": {
        "start": ("start", "none", []),
        "end": ("end", "same:start", []),
    },
    "linear": {
        "start": ("start", "none", []),
        "a": ("linear", "same:start", []),
        "b": ("linear", "same:a", []),
        "end": ("end", "same:b", []),
    },
    "branch": {
        "start": ("start", "none", []),
        "left": ("linear", "same:start", []),
        "right": ("linear", "same:start", []),
        "join": ("join", "join:left,right", []),
        "end": ("end", "same:join", []),
    },
    "nested_branches": {
        "start": ("start", "none", []),
        "a": ("split", "same:start", []),
        "b": ("linear", "same:start", []),
        "a1": ("linear", "same:a", []),
        "a2": ("linear", "same:a", []),
        "join_a": ("join", "join:a1,a2", []),
        "join": ("join", "join:join_a,b", []),
        "end": ("end", "same:join", []),
    },
    "foreach": {
        "start": ("start", "none", []),
        "work": ("linear", "enter:start", ["start"]),
        "join": ("join", "join-foreach:work", []),
        "end": ("end", "same:join", []),
    },
    "foreach_multistep": {
        "start": ("start", "none", []),
        "square": ("linear", "enter:start", ["start"]),
        "plus_one": ("linear", "same:square", ["start"]),
        "label": ("linear", "same:plus_one", ["start"]),
        "join": ("join", "join-foreach:label", []),
        "end": ("end", "same:join", []),
    },
    "nested_foreach3": {
        "start": ("start", "none", []),
        "level1": ("foreach", "enter:start", ["start"]),
        "level2": ("foreach", "enter:level1", ["start", "level1"]),
        "level3": ("linear", "enter:level2", ["start", "level1", "level2"]),
        "join3": ("join", "join-foreach:level3", ["start", "level1"]),
        "join2": ("join", "join-foreach:join3", ["start"]),
        "join1": ("join", "join-foreach:join2", []),
        "end": ("end", "same:join1", []),
    },
    "switch_basic": {
        "start": ("start", "none", []),
        "fast": ("linear", "same:start", []),
        "slow": ("linear", "same:start", []),
        "merge": ("linear", "any:fast,slow", []),
        "end": ("end", "same:merge", []),
    },
    "switch_nested": {
        "start": ("start", "none", []),
        "a": ("linear", "same:start", []),
        "b": ("split-switch", "same:start", []),
        "bx": ("linear", "same:b", []),
        "by": ("linear", "same:b", []),
        "merge_b": ("linear", "any:bx,by", []),
        "merge": ("linear", "any:a,merge_b", []),
        "end": ("end", "same:merge", []),
    },
    "switch_skip": {
        "start": ("start", "none", []),
        "work": ("linear", "same:start", []),
        "merge": ("linear", "any:start,work", []),
        "end": ("end", "same:merge", []),
    },
    "switch_in_branch": {
        "start": ("start", "none", []),
        "left": ("split-switch", "same:start", []),
        "right": ("linear", "same:start", []),
        "up": ("linear", "same:left", []),
        "down": ("linear", "same:left", []),
        "left_merge": ("linear", "any:up,down", []),
        "join": ("join", "join:left_merge,right", []),
        "end": ("end", "same:join", []),
    },
    "switch_in_foreach": {
        "start": ("start", "none", []),
        "classify": ("split-switch", "enter:start", ["start"]),
        "even": ("linear", "same:classify", ["start"]),
        "odd": ("linear", "same:classify", ["start"]),
        "merge": ("linear", "any:even,odd", ["start"]),
        "join": ("join", "join-foreach:merge", []),
        "end": ("end", "same:join", []),
    },
    "switch_ends_branch": {
        "start": ("start", "none", []),
        "left": ("split-switch", "same:start", []),
        "right": ("linear", "same:start", []),
        "up": ("linear", "same:left", []),
        "down": ("linear", "same:left", []),
        "join": ("join", "join:up|down,right", []),
        "end": ("end", "same:join", []),
    },
    "switch_ends_foreach": {
        "start": ("start", "none", []),
        "classify": ("split-switch", "enter:start", ["start"]),
        "even": ("linear", "same:classify", ["start"]),
        "odd": ("linear", "same:classify", ["start"]),
        "join": ("join", "join-foreach:even|odd", []),
        "end": ("end", "same:join", []),
    },
    "branch_in_switch": {
        "start": ("start", "none", []),
        "wide": ("split", "same:start", []),
        "narrow": ("linear", "same:start", []),
        "w1": ("linear", "same:wide", []),
        "w2": ("linear", "same:wide", []),
        "wjoin": ("join", "join:w1,w2", []),
        "merge": ("linear", "any:narrow,wjoin", []),
        "end": ("end", "same:merge", []),
    },
    "foreach_in_switch": {
        "start": ("start", "none", []),
        "many": ("foreach", "same:start", []),
        "none_case": ("linear", "same:start", []),
        "each": ("linear", "enter:many", ["many"]),
        "each_join": ("join", "join-foreach:each", []),
        "merge": ("linear", "any:none_case,each_join", []),
        "end": ("end", "same:merge", []),
    },
    "recursive_switch": {
        "start": ("start", "none", []),
        "loop": ("split-switch", "any:start,loop", []),
        "finish": ("linear", "same:loop", []),
        "end": ("end", "same:finish", []),
    },
    "recursive_switch_in_foreach": {
        "start": ("start", "none", []),
        "prepare": ("linear", "enter:start", ["start"]),
        "loop": ("split-switch", "any:prepare,loop", ["start"]),
        "after": ("linear", "same:loop", ["start"]),
        "join": ("join", "join-foreach:after", []),
        "end": ("end", "same:join", []),
    },
    "parameters": {
        "start": ("start", "none", []),
        "end": ("end", "same:start", []),
    },
    "decorators": {
        "start": ("start", "none", []),
        "fragile": ("linear", "same:start", []),
        "end": ("end", "same:fragile", []),
    },
}

# split -> its join, for every shape that has splits.
MATCHING_JOINS: dict[str, dict[str, str]] = {
    "branch": {"start": "join"},
    "nested_branches": {"start": "join", "a": "join_a"},
    "foreach": {"start": "join"},
    "foreach_multistep": {"start": "join"},
    "nested_foreach3": {"start": "join1", "level1": "join2", "level2": "join3"},
    "switch_in_branch": {"start": "join"},
    "switch_in_foreach": {"start": "join"},
    "switch_ends_branch": {"start": "join"},
    "switch_ends_foreach": {"start": "join"},
    "branch_in_switch": {"wide": "wjoin"},
    "foreach_in_switch": {"many": "each_join"},
    "recursive_switch_in_foreach": {"start": "join"},
}


@pytest.fixture(scope="session")
def analyses() -> dict[str, Any]:
    cwd = os.getcwd()
    os.chdir(REPO)  # the IR records the file path as given, relative to the repository
    try:
        return {p.stem: analyze_file(f"tests/shapes/{p.name}") for p in SHAPE_FILES}
    finally:
        os.chdir(cwd)


def test_every_shape_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(SHAPE_NAMES)


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_shape_structure(shape: str, analyses: dict[str, Any], ir_validator: Any) -> None:
    analysis = analyses[shape]
    assert analysis.diagnostics == []
    ir: FlowIR = analysis.ir
    document = ir.to_json()
    errors = sorted(ir_validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert FlowIR.from_json(json.loads(json.dumps(document))).to_json() == document

    got = {s.name: (s.kind, s.input_rule.render(), s.foreach_stack) for s in ir.steps}
    assert got == EXPECTED[shape]
    assert [s.name for s in ir.steps] == list(EXPECTED[shape]), "topological order"
    assert ir.start == "start" and ir.end == "end"
    joins = {s.name: s.matching_join for s in ir.steps if s.matching_join}
    assert joins == MATCHING_JOINS.get(shape, {})
    by_name = {s.name: s for s in ir.steps}
    for step in ir.steps:
        assert step.foreach_depth == len(step.foreach_stack)
        assert set(step.foreach_stack) <= set(step.split_stack)
        # Parents and children agree, and the input rule names exactly the real parents.
        for kid in step.next:
            assert step.name in by_name[kid].parents
        assert step.input_rule.parents == step.parents
        assert step.recursive == (step.name in step.next)
        if step.kind == "join":
            assert step.is_join


def test_recursive_switch_details(analyses: dict[str, Any]) -> None:
    loop = next(s for s in analyses["recursive_switch"].ir.steps if s.name == "loop")
    assert loop.recursive and loop.switch is not None
    assert "loop" in loop.switch.cases.values() and "finish" in loop.switch.cases.values()


def test_parameters_shape(analyses: dict[str, Any]) -> None:
    params = {p.name: p for p in analyses["parameters"].ir.parameters}
    assert {n: p.type for n, p in params.items()} == {
        "who": "str",
        "count": "int",
        "ratio": "float",
        "loud": "bool",
        "config": "json",
    }
    assert params["config"].default == {"layers": [1, 2]}
    assert params["count"].default == 3 and params["who"].help == "Who to greet"


def test_decorators_shape(analyses: dict[str, Any]) -> None:
    ir = analyses["decorators"].ir

    def written(d: Any) -> dict[str, Any]:
        return {key: d.args[key] for key in d.given}

    assert [(d.name, written(d)) for d in ir.decorators] == [("schedule", {"daily": True})]
    # Every argument is resolved: Metaflow's defaults fill what the flow did not write.
    assert ir.decorators[0].args == {
        "cron": None,
        "weekly": False,
        "daily": True,
        "hourly": False,
        "timezone": None,
    }
    steps = {s.name: {d.name: written(d) for d in s.decorators} for s in ir.steps}
    assert steps["start"] == {
        "environment": {"vars": {"GREETING": "hi there"}},
        "resources": {"cpu": 1, "memory": 512},
    }
    assert steps["fragile"] == {
        "catch": {"var": "failure"},
        "retry": {"times": 1, "minutes_between_retries": 0},
        "timeout": {"seconds": 60},
    }


@pytest.fixture(scope="session")
def compiled_ir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """shape -> the text of ``flowc compile --target ir`` (one CLI call for all shapes)."""
    out = tmp_path_factory.mktemp("ir")
    result = run_flowc("compile", "tests/shapes", "--target", "ir", "-o", str(out))
    assert result.returncode == 0, result.stderr
    texts: dict[str, str] = {}
    for path in SHAPE_FILES:
        flow = _flow_class(path)
        texts[path.stem] = (out / f"{flow}.ir.json").read_text(encoding="utf-8")
    return texts


def _flow_class(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("class ") and "FlowSpec" in line:
            return line.split()[1].split("(")[0]
    raise AssertionError(f"no flow class in {path}")


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_golden_ir(shape: str, compiled_ir: dict[str, str], ir_validator: Any) -> None:
    text = compiled_ir[shape]
    assert not list(ir_validator.iter_errors(json.loads(text)))
    golden = GOLDEN_IR / f"{shape}.ir.json"
    if regenerating():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="")
    assert golden.exists(), f"missing {golden}; regenerate with FLOWC_REGEN=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{shape}: IR differs from {golden.relative_to(REPO)}; if the change is intended, "
        "regenerate with FLOWC_REGEN=1 .venv/bin/python -m pytest tests/frontend -k golden"
    )
