"""Language features the analyzer reads without importing the flow: inheritance, aliased
imports, start/end flags, num_parallel, IncludeFile, non-literal arguments; and proof
that module-level code of a flow (or of its base modules) never runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowc.compiler import Analysis, analyze_file
from tests.support.frontend import run_flowc


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


def analyze(directory: Path, name: str, source: str) -> Analysis:
    return analyze_file(str(write(directory, name, source)))


def codes(analysis: Analysis) -> list[tuple[int, str]]:
    return [(d.span.start.line if d.span else 0, d.code) for d in analysis.diagnostics]


def rules(analysis: Analysis) -> dict[str, str]:
    assert analysis.ir is not None, codes(analysis)
    return {s.name: s.input_rule.render() for s in analysis.ir.steps}


SIDE_EFFECTS = """
import os
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "MARKER_{tag}"), "w").close()
"""


def test_module_level_code_never_runs(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base_flows.py",
        SIDE_EFFECTS.format(tag="base")
        + """
from metaflow import FlowSpec, step


class Base(FlowSpec):
    open("MARKER_base_class", "w").close()

    @step
    def start(self):
        self.next(self.end)
""",
    )
    write(
        tmp_path,
        "flow.py",
        SIDE_EFFECTS.format(tag="flow")
        + """
import sys
from base_flows import Base
from metaflow import step

raise SystemExit("importing this file is forbidden")


class Flow(Base):
    open("MARKER_class_body", "w").close()
    sys.exit(3)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    open("MARKER_main", "w").close()
    Flow()
""",
    )
    commands = [
        ("check", "flow.py"),
        ("compile", "flow.py", "--target", "ir", "-o", "out"),
        ("show", "flow.py"),
        ("graph", "flow.py"),
    ]
    for command in commands:
        result = run_flowc(*command, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("MARKER")) == []
    assert (tmp_path / "out" / "Flow.ir.json").exists()


def test_inheritance_same_file_and_local_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pkg/common/__init__.py",
        """
        from metaflow import FlowSpec, Parameter, retry, step


        class Preprocess(FlowSpec):
            alpha = Parameter("alpha", default=0.5)

            @retry(times=2)
            @step
            def start(self):
                self.next(self.train)
        """,
    )
    write(
        tmp_path,
        "pkg/mixins.py",
        """
        from metaflow import step


        class Finish:
            @step
            def end(self):
                pass
        """,
    )
    write(tmp_path, "pkg/__init__.py", "")
    analysis = analyze(
        tmp_path,
        "pkg/flow.py",
        """
        from pkg.common import Preprocess
        from metaflow import step
        from .mixins import Finish


        class Middle(Preprocess):
            @step
            def train(self):
                self.next(self.evaluate)

            @step
            def evaluate(self):
                self.next(self.end)


        class Trained(Middle, Finish):
            @step
            def evaluate(self):  # overrides Middle.evaluate
                self.score = 1
                self.next(self.end)
        """,
    )
    assert rules(analysis) == {
        "start": "none",
        "train": "same:start",
        "evaluate": "same:train",
        "end": "same:evaluate",
    }
    assert analysis.ir is not None
    assert analysis.ir.name == "Trained"
    steps = {s.name: s for s in analysis.ir.steps}
    assert steps["evaluate"].location.line == 18  # the subclass's definition wins
    assert steps["start"].location.file.endswith("common/__init__.py")
    assert steps["end"].location.file.endswith("mixins.py")
    assert [d.name for d in steps["start"].decorators] == ["retry"]
    assert [p.name for p in analysis.ir.parameters] == ["alpha"]


def test_unresolved_base_is_a_warning(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        from metaflow import FlowSpec, step
        from somewhere_else import Mixin


        class F(FlowSpec, Mixin):
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """,
    )
    assert codes(analysis) == [(5, "FC006")]
    assert analysis.ir is not None


@pytest.mark.parametrize(
    "header, flowspec, step, retry",
    [
        ("import metaflow as mf", "mf.FlowSpec", "mf.step", "mf.retry"),
        ("import metaflow", "metaflow.FlowSpec", "metaflow.step", "metaflow.retry"),
        ("from flowc import FlowSpec as FS, step as s, retry as r", "FS", "s", "r"),
        ("from metaflow import *", "FlowSpec", "step", "retry"),
        ("import flowc as fc", "fc.FlowSpec", "fc.step", "fc.retry"),
    ],
)
def test_aliased_imports(tmp_path: Path, header: str, flowspec: str, step: str, retry: str) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        f"""
{header}


class AliasFlow({flowspec}):
    @{retry}(times=3)
    @{step}
    def start(self):
        self.next(self.end)

    @{step}
    def end(self):
        pass
""",
    )
    assert rules(analysis) == {"start": "none", "end": "same:start"}
    assert analysis.ir is not None
    start = analysis.ir.steps[0]
    assert [(d.name, d.args["times"], d.given) for d in start.decorators] == [
        ("retry", 3, ["times"])
    ]


def test_unrelated_decorator_named_step_is_not_a_step(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        from metaflow import FlowSpec, step
        from mylib import step as other_step


        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.end)

            @other_step
            def helper(self):
                pass

            @step
            def end(self):
                pass
        """,
    )
    assert analysis.ir is not None
    assert [s.name for s in analysis.ir.steps] == ["start", "end"]


def test_start_and_end_flags(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        from metaflow import FlowSpec, step


        class Flagged(FlowSpec):
            @step(start=True)
            def begin(self):
                self.next(self.middle)

            @step
            def middle(self):
                self.next(self.finish)

            @step(end=True)
            def finish(self):
                pass
        """,
    )
    assert rules(analysis) == {"begin": "none", "middle": "same:begin", "finish": "same:middle"}
    assert analysis.ir is not None
    assert (analysis.ir.start, analysis.ir.end) == ("begin", "finish")
    assert [s.kind for s in analysis.ir.steps] == ["start", "linear", "end"]


def test_num_parallel(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        from metaflow import FlowSpec, parallel, step


        class Gang(FlowSpec):
            @step
            def start(self):
                self.next(self.train, num_parallel=4)

            @parallel
            @step
            def train(self):
                self.next(self.join)

            @step
            def join(self, inputs):
                self.next(self.end)

            @step
            def end(self):
                pass
        """,
    )
    assert rules(analysis) == {
        "start": "none",
        "train": "enter:start",
        "join": "join-foreach:train",
        "end": "same:join",
    }
    assert analysis.ir is not None
    start, train = analysis.ir.steps[:2]
    assert (start.transition, start.num_parallel, start.foreach_var) == ("foreach", 4, None)
    assert train.foreach_depth == 1 and [d.name for d in train.decorators] == ["parallel"]


def test_include_file_and_non_literal_arguments(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        import os

        from metaflow import FlowSpec, IncludeFile, Parameter, resources, step

        CPUS = int(os.environ.get("CPUS", "2"))


        class Args(FlowSpec):
            data = IncludeFile("data", is_text=True, help="Input CSV", default="data.csv")
            alpha = Parameter("alpha", default=CPUS * 2, help="scaled")

            @resources(cpu=CPUS, memory=1024)
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """,
    )
    assert codes(analysis) == [(10, "FC202"), (12, "FC201")]
    assert analysis.ir is not None
    params = {p.name: p for p in analysis.ir.parameters}
    assert params["data"].is_include_file and params["data"].default == "data.csv"
    assert params["data"].help == "Input CSV"
    assert params["alpha"].default_source == "CPUS * 2" and params["alpha"].has_default
    resources = analysis.ir.steps[0].decorators[0]
    # The non-literal cpu keeps Metaflow's default in args and is listed as given.
    assert resources.args["memory"] == 1024 and resources.args["cpu"] == 1
    assert resources.given == ["cpu", "memory"]
    assert resources.source_args == {"cpu": "CPUS"}


def test_all_problems_reported_in_one_pass(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        "flow.py",
        """
        from metaflow import FlowSpec, step


        class Many(FlowSpec):
            @step
            def start(self):
                self.next(self.trian)

            @step
            def train(self):
                self.next(self.end)

            @step
            def input(self):
                self.next(self.end)

            @step
            def Bad(self):
                self.next(self.end)

            @step
            def end(self):
                self.next(self.start)
        """,
    )
    assert sorted(codes(analysis)) == [(7, "FC101"), (14, "FC106"), (18, "FC107"), (23, "FC111")]
    hint = next(d.hint for d in analysis.diagnostics if d.code == "FC101")
    assert hint == "did you mean `train`?"


def test_an_analyzer_bug_is_an_fc901_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flowc.graph

    def broken(*args: object) -> object:
        raise KeyError("oops")

    monkeypatch.setattr(flowc.graph, "build_ir", broken)
    analysis = analyze(
        tmp_path, "flow.py", "from metaflow import FlowSpec\n\nclass F(FlowSpec):\n    pass\n"
    )
    assert [d.code for d in analysis.diagnostics] == ["FC901"]
    assert analysis.ir is None and "KeyError" in analysis.diagnostics[0].message


def test_columns_count_characters_and_lines_count_like_python(tmp_path: Path) -> None:
    from flowc.render import render_text

    source = (
        "from metaflow import FlowSpec, step\n\x0c\n"
        "class U(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        '        self.s = "héllo wörld ✓"; self.next(self.trian)\n'
        "\n"
        "    @step\n"
        "    def train(self):\n"
        "        self.next(self.end)\n"
        "\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n"
    )
    path = tmp_path / "uni.py"
    path.write_text(source, encoding="utf-8")
    analysis = analyze_file(str(path))
    (d,) = analysis.diagnostics
    line = source.split("\n")[d.span.start.line - 1] if d.span else ""
    assert d.code == "FC101" and d.span is not None and d.span.start.line == 6
    assert line[d.span.start.column : d.span.end.column] == "self.trian"
    text = render_text(analysis.diagnostics, {str(path): source})
    assert f"    {line}\n    {' ' * line.index('self.trian')}^~~~~~~~~~\n" in text


def _decorated_flow(flow: str, start: str, end: str) -> str:
    """A two-step flow with the given decorator lines on the class and on each step."""
    return (
        "from metaflow import FlowSpec, batch, schedule, step, timeout\n\n\n"
        f"{flow}\nclass DecoratedFlow(FlowSpec):\n"
        f"    {start}\n    @step\n    def start(self):\n        self.next(self.end)\n\n"
        f"    {end}\n    @step\n    def end(self):\n        pass\n"
    )


def test_decorator_problems_point_at_the_keyword_or_the_decorator(tmp_path: Path) -> None:
    """An argument's problem is reported at its keyword, a whole-decorator problem (or a
    conflict between arguments) at the decorator; aliases resolve to canonical names."""
    source = _decorated_flow(
        "@schedule(hourly=True, weekly=True)",
        "@timeout(hours=1, seconds=-5)",
        "@timeout",
    )
    analysis = analyze(tmp_path, "spans.py", source)
    found = sorted(
        (d.span.start.line, d.span.start.column, d.code) for d in analysis.diagnostics if d.span
    )
    assert found == [(4, 1, "FC208"), (6, 22, "FC208"), (11, 5, "FC208")]

    source = _decorated_flow("", '@batch(trainium=2, memory="8192")', "@timeout(minutes=1)")
    valid = analyze(tmp_path, "aliases.py", source)
    assert valid.ir is not None and valid.diagnostics == []
    (batch,) = valid.ir.steps[0].decorators
    assert (batch.args["inferentia"], batch.args["memory"]) == (2, 8192)
    assert "trainium" not in batch.args and batch.given == ["inferentia", "memory"]
