"""``backends.events``: what ``@trigger``/``@trigger_on_finish`` wait for (Metaflow rules)."""

from __future__ import annotations

import textwrap

import pytest

from backends.events import flow_triggers
from flowc.compiler import analyze_source
from flowc.ir import FlowIR


def flow_ir(decorators: str, params: str = "") -> FlowIR:
    source = textwrap.dedent(
        """\
        from metaflow import FlowSpec, Parameter, step, trigger, trigger_on_finish

        {decorators}
        class EventFlow(FlowSpec):
        {params}
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """
    ).format(decorators=decorators, params=textwrap.indent(params, "    "))
    analysis = analyze_source("event_flow.py", source)
    assert analysis.ir is not None, analysis.diagnostics
    return analysis.ir


PARAMS = 'alpha = Parameter("alpha", default=1)\nBeta = Parameter("Beta", default="b")\n'


def messages(ir: FlowIR, **kwargs: str | None) -> list[str]:
    return [d.message for d in flow_triggers(ir, **kwargs)[1]]


def test_a_single_unmapped_event_fills_every_parameter_from_its_namesake() -> None:
    (found,), problems = flow_triggers(flow_ir('@trigger(event="data_ready")', PARAMS))
    assert problems == []
    (event,) = found.events
    assert (event.name, event.kind) == ("data_ready", "event")
    assert event.parameters == {"alpha": "alpha", "beta": "beta"}


def test_mappings_as_dict_and_as_list_of_names_and_pairs() -> None:
    deco = (
        '@trigger(events=[{"name": "a.b", "parameters": {"ALPHA": "f1"}},'
        ' {"name": "c-d", "parameters": ["beta"]}])'
    )
    (found,), problems = flow_triggers(flow_ir(deco, PARAMS))
    assert problems == []
    assert [(e.name, e.parameters) for e in found.events] == [
        ("a.b", {"alpha": "f1"}),
        ("c-d", {"beta": "beta"}),
    ]
    assert found.mapped_parameters["alpha"][1] == "f1"
    keys = [e.key for e in found.events]
    assert keys[0].startswith("ab_") and keys[1].startswith("cd_")
    assert len(set(keys)) == 2


def test_pairs_map_parameter_to_field() -> None:
    deco = '@trigger(event={"name": "e", "parameters": [("alpha", "weight"), "beta"]})'
    (found,), _ = flow_triggers(flow_ir(deco, PARAMS))
    assert found.events[0].parameters == {"alpha": "weight", "beta": "beta"}


@pytest.mark.parametrize(
    ("deco", "expected"),
    [
        ('@trigger(events=["x", "x"])', "event 'x' is named twice"),
        ('@trigger(event="bad name")', "event name 'bad name' may hold only"),
        ('@trigger(event={"name": "e", "parameters": {"gamma": "g"}})', "'gamma', which"),
        ('@trigger(event={"name": "e", "parameters": {"alpha": "a-b"}})', "payload field 'a-b'"),
        (
            '@trigger(events=[{"name": "e", "parameters": ["alpha"]},'
            ' {"name": "f", "parameters": {"ALPHA": "z"}}])',
            "parameter 'alpha' is mapped twice",
        ),
        ('@trigger(event={"name": "e", "parameters": [1]})', "neither a dict of names"),
    ],
)
def test_bad_triggers_are_errors_at_the_decorator(deco: str, expected: str) -> None:
    ir = flow_ir(deco, PARAMS)
    _found, problems = flow_triggers(ir)
    assert any(expected in d.message for d in problems), [d.message for d in problems]
    assert all(d.span is not None and d.span.start.line == 3 for d in problems)
    assert all(d.code == "FC208" for d in problems)


def test_a_non_literal_event_is_an_error_not_a_guess() -> None:
    ir = flow_ir("@trigger(event=EVENT_NAME)")
    found, problems = flow_triggers(ir)
    assert found == []
    assert "not a literal" in problems[0].message


def test_trigger_on_finish_names_and_project_inheritance() -> None:
    deco = (
        '@trigger_on_finish(flows=["Up", "other.prod.Far",'
        ' {"name": "Dict", "project": "p2", "project_branch": "test.x"}])'
    )
    ir = flow_ir(deco)
    (plain,), problems = flow_triggers(ir)
    assert problems == []
    assert [e.name for e in plain.events] == [
        "metaflow.Up.end",
        "metaflow.other.prod.Far.end",
        "metaflow.p2.test.x.Dict.end",
    ]
    (inherited,), _ = flow_triggers(ir, project="proj", branch="user.alice")
    first = inherited.events[0]
    assert first.name == "metaflow.proj.user.alice.Up.end"
    assert first.kind == "run" and first.flow == "Up"
    assert first.filters == {
        "auto-generated-by-metaflow": True,
        "project_name": "proj",
        "branch_name": "user.alice",
    }
    assert inherited.events[1].filters["project_name"] == "other"


@pytest.mark.parametrize(
    ("deco", "expected"),
    [
        ('@trigger_on_finish(flow="a.Flow")', "neither a flow name nor"),
        ('@trigger_on_finish(flow="Bad-Flow")', "flow name 'Bad-Flow'"),
        ('@trigger_on_finish(flow={"name": "A.B"})', "without dots"),
        ('@trigger_on_finish(flow={"name": "Up", "project": "p"})', "but no branch"),
        ('@trigger_on_finish(flows=["Up", "Up"])', "named twice"),
    ],
)
def test_bad_upstream_flows(deco: str, expected: str) -> None:
    problems = messages(flow_ir(deco))
    assert any(expected in m for m in problems), problems
