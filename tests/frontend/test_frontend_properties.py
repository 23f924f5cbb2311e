"""Property tests: generated valid flows analyze cleanly to the expected structure, and
random damage to valid sources never produces a traceback, only diagnostics."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowc.compiler import analyze_source
from flowc.render import render_json, render_text
from tests.support.flowgen import GenFlow, valid_flows
from tests.support.frontend import SHAPES

# Deterministic examples keep CI reproducible; raise max_examples locally to search more.
COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=150, **COMMON)
@given(flow=valid_flows())
def test_generated_flows_have_the_expected_structure(flow: GenFlow, ir_validator: Any) -> None:
    source = flow.source()
    analysis = analyze_source("generated.py", source)
    assert analysis.diagnostics == [], render_text(analysis.diagnostics, {"generated.py": source})
    assert analysis.ir is not None
    errors = list(ir_validator.iter_errors(analysis.ir.to_json()))
    assert not errors, [e.message for e in errors[:3]]
    got = {s.name: s for s in analysis.ir.steps}
    assert set(got) == set(flow.steps)
    position = {s.name: i for i, s in enumerate(analysis.ir.steps)}
    for name, want in flow.steps.items():
        step = got[name]
        assert step.input_rule.kind == want.rule_kind, name
        if want.rule_kind == "any":
            assert sorted(step.input_rule.parents) == sorted(want.parents), name
        else:
            assert step.input_rule.parents == want.parents, name
        assert step.kind == want.kind, name
        assert step.is_join == want.is_join, name
        assert step.foreach_depth == want.depth, name
        assert step.recursive == want.loops, name
        assert step.matching_join == want.matching_join, name
        # Topological order: every parent (other than the step itself) comes first.
        assert all(position[p] < position[name] for p in step.parents if p != name), name


def _shape_sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SHAPES.glob("*.py"))]


@st.composite
def damaged_sources(draw: st.DrawFn) -> str:
    source = draw(st.one_of(st.sampled_from(_shape_sources()), valid_flows().map(_text)))
    for _ in range(draw(st.integers(1, 3))):
        source = draw(st.sampled_from(MUTATIONS))(draw, source)
    return source


def _text(flow: GenFlow) -> str:
    return flow.source()


def _delete_line(draw: st.DrawFn, source: str) -> str:
    lines = source.splitlines(keepends=True)
    if not lines:
        return source
    del lines[draw(st.integers(0, len(lines) - 1))]
    return "".join(lines)


def _rename_target(draw: st.DrawFn, source: str) -> str:
    names = sorted(set(_step_names(source))) or ["end"]
    old = draw(st.sampled_from(names))
    new = draw(st.sampled_from([*names, "missing", "Bad_Name", "_private", "input", "start"]))
    return source.replace(f"self.{old})", f"self.{new})", 1)


def _step_names(source: str) -> list[str]:
    return [
        line.split("def ", 1)[1].split("(", 1)[0]
        for line in source.splitlines()
        if line.strip().startswith("def ")
    ]


def _truncate(draw: st.DrawFn, source: str) -> str:
    return source[: draw(st.integers(0, len(source)))]


def _insert_garbage(draw: st.DrawFn, source: str) -> str:
    at = draw(st.integers(0, len(source)))
    junk = draw(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                [
                    "self.next(self.end)\n",
                    "        self.next(foo)\n",
                    "    @step\n    def extra(self, inputs):\n        pass\n",
                    "\n    def start(self):\n        self.next(self.start)\n",
                    "(",
                    '"""',
                    "\t",
                    "\x00",
                    "\ufeff",
                    "class Other(FlowSpec):\n    pass\n",
                    "@retry(times=x)\n",
                    "    @step(start=True)\n",
                    "self.next({}, condition=1)\n",
                ]
            ),
        )
    )
    return source[:at] + junk + source[at:]


def _swap_chars(draw: st.DrawFn, source: str) -> str:
    if len(source) < 2:
        return source
    i = draw(st.integers(0, len(source) - 2))
    return source[:i] + source[i + 1] + source[i] + source[i + 2 :]


MUTATIONS: list[Any] = [_delete_line, _rename_target, _truncate, _insert_garbage, _swap_chars]


@settings(max_examples=300, **COMMON)
@given(damaged_sources())
def test_damaged_sources_give_diagnostics_not_tracebacks(source: str) -> None:
    analysis = analyze_source("damaged.py", source)  # must not raise
    assert not any(d.code == "FC901" for d in analysis.diagnostics), render_json(
        analysis.diagnostics
    )
    line_count = max(len(source.splitlines()), 1)
    for d in analysis.diagnostics:
        assert d.span is not None
        assert 1 <= d.span.start.line <= line_count + 1
    if analysis.ir is None:
        assert any(d.severity.value == "error" for d in analysis.diagnostics)
    render_text(analysis.diagnostics, {"damaged.py": source})
    render_json(analysis.diagnostics)
