"""Every target variant declares every catalogue (decorator, argument), and means it.

- completeness: no pair of ``runtime_shim.catalogue.DECORATORS`` lacks a handling;
- a ``Rejected`` pair: a flow writing that argument gets the declared code, with the
  declared reason, at the decorator's line (and no files when it is an error);
- a ``Mapped`` pair: writing the argument changes the emitted files, so a mapping that
  silently does nothing fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.coverage import WHOLE, Mapped, PerArgument, Rejected, catalogue_pairs
from backends.support_tables import Variant, variants
from flowc.diagnostics import CODES, Severity
from runtime_shim.catalogue import DECORATORS
from tests.support.contract import application, baseline, compile_for, flow_source

VARIANTS = variants()


def _pairs(kind: type) -> list[tuple[Variant, str, str]]:
    return [
        (variant, name, argument)
        for variant in VARIANTS
        for name, argument in catalogue_pairs()
        if isinstance(variant.coverage.of(name, argument), kind)
    ]


def _id(case: tuple[Variant, str, str]) -> str:
    variant, name, argument = case
    return f"{variant.coverage.target}:@{name}({argument or '*'})"


def test_every_pair_is_declared_on_every_variant() -> None:
    assert {v.target for v in VARIANTS} == {"argo", "airflow", "stepfunctions"}
    for variant in VARIANTS:
        assert variant.coverage.missing() == [], variant.coverage.target
        for (name, argument), handling in variant.coverage.entries.items():
            if isinstance(handling, PerArgument):
                assert argument == WHOLE and DECORATORS[name].args, (name, argument)
            if isinstance(handling, Rejected):
                assert CODES[handling.code.code] is handling.code and handling.code.code.startswith(
                    "FC3"
                )


REJECTED = _pairs(Rejected)
MAPPED = _pairs(Mapped)


@pytest.mark.parametrize("case", REJECTED, ids=[_id(c) for c in REJECTED])
def test_rejected_pair_reports_its_diagnostic(case: tuple[Variant, str, str]) -> None:
    variant, name, argument = case
    handling = variant.coverage.of(name, argument)
    assert isinstance(handling, Rejected)
    source, line = flow_source(application(name, argument))
    compiled = compile_for(variant, source)
    found = [
        d
        for d in compiled.diagnostics
        if d.code == handling.code.code and handling.reason in d.message and d.span is not None
    ]
    assert found, [(d.code, d.message) for d in compiled.diagnostics]
    assert {d.span.start.line for d in found if d.span} == {line}
    if handling.code.severity is Severity.ERROR:
        assert compiled.files == {}


@pytest.mark.parametrize("case", MAPPED, ids=[_id(c) for c in MAPPED])
def test_mapped_pair_changes_the_output(case: tuple[Variant, str, str]) -> None:
    variant, name, argument = case
    with_argument = compile_for(variant, flow_source(application(name, argument))[0])
    without = compile_for(variant, flow_source(baseline(name, argument))[0])
    errors = [
        (d.code, d.message)
        for d in [*with_argument.diagnostics, *without.diagnostics]
        if d.severity is Severity.ERROR
    ]
    assert errors == [] and with_argument.files and without.files
    assert with_argument.files != without.files


def test_local_runner_renders_cards_without_a_warning(tmp_path: Path) -> None:
    from tests.support.frontend import run_flowc

    flow = tmp_path / "card_flow.py"
    flow.write_text(flow_source(application("card", WHOLE))[0], encoding="utf-8")
    done = run_flowc("run", "--local", str(flow), "--datastore", str(tmp_path / "ds"))
    assert done.returncode == 0, done.stderr
    assert "FC302" not in done.stderr
    assert list((tmp_path / "ds").glob("*/runs/*/start/*/attempt-0/cards/default-*.html"))
