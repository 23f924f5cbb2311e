"""Argo Workflows' own validator accepts every manifest flowc emits.

The JSON schema (``schemas/argo``) sees shapes and types; Argo's ``workflow/validate``
package (``tools/argo-lint``) sees what the controller refuses at submit time: unresolved
``{{...}}`` tags, ``depends`` on unknown tasks, bad parameter names, cron schedules and
time zones, name lengths. Each corpus is written to disk and linted in one linter run (a
session fixture), then every manifest is its own test case. The last tests show the
linter does refuse broken manifests, with Argo's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from flowc.compiler import analyze_source
from tests.support import flowgen
from tests.support.argo import FLOWS_DIR, REPO, SHAPES, load_ir, shape_path
from tests.support.argo_lint import LintRun, emit_to, lint, options, readme_manifest, with_project

GOLDEN = REPO / "tests" / "argo" / "golden"
GOLDENS = sorted(p.name for p in GOLDEN.glob("*.yaml"))
FLOWS = sorted(str(p.relative_to(REPO)) for p in FLOWS_DIR.glob("*.py"))
KINDS = ("WorkflowTemplate", "Workflow", "CronWorkflow")
GENERATED_FLOWS = 500


def _scheduled(path: str) -> bool:
    return load_ir(path).decorator("schedule") is not None


def _kinds(path: str) -> tuple[str, ...]:
    """The kinds a flow compiles to: a CronWorkflow needs ``@schedule``."""
    return KINDS if _scheduled(path) else KINDS[:2]


# Every deployment option there is, for the variant that sets them all.
DEPLOYMENT: dict[str, object] = {
    "namespace": "ml-team",
    "service_account": "flow-runner",
    "labels": {"team": "ml", "cost-centre": "r-and-d"},
    "code_package": "s3://flowc-artifacts/code/package.tgz",
    "parallelism": "4",
    "workflow_timeout": "3600",
    "priority": "5",
    "tags": "nightly,team:ml",
    "user_namespace": "team:ml",
    "branch": "staging",
}


def _variants() -> dict[str, tuple[str, str, bool, dict[str, object]]]:
    """Every flow of the repository's Argo tests under every kind it allows, without and
    with ``@project``, and with every deployment option: ``{case: (path, kind, project,
    settings)}``."""
    variants: dict[str, tuple[str, str, bool, dict[str, object]]] = {}
    for path in [shape_path(s) for s in SHAPES] + FLOWS:
        for kind in _kinds(path):
            stem = Path(path).stem
            variants[f"{stem}-{kind}"] = (path, kind, False, {})
            variants[f"{stem}-{kind}-project"] = (path, kind, True, {})
            variants[f"{stem}-{kind}-deployment"] = (path, kind, True, DEPLOYMENT)
    return variants


VARIANTS = _variants()


@dataclass
class Corpus:
    """Manifests written to disk, by case id, and the one linter run over all of them."""

    files: dict[str, Path]
    run: LintRun

    def problems(self, case: str) -> list[str]:
        assert self.run.returncode in (0, 1), self.run.stderr
        path = self.files[case]
        assert path.exists()
        return self.run.of(path)


@pytest.fixture(scope="session")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Goldens as they are on disk, every variant freshly emitted, the README example.

    The WorkflowTemplates of one flow share a name across variants (and with its golden),
    and the linter refuses two of one name in one namespace, as a reference could not tell
    them apart; so each variant gets a namespace of its own unless it sets one.
    """
    out = tmp_path_factory.mktemp("argo-lint")
    files = {f"golden-{name}": GOLDEN / name for name in GOLDENS}
    for number, (case, (path, kind, project, settings)) in enumerate(VARIANTS.items()):
        ir = with_project(path) if project else load_ir(path)
        chosen = {"namespace": f"variant-{number}", **settings}
        files[case] = emit_to(out, case, ir, options(kind, **chosen))
    readme = out / "readme-example.yaml"
    readme.write_text(readme_manifest(), encoding="utf-8")
    files["readme"] = readme
    return Corpus(files, lint(files.values()))


@pytest.mark.parametrize("name", GOLDENS)
def test_golden_is_valid_for_argo(name: str, emitted: Corpus) -> None:
    assert emitted.problems(f"golden-{name}") == []


@pytest.mark.parametrize("case", sorted(VARIANTS))
def test_emitted_variant_is_valid_for_argo(case: str, emitted: Corpus) -> None:
    assert emitted.problems(case) == []


def test_readme_example_is_valid_for_argo(emitted: Corpus) -> None:
    assert emitted.problems("readme") == []


def test_whole_corpus_passes_in_one_run(emitted: Corpus) -> None:
    assert (emitted.run.returncode, emitted.run.stdout) == (0, "")
    assert len(emitted.files) >= len(GOLDENS) + 2 * len(SHAPES) + 1


# Generated flows: a third plain WorkflowTemplates, a third Workflows with @project, a
# third CronWorkflows (given an @schedule).
_DECORATIONS = (
    ("WorkflowTemplate", ""),
    ("Workflow", "@project(name='generated')\n"),
    ("CronWorkflow", "@schedule(cron='*/15 * * * *', timezone='America/New_York')\n"),
)


def _generated_sources(count: int) -> list[str]:
    """Up to ``count`` distinct flows drawn from the frontend's flow generator, the same on
    every run (derandomized); a fifth more are drawn, as a few repeat."""
    from hypothesis import HealthCheck, Phase, given, settings

    sources: dict[str, None] = {}

    @settings(
        max_examples=count * 6 // 5,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(flow=flowgen.valid_flows())
    def collect(flow: object) -> None:
        if len(sources) < count:
            sources[flow.source()] = None  # type: ignore[attr-defined]

    collect()
    return list(sources)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    out = tmp_path_factory.mktemp("argo-lint-generated")
    files: dict[str, Path] = {}
    for number, source in enumerate(_generated_sources(GENERATED_FLOWS)):
        kind, decoration = _DECORATIONS[number % len(_DECORATIONS)]
        name = f"Generated{number}Flow"
        text = source.replace("class GeneratedFlow", f"{decoration}class {name}")
        text = text.replace("GeneratedFlow()", f"{name}()")
        text = "from flowc import project, schedule\n" + text
        analysis = analyze_source(f"generated_{number}.py", text)
        assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
        files[f"generated-{number}"] = emit_to(
            out, f"generated_{number}", analysis.ir, options(kind)
        )
    return Corpus(files, lint([out]))


def test_generated_flows_are_valid_for_argo(generated: Corpus) -> None:
    assert len(generated.files) >= GENERATED_FLOWS
    problems = {case: generated.problems(case) for case in generated.files}
    assert {case: found for case, found in problems.items() if found} == {}
    assert generated.run.returncode == 0, generated.run.stderr


# The linter can fail: broken manifests are refused with Argo's own messages.


Document = dict[str, Any]


def _emitted_doc(tmp_path: Path, kind: str, shape: str = "linear") -> Document:
    path = emit_to(tmp_path, f"{shape}-{kind}", load_ir(shape_path(shape)), options(kind))
    doc: Document = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.unlink()
    return doc


def _write(path: Path, doc: Document) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _template(doc: Document, name: str) -> Document:
    return next(t for t in doc["spec"]["templates"] if t["name"] == name)


def _task(doc: Document, name: str) -> Document:
    tasks = _template(doc, doc["spec"]["entrypoint"])["dag"]["tasks"]
    return next(t for t in tasks if t["name"] == name)


def _depend_on_missing_task(doc: Document) -> None:
    _task(doc, "b")["depends"] = "nope.Succeeded"


def _use_undeclared_input(doc: Document) -> None:
    args = _template(doc, "start")["container"]["args"]
    args[args.index("{{workflow.name}}")] = "{{inputs.parameters.nope}}"


def _name_template_badly(doc: Document) -> None:
    _template(doc, "main")["name"] = doc["spec"]["entrypoint"] = "Main_Template"


def _call_missing_template(doc: Document) -> None:
    _task(doc, "a")["template"] = "no-such-step"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_depend_on_missing_task, "templates.main sorting failed: invalid dependency nope"),
        (_use_undeclared_input, "failed to resolve {{inputs.parameters.nope}}"),
        (_name_template_badly, "spec.templates[0].name: 'Main_Template' is invalid"),
        (_call_missing_template, "template name 'no-such-step' undefined"),
    ],
    ids=["depends-on-missing-task", "unresolved-input", "bad-template-name", "missing-template"],
)
def test_broken_manifest_is_refused_with_argos_message(
    damage: Callable[[Document], None], message: str, tmp_path: Path
) -> None:
    doc = _emitted_doc(tmp_path, "WorkflowTemplate")
    intact = _write(tmp_path / "intact.yaml", doc)
    assert lint([intact]).returncode == 0
    intact.unlink()
    damage(doc)
    broken = _write(tmp_path / "broken.yaml", doc)
    run = lint([broken])
    assert run.returncode == 1, run.stdout + run.stderr
    [problem] = run.of(broken)
    assert problem.startswith("WorkflowTemplate/linear-flow: ") and message in problem


def test_bad_cron_time_zone_and_schedule_are_refused(tmp_path: Path) -> None:
    doc = _emitted_doc(tmp_path, "CronWorkflow", "decorators")
    doc["spec"]["timezone"] = "Mars/Olympus"
    zone = _write(tmp_path / "zone.yaml", doc)
    del doc["spec"]["timezone"]
    doc["spec"]["schedules"].insert(0, "61 * * * *")
    schedule = _write(tmp_path / "schedule.yaml", doc)
    run = lint([zone, schedule])
    assert run.returncode == 1
    assert ['invalid timezone "Mars/Olympus"' in p for p in run.of(zone)] == [True]
    assert ["cron schedule 61 * * * * is malformed" in p for p in run.of(schedule)] == [True]


def test_unknown_field_is_refused_by_the_strict_parser(tmp_path: Path) -> None:
    doc = _emitted_doc(tmp_path, "Workflow")
    doc["spec"]["entryPoint"] = "main"
    broken = _write(tmp_path / "unknown.yaml", doc)
    run = lint([broken])
    assert run.returncode == 1
    assert ['unknown field "spec.entryPoint"' in p for p in run.of(broken)] == [True]


def test_template_references_resolve_between_the_given_files(tmp_path: Path) -> None:
    template = emit_to(
        tmp_path, "template", load_ir(shape_path("linear")), options("WorkflowTemplate")
    )
    caller = tmp_path / "caller.yaml"
    caller.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: caller\n"
        "spec:\n  workflowTemplateRef:\n    name: linear-flow\n"
        "---\n"
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: one-step\n"
        "spec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n"
        "    - - name: a\n        templateRef:\n          name: linear-flow\n"
        "          template: no-such-template\n",
        encoding="utf-8",
    )
    both = lint([caller, template])
    assert both.returncode == 1
    assert both.of(template) == []
    [problem] = both.of(caller)
    assert problem.startswith("Workflow/one-step: ")
    assert "template reference linear-flow.no-such-template not found" in problem
    alone = lint([caller])
    assert [p.split(":")[0] for p in alone.of(caller)] == ["Workflow/caller", "Workflow/one-step"]
    assert all('WorkflowTemplate "linear-flow" not found' in p for p in alone.of(caller))


def test_usage_and_read_errors_exit_2(tmp_path: Path) -> None:
    assert lint([]).returncode == 2
    assert lint([tmp_path / "missing.yaml"]).returncode == 2
    empty = tmp_path / "nothing.yaml"
    empty.write_text("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n")
    run = lint([empty])
    assert run.returncode == 2 and "no Workflow, WorkflowTemplate or CronWorkflow" in run.stderr
