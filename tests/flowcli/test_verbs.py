"""The verbs that read a flow or its runs: dump, logs, show, check, help, and the
offline parts of argo-workflows/step-functions/airflow create (--only-json, the DAG file,
the errors before an engine is reached; deploying: tests/stepfunctions/test_sfn_flowcli.py,
tests/argo/test_argo_flowcli.py)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest
import yaml

from flowc.flowcli._refused import AIRFLOW_REFUSED, REFUSED, Refusal, refuse
from tests.support.flowcli import FlowDir, assert_user_error


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[FlowDir, str]:
    """One successful run shared by the read-only tests."""
    from tests.support.flowcli import make_flowdir

    flowdir = make_flowdir(str(tmp_path_factory.mktemp("verbs")))
    return flowdir, flowdir.run("--alpha", "3")


def test_dump_file_is_metaflows_pickle(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    done = flowdir.python(
        "dump", "--max-value-size", "100000000000", "--private", "--include", "square",
        "--file", "out.pkl", f"{run_id}/work",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open(os.path.join(flowdir.path, "out.pkl"), "rb") as f:
        dumped = pickle.load(f)
    assert dumped == {f"{run_id}/work/work.{i}": {"square": i * i} for i in range(3)}
    # A task is named by its task id or by its datastore key (the index path).
    for ident in ("work.1", "1"):
        one = flowdir.python("--quiet", "dump", "--file", "one.pkl", f"{run_id}/work/{ident}")
        assert one.returncode == 0, one.stderr
        with open(os.path.join(flowdir.path, "one.pkl"), "rb") as f:
            assert list(pickle.load(f)) == [f"{run_id}/work/work.1"]


def test_dump_private_and_include(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished

    def names(*options: str) -> set[str]:
        done = flowdir.python("dump", *options, "--file", "o.pkl", f"{run_id}/start")
        assert done.returncode == 0, done.stderr
        with open(os.path.join(flowdir.path, "o.pkl"), "rb") as f:
            (artifacts,) = pickle.load(f).values()
        return set(artifacts)

    public = names()
    assert {"items", "alpha"} <= public and "_hidden" not in public
    assert "_hidden" in names("--private")
    assert names("--include", "items,alpha") == {"items", "alpha"}


def test_dump_prints_values_without_a_file(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    done = flowdir.python("dump", f"{run_id}/end")
    assert done.returncode == 0 and "result: 15" in done.stdout
    assert "Dumping output of" in done.stderr
    small = flowdir.python("--quiet", "dump", "--max-value-size", "0", f"{run_id}/end")
    assert "result: <artifact too large>" in small.stdout and small.stderr == ""


def test_logs_streams_and_quiet(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    out = flowdir.python("--quiet", "logs", "--stdout", f"{run_id}/start")
    assert out.returncode == 0 and out.stdout == "start says 3\n" and out.stderr == ""
    err = flowdir.python("--quiet", "logs", "--stderr", f"{run_id}/start/start")
    assert err.stdout == "start complains\n"
    both = flowdir.python("logs", f"{run_id}/start")
    assert both.stdout == "start says 3\nstart complains\n"
    assert "Dumping logs of" in both.stderr


def test_user_mistakes_in_pathspecs_are_clear_errors(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    for verb in ("logs", "dump"):
        assert_user_error(flowdir.python(verb, "nope/start"), 1, "no run 'nope'")
        assert_user_error(flowdir.python(verb, f"{run_id}/nostep"), 1, "nostep")
        assert_user_error(flowdir.python(verb, f"{run_id}/work/9"), 1, "no task '9'")
        assert_user_error(flowdir.python(verb, run_id), 1, "RUN_ID/STEP_NAME")


def test_a_missing_attempt_is_an_error_in_both_forms(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    assert flowdir.python("logs", "--attempt", "0", f"{run_id}/start").returncode == 0
    assert_user_error(
        flowdir.python("logs", "--attempt", "5", f"{run_id}/start"), 1, "no attempt 5"
    )
    assert_user_error(
        flowdir.flowc("logs", f"CliFlow/{run_id}/start/start", "--attempt", "5"), 1, "no attempt 5"
    )


def test_flowc_show_of_a_missing_run_is_a_usage_error(finished: tuple[FlowDir, str]) -> None:
    flowdir, run_id = finished
    assert flowdir.flowc("show", f"CliFlow/{run_id}").returncode == 0
    assert_user_error(flowdir.flowc("show", "CliFlow/NO_SUCH_RUN"), 2, "NO_SUCH_RUN")


def test_show_check_and_help(flowdir: FlowDir) -> None:
    show = flowdir.python("show")
    assert show.returncode == 0 and "work [" in show.stdout and "--alpha" in show.stdout
    check = flowdir.python("check")
    assert check.returncode == 0 and "looks good" in check.stderr
    assert flowdir.python().returncode == 0  # no verb: check, as in Metaflow
    helped = flowdir.python("help")
    assert helped.returncode == 0 and "argo-workflows" in helped.stdout
    with open(flowdir.flow, "a", encoding="utf-8") as f:
        f.write("\nclass Broken(CliFlow):\n    pass\n")
    broken = flowdir.python("--no-pylint", "check")
    assert broken.returncode in (0, 1) and "Traceback" not in broken.stderr


def test_help_lists_the_verbs_whose_modules_exist(flowdir: FlowDir) -> None:
    import importlib.util

    done = flowdir.python("--help")
    assert done.returncode == 0
    for option in ("--metadata", "--datastore-root", "--with", "--no-pylint", "--config-value"):
        assert option in done.stdout
    for verb in ("run", "resume", "dump", "logs", "show", "check", "step-functions"):
        assert f"  {verb} " in done.stdout
    for verb in ("tag", "card"):
        installed = importlib.util.find_spec(f"flowc.flowcli.{verb}") is not None
        assert (f"  {verb} " in done.stdout) == installed
    run_help = flowdir.python("run", "--help")
    assert "Parameters of CliFlow" in run_help.stdout and "--alpha INT" in run_help.stdout


def test_flowspec_without_cli_lists_its_steps(flowdir: FlowDir) -> None:
    probe = (
        "import sys; sys.path.insert(0, '.')\n"
        "from cli_flow import CliFlow\n"
        "flow = CliFlow(use_cli=False)\n"
        "print(flow.name, [s.name for s in flow])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=flowdir.path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 1) == ["CliFlow", "['end', 'join', 'start', 'work']\n"]


def test_argo_workflows_create(flowdir: FlowDir) -> None:
    # --only-json prints the WorkflowTemplate and deploys nothing (no Argo Server needed).
    as_json = flowdir.python("argo-workflows", "create", "--only-json")
    assert as_json.returncode == 0, as_json.stderr
    template = json.loads(as_json.stdout)
    assert template["kind"] == "WorkflowTemplate"
    compiled = flowdir.flowc("compile", flowdir.flow, "--target", "argo", "-o", "argo-out")
    assert compiled.returncode == 0, compiled.stderr
    [emitted] = [
        f for f in os.listdir(os.path.join(flowdir.path, "argo-out")) if f.endswith(".yaml")
    ]
    with open(os.path.join(flowdir.path, "argo-out", emitted), encoding="utf-8") as f:
        assert yaml.safe_load(f) == template  # what flowc compile emits
    assert_user_error(
        flowdir.python("--with", "retry", "argo-workflows", "create", "--only-json"), 2, "--with"
    )
    # --branch/--production choose a @project deployment's branch; without @project the
    # template is the same.
    branched = flowdir.python(
        "--branch", "x", "--production", "argo-workflows", "create", "--only-json"
    )
    assert branched.returncode == 0, branched.stderr
    assert json.loads(branched.stdout) == template
    # --max-workers is Metaflow's bound on parallel pods: the template's spec.parallelism.
    bounded = flowdir.python("argo-workflows", "create", "--only-json", "--max-workers", "3")
    assert bounded.returncode == 0, bounded.stderr
    assert json.loads(bounded.stdout)["spec"]["parallelism"] == 3
    assert "parallelism" not in template["spec"]
    # Without --only-json, create deploys (tests/argo/test_argo_flowcli.py); with no Argo
    # Server configured that is a clear error naming the variable, and nothing on stdout.
    env = {k: v for k, v in flowdir.env().items() if not k.startswith("ARGO_")}
    done = subprocess.run(
        [sys.executable, flowdir.flow, "argo-workflows", "create"],
        cwd=flowdir.path, env={**env, "KUBECONFIG": os.devnull},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert_user_error(done, 1, "ARGO_SERVER")
    assert done.stdout == ""


def test_step_functions_create_only_json(flowdir: FlowDir) -> None:
    done = flowdir.python(
        "--datastore", "s3", "--datastore-root", "s3://bucket/prefix",
        "step-functions", "create", "--only-json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    machine = json.loads(done.stdout)
    assert "States" in machine and "s3://bucket/prefix" in done.stdout
    # Step Functions needs a shared datastore: the compiler's diagnostic, exit 1.
    assert_user_error(flowdir.python("step-functions", "create", "--only-json"), 1, "FC305")
    # Without --only-json, create deploys (tests/stepfunctions/test_sfn_flowcli.py): with
    # no AWS region or credentials that is a clear error naming where they come from.
    env = {k: v for k, v in flowdir.env().items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run(
        [sys.executable, flowdir.flow, "--datastore", "s3", "--datastore-root", "s3://b/p",
         "step-functions", "create"],
        cwd=flowdir.path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert_user_error(done, 1, "AWS_REGION")
    assert done.stdout == ""


def test_airflow_create_writes_the_dag_file(flowdir: FlowDir) -> None:
    dag = os.path.join(flowdir.path, "dags", "cli_flow_dag.py")
    os.makedirs(os.path.dirname(dag))
    done = flowdir.python("airflow", "create", dag)
    assert done.returncode == 0, done.stderr
    with open(dag, encoding="utf-8") as f:
        compile(f.read(), dag, "exec")
    assert_user_error(flowdir.python("airflow", "create", "dag.txt"), 2, ".py")


def test_create_options_reach_the_emitted_spec(flowdir: FlowDir) -> None:
    """Metaflow's create options flowc applies are in what --only-json prints; a flag and
    an --option that disagree are refused rather than one of them dropped."""
    argo = flowdir.python(
        "argo-workflows", "create", "--only-json",
        "--workflow-timeout", "600", "--workflow-priority", "-2", "--no-notify-on-error",
    )  # fmt: skip
    assert argo.returncode == 0, argo.stderr
    spec = json.loads(argo.stdout)["spec"]
    assert (spec["activeDeadlineSeconds"], spec["priority"]) == (600, -2)
    sfn = flowdir.python(
        "--datastore", "s3", "--datastore-root", "s3://bucket/prefix",
        "step-functions", "create", "--only-json",
        "--workflow-timeout", "60", "--use-distributed-map", "--max-workers", "4",
        "--namespace", "",
    )  # fmt: skip
    assert sfn.returncode == 0, sfn.stderr
    machine = json.loads(sfn.stdout)
    assert machine["TimeoutSeconds"] == 60
    # --namespace '' (the global namespace) is in every task's environment.
    assert sfn.stdout.count('"Name": "FLOWC_NAMESPACE"') == 4 == sfn.stdout.count('"Value": ""')
    [foreach] = [s for s in machine["States"].values() if s["Type"] == "Map"]
    assert foreach["MaxConcurrency"] == 4
    assert foreach["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    conflict = flowdir.python(
        "argo-workflows", "--option", "parallelism=4", "create", "--only-json", "--max-workers", "3"
    )
    assert_user_error(conflict, 2, "--max-workers", "parallelism=4")
    assert_user_error(
        flowdir.python("argo-workflows", "create", "--only-json", "--workflow-timeout", "0"),
        2, "--workflow-timeout",
    )  # fmt: skip


def test_options_flowc_cannot_apply_are_refused(flowdir: FlowDir) -> None:
    for args, words in (
        (["step-functions", "create", "--only-json", "--authorize", "t"], "no production tokens"),
        (["step-functions", "create", "--only-json", "--aws-batch-tag", "a=b"], "job definition"),
        (["airflow", "create", "dag.py", "--tag", "nightly"], "tag add"),
        (["argo-workflows", "create", "--only-json", "--workflow-title", "T"], "title"),
        (["argo-workflows", "suspend", "argo-1"], "argo suspend argo-1"),
        (["airflow", "create", "dag.py", "--max-workers", "3"], "max_active_tasks_per_dag"),
    ):
        done = flowdir.python(*args)
        assert_user_error(done, 2, words)
        assert done.stdout == ""
    assert not os.path.exists(os.path.join(flowdir.path, "dag.py"))


def _verbs() -> list[tuple[str, object]]:
    from flowc.flowcli.argo_workflows import argo_workflows
    from flowc.flowcli.deploy import airflow
    from flowc.flowcli.step_functions import step_functions

    return [
        (f"{group.name} {name}", command)
        for group in (step_functions, argo_workflows, airflow)
        for name, command in sorted(group.commands.items())
    ]


@pytest.mark.parametrize("refusal", [*REFUSED.values(), *AIRFLOW_REFUSED.values()])
def test_each_refusal_is_a_usage_error_with_its_reason(refusal: Refusal) -> None:
    import click
    from click.testing import CliRunner

    table = AIRFLOW_REFUSED if refusal.flag in AIRFLOW_REFUSED else REFUSED

    @click.command()
    @refuse(refusal.flag, table=table)
    def verb() -> None:
        click.echo("ran")

    given = [refusal.flag] + (["x"] if refusal.takes_value and not refusal.pair else [])
    done = CliRunner().invoke(verb, given)
    assert done.exit_code == 2 and "ran" not in done.output
    assert refusal.reason.format(flag=refusal.flag)[:60] in " ".join(done.output.split())
    assert CliRunner().invoke(verb, []).output == "ran\n"
    if refusal.pair:  # off is what flowc does
        off = "--no-" + refusal.flag[2:]
        assert CliRunner().invoke(verb, [off]).output == "ran\n"


def test_the_docs_say_what_happens_to_every_option() -> None:
    """docs/flow-cli.md has a row for every option of every deploy verb, applied or
    refused (``| `VERB` | `--option` | what happens |``)."""
    import click

    from tests.support.runs import REPO

    rows: dict[str, str] = {}
    for line in (REPO / "docs/flow-cli.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[1].startswith("`--"):
            verb = cells[0].strip("`")
            rows[verb] = rows.get(verb, "") + " " + cells[1]
    missing = []
    for verb, command in _verbs():
        assert isinstance(command, click.Command)
        for param in command.params:
            if isinstance(param, click.Option) and "--help" not in param.opts:
                flags = [f for f in param.opts if f.startswith("--")]
                missing.extend(f"{verb} {f}" for f in flags if f"`{f}" not in rows.get(verb, ""))
    assert missing == []
