"""The decorator catalogue: kinds, cron, time zones, aliases, exclusive groups, checks.

Tables list what Metaflow accepts (and the normal form each value resolves to) and what
it rejects; the property tests check that ``resolve`` reports problems instead of raising
and that resolving resolved values again changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime_shim.catalogue import (
    DECORATORS,
    FLOW_DECORATORS,
    MAX_RETRIES,
    STEP_DECORATORS,
    DecoratorDef,
    InvalidValue,
    Kind,
    decorator,
    parse_cron,
    retry_delay_seconds,
    schedule_cron,
    timeout_seconds,
)
from runtime_shim.catalogue import _kinds as kinds


def entry(name: str) -> DecoratorDef:
    found = decorator(name)
    assert found is not None, name
    return found


ACCEPTED: list[tuple[Kind, Any, Any]] = [
    (kinds.WHOLE, 3, 3),
    (kinds.WHOLE, "3", 3),
    (kinds.WHOLE, 3.0, 3),
    (kinds.WHOLE, -2, -2),
    (kinds.NUMBER, 2.5, 2.5),
    (kinds.NUMBER, "4096", 4096),
    (kinds.NUMBER, " 0.5 ", 0.5),
    (kinds.BOOLEAN, True, True),
    (kinds.BOOLEAN, False, False),
    (kinds.STRING, "trainer:1", "trainer:1"),
    (kinds.IDENTIFIER, "failure", "failure"),
    (kinds.STRING_MAP, "a=b, c=d", {"a": "b", "c": "d"}),
    (kinds.STRING_MAP, {"a": 1, "b": True}, {"a": "1", "b": "True"}),
    (kinds.ENVIRONMENT_VARS, {"MODE": "fast", "N": 2}, {"MODE": "fast", "N": "2"}),
    (kinds.STRING_LIST, ("a", "b"), ["a", "b"]),
    (
        kinds.SECRET_SOURCES,
        ["db", {"id": "api", "type": "kubernetes"}],
        ["db", {"id": "api", "type": "kubernetes"}],
    ),
    (kinds.JSON_VALUE, (1, [2, (3,)]), [1, [2, [3]]]),
    (kinds.JSON_OBJECT, {"a": (1,)}, {"a": [1]}),
    (
        kinds.TOLERATIONS,
        [{"key": "gpu", "operator": "Exists"}],
        [{"key": "gpu", "operator": "Exists"}],
    ),
    (kinds.VOLUME_CLAIMS, {"data-pvc": "/mnt/data"}, {"data-pvc": "/mnt/data"}),
    (kinds.PACKAGES, {"numpy": "2.1.3", "pandas": 2}, {"numpy": "2.1.3", "pandas": "2"}),
    (kinds.PYTHON_VERSION, "3.11", "3.11"),
    (kinds.PYTHON_VERSION, "3.11.9", "3.11.9"),
    (kinds.TIMEZONE, "Europe/Berlin", "Europe/Berlin"),
    (kinds.TIMEZONE, "UTC", "UTC"),
    (kinds.CRON, "0 3 * * *", "0 3 * * *"),
    (kinds.EVENTS, "data_updated", ["data_updated"]),
    (
        kinds.EVENTS,
        {"name": "e", "parameters": {"a": "b"}},
        [{"name": "e", "parameters": {"a": "b"}}],
    ),
    (kinds.EVENTS, ["a", "b"], ["a", "b"]),
    (kinds.FLOW_NAMES, "TrainFlow", ["TrainFlow"]),
    (kinds.FLOW_NAMES, ["A", "B"], ["A", "B"]),
    (kinds.STEP_NAMES, "notify", ["notify"]),
]

REJECTED: list[tuple[Kind, Any]] = [
    (kinds.WHOLE, 1.5),
    (kinds.WHOLE, "three"),
    (kinds.WHOLE, True),
    (kinds.WHOLE, None),
    (kinds.NUMBER, "lots"),
    (kinds.NUMBER, float("nan")),
    (kinds.NUMBER, float("inf")),
    (kinds.NUMBER, "1e400"),
    (kinds.NUMBER, [1]),
    (kinds.BOOLEAN, 1),
    (kinds.BOOLEAN, "true"),
    (kinds.STRING, 3),
    (kinds.IDENTIFIER, "not an identifier"),
    (kinds.STRING_MAP, "novalue"),
    (kinds.STRING_MAP, ["a=b"]),
    (kinds.STRING_MAP, {"a": [1]}),
    (kinds.ENVIRONMENT_VARS, {"A": [1]}),
    (kinds.ENVIRONMENT_VARS, {"A=B": "x"}),
    (kinds.ENVIRONMENT_VARS, "A=1"),
    (kinds.STRING_LIST, "a"),
    (kinds.STRING_LIST, [1]),
    (kinds.SECRET_SOURCES, "db-creds"),
    (kinds.SECRET_SOURCES, [""]),
    (kinds.SECRET_SOURCES, [{"type": "kubernetes"}]),
    (kinds.JSON_VALUE, object()),
    (kinds.JSON_OBJECT, [1]),
    (kinds.JSON_OBJECT, {1: "a"}),
    (kinds.TOLERATIONS, {"key": "gpu"}),
    (kinds.TOLERATIONS, [{"bogus": "x"}]),
    (kinds.VOLUME_CLAIMS, {"data-pvc": "mnt/data"}),
    (kinds.VOLUME_CLAIMS, ["data-pvc"]),
    (kinds.PACKAGES, ["numpy"]),
    (kinds.PYTHON_VERSION, "2.7"),
    (kinds.PYTHON_VERSION, "3"),
    (kinds.TIMEZONE, "Mars/Olympus"),
    (kinds.TIMEZONE, "America"),
    (kinds.TIMEZONE, "../../etc/passwd"),
    (kinds.TIMEZONE, ""),
    (kinds.TIMEZONE, 1),
    (kinds.CRON, "0 3 * *"),
    (kinds.CRON, 5),
    (kinds.EVENTS, 3),
    (kinds.EVENTS, [""]),
    (kinds.EVENTS, [{"parameters": {}}]),
    (kinds.FLOW_NAMES, 3),
    (kinds.STEP_NAMES, ["not a name"]),
]


def _ids(cases: list[Any]) -> list[str]:
    """Stable test ids (reprs of kinds and objects carry addresses)."""
    return [f"{case[0].name}-{index}" for index, case in enumerate(cases)]


@pytest.mark.parametrize(("kind", "value", "normal"), ACCEPTED, ids=_ids(ACCEPTED))
def test_kind_accepts_and_normalises(kind: Kind, value: Any, normal: Any) -> None:
    assert kind.normalise(value) == normal
    assert kind.normalise(normal) == normal  # the normal form is a fixed point


@pytest.mark.parametrize(("kind", "value"), REJECTED, ids=_ids(REJECTED))
def test_kind_rejects(kind: Kind, value: Any) -> None:
    with pytest.raises(InvalidValue) as raised:
        kind.normalise(value)
    assert str(raised.value)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("0 3 * * *", "0 3 * * *"),
        ("*/15 0-6 1,15 JAN-MAR *", "*/15 0-6 1,15 JAN-MAR *"),
        ("0 0 ? * SUN", "0 0 * * SUN"),
        ("0 9 * * mon-fri", "0 9 * * mon-fri"),
        ("5-55/10 * * * 0,6", "5-55/10 * * * 0,6"),
        # EventBridge's 6 fields (Metaflow's documented spelling): Sunday is 1, year '*'.
        ("0 3 ? * 2 *", "0 3 * * 1"),
        ("0 3 ? * 1-7 *", "0 3 * * 0-6"),
        ("0 12 ? * MON-FRI *", "0 12 * * MON-FRI"),
        ("0/5 * 1 * ? *", "0/5 * 1 * *"),
    ],
)
def test_cron_accepted_and_normalised(text: str, normal: str) -> None:
    assert parse_cron(text).text == normal
    assert parse_cron(normal).text == normal


@pytest.mark.parametrize(
    "text",
    [
        "@daily",
        "@every 5m",
        "0 3 * *",
        "0 3 * * * * *",
        "0 3 * * * 2026",  # a year: not every target can express it
        "0 3 ? * 8 *",  # EventBridge weekdays are 1-7
        "0 3 * * 7",  # Sunday is 0 in the 5-field form
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * FOO *",
        "? * * * *",
        "*/0 * * * *",
        "30-10 * * * *",
        "0 3 L * *",
        "0 3 * * 1#2",
        "0 3 15W * *",
    ],
)
def test_cron_rejected(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_cron(text)


def test_defaults_are_metaflow_s() -> None:
    assert entry("retry").defaults() == {"times": 3, "minutes_between_retries": 2}
    assert entry("resources").defaults()["memory"] == 4096
    assert entry("resources").defaults()["cpu"] == 1
    assert entry("kubernetes").defaults()["disk"] == 10240
    assert entry("schedule").defaults()["daily"] is True
    assert entry("card").defaults()["timeout"] == 45


def test_defaults_are_fresh_copies() -> None:
    first = entry("environment").defaults()
    first["vars"]["A"] = "1"
    assert entry("environment").defaults() == {"vars": {}}


def test_resolution_fills_defaults_and_normalises() -> None:
    resolution = entry("resources").resolve({"memory": "8192", "cpu": "0.5"})
    assert resolution.problems == []
    assert resolution.values == {
        "cpu": 0.5,
        "gpu": None,
        "disk": None,
        "memory": 8192,
        "shared_memory": None,
    }


@pytest.mark.parametrize(
    ("name", "given", "argument"),
    [
        ("retry", {"times": MAX_RETRIES + 1}, "times"),
        ("retry", {"times": -1}, "times"),
        ("retry", {"minutes_between_retries": -1}, "minutes_between_retries"),
        ("timeout", {"seconds": 1.5}, "seconds"),
        ("resources", {"memory": 0}, "memory"),
        ("resources", {"cpu": 0}, "cpu"),
        ("kubernetes", {"port": 70000}, "port"),
        ("kubernetes", {"qos": "Premium"}, "qos"),
        ("batch", {"swappiness": 101}, "swappiness"),
        ("card", {"scope": "run"}, "scope"),
    ],
)
def test_out_of_range_and_choices(name: str, given: dict[str, Any], argument: str) -> None:
    problems = entry(name).resolve(given).problems
    assert [(p.kind, p.argument) for p in problems] == [("invalid-value", argument)]
    assert problems[0].hint


def test_unknown_argument_suggests_the_closest() -> None:
    (problem,) = entry("timeout").resolve({"minuts": 5}).problems
    assert (problem.kind, problem.argument) == ("unknown-argument", "minuts")
    assert problem.hint is not None and "minutes" in problem.hint


def test_alias_resolves_to_the_canonical_name() -> None:
    resolution = entry("batch").resolve({"trainium": 2})
    assert resolution.problems == []
    assert resolution.values["inferentia"] == 2
    assert "trainium" not in resolution.values


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("schedule", {"hourly": True, "daily": True}),
        ("schedule", {"cron": "0 3 * * *", "weekly": True}),
        ("trigger", {"event": "a", "events": ["b"]}),
        ("trigger_on_finish", {"flow": "A", "flows": ["B"]}),
    ],
)
def test_exclusive_arguments_conflict(name: str, given: dict[str, Any]) -> None:
    problems = entry(name).resolve(given).problems
    assert [(p.kind, p.argument) for p in problems] == [("conflict", None)]


def test_a_chosen_schedule_clears_the_daily_default() -> None:
    values = entry("schedule").resolve({"cron": "0 3 ? * 2 *"}).values
    assert values["daily"] is False and values["cron"] == "0 3 * * 1"
    assert schedule_cron(values) == "0 3 * * 1"
    assert schedule_cron(entry("schedule").defaults()) == "0 0 * * *"
    assert schedule_cron(entry("schedule").resolve({"hourly": True}).values) == "0 * * * *"
    assert schedule_cron(entry("schedule").resolve({"weekly": True}).values) == "0 0 * * 0"
    # An explicit False is not a choice: the daily default stays.
    assert entry("schedule").resolve({"hourly": False}).values["daily"] is True


@pytest.mark.parametrize(
    ("name", "given", "ok"),
    [
        ("timeout", {}, False),
        ("timeout", {"seconds": 0, "minutes": 0}, False),
        ("timeout", {"minutes": 1}, True),
        ("trigger", {}, False),
        ("trigger", {"event": "done"}, True),
        ("trigger_on_finish", {}, False),
        ("trigger_on_finish", {"flows": ["A"]}, True),
    ],
)
def test_whole_decorator_checks(name: str, given: dict[str, Any], ok: bool) -> None:
    problems = entry(name).resolve(given).problems
    assert [(p.kind, p.argument) for p in problems] == ([] if ok else [("invalid-value", None)])


def test_derived_durations() -> None:
    assert timeout_seconds({"hours": 1, "minutes": 2, "seconds": 3}) == 3723
    assert timeout_seconds(entry("timeout").defaults()) == 0
    assert retry_delay_seconds(entry("retry").defaults()) == 120
    assert (
        retry_delay_seconds(entry("retry").resolve({"minutes_between_retries": 0.5}).values) == 30
    )


def test_every_decorator_has_one_placement_and_sane_arguments() -> None:
    assert set(DECORATORS) == set(STEP_DECORATORS) | set(FLOW_DECORATORS)
    assert not set(STEP_DECORATORS) & set(FLOW_DECORATORS)
    for spec in DECORATORS.values():
        names = [key for arg in spec.args for key in (arg.name, *arg.aliases)]
        assert len(names) == len(set(names)), spec.name
        for group in spec.exclusive:
            assert all(spec.arg(name) is not None for name in group), spec.name
        # Every default is already in normal form.
        for arg in spec.args:
            assert arg.normalise(arg.default) == arg.default, (spec.name, arg.name)


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def decorator_and_arguments(draw: st.DrawFn) -> tuple[DecoratorDef, dict[str, Any]]:
    spec = draw(st.sampled_from(sorted(DECORATORS.values(), key=lambda d: d.name)))
    names = [key for arg in spec.args for key in (arg.name, *arg.aliases)]
    key = st.sampled_from(names) | st.text(max_size=8) if names else st.text(max_size=8)
    samples = [a.kind.example for a in spec.args] or ["1"]
    value = JSON_LIKE | st.sampled_from(samples).map(_example_value)
    return spec, draw(st.dictionaries(key, value, max_size=5))


def _example_value(literal: str) -> Any:
    import ast

    return ast.literal_eval(literal)


@settings(max_examples=250, deadline=None)
@given(decorator_and_arguments())
def test_resolve_never_raises_and_is_a_fixed_point(
    case: tuple[DecoratorDef, dict[str, Any]],
) -> None:
    spec, arguments = case
    resolution = spec.resolve(arguments)
    assert list(resolution.values) == list(spec.argument_names)
    for problem in resolution.problems:
        assert problem.message
    again = spec.resolve(resolution.values)
    assert again.values == resolution.values
    assert all(p.kind != "unknown-argument" for p in again.problems)
    if all(p.kind != "conflict" for p in resolution.problems):
        # Resolved values read alone mean one choice (no default left competing).
        assert all(p.kind != "conflict" for p in again.problems)
