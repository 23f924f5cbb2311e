"""``argo-workflows create``, ``step-functions create`` and ``airflow create FILE``.

Metaflow deploys to the engine from these verbs; flowc compiles (``flowc compile``) and
leaves applying the spec to the engine's own tools, so a CI script keeps its command:

- ``argo-workflows create`` prints the WorkflowTemplate YAML (``--only-json``: as JSON);
  pipe it to ``kubectl apply -f -``.
- ``step-functions create`` prints the state machine definition JSON (with or without
  ``--only-json``, which Metaflow uses to print instead of deploying).
- ``airflow create FILE`` writes the DAG file to FILE, as Metaflow does.

``--datastore-root`` becomes the tasks' datastore and ``--branch``/``--production`` the
deployment's ``@project`` branch (as ``flowc compile --branch/--production``). ``--with``,
which a compiler cannot apply, is a usage error naming the decorator to write instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any

import click

from flowc.flowcli.context import FlowContext, flow_context
from flowc.flowcli.main import FlowCliError


def _refuse_unapplied(obj: FlowContext) -> None:
    top = obj.top_options
    if top.get("decospecs"):
        raise click.UsageError(
            "--with is not applied when compiling; write the decorator on the steps instead"
        )


def compile_to(obj: FlowContext, target: str, output_dir: str | None) -> int:
    """``flowc compile`` of this flow file; returns its exit code."""
    from flowc.commands._compile import (
        CompileError,
        CompileRequest,
        CompileUsageError,
        compile_flows,
    )

    _refuse_unapplied(obj)
    request = CompileRequest(
        flows=(obj.flow_file,),
        target=target,
        output_dir=output_dir,
        flow_name=obj.flow_class,
        datastore_root=obj.datastore_root,
        branch=str(obj.top_options.get("branch") or "") or None,
        production=bool(obj.top_options.get("production")),
    )
    try:
        return compile_flows(request)
    except CompileUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    except CompileError as exc:
        raise FlowCliError(str(exc)) from exc


def compiled_text(obj: FlowContext, target: str, suffix: str) -> str:
    """The single file ``target`` emits for this flow ending in ``suffix``."""
    workdir = tempfile.mkdtemp(prefix="flowc-create-")
    try:
        with open(os.devnull, "w") as quiet:
            import contextlib

            with contextlib.redirect_stdout(quiet):
                code = compile_to(obj, target, workdir)
        if code:
            raise SystemExit(code)
        found = sorted(
            os.path.join(d, f)
            for d, _, files in os.walk(workdir)
            for f in files
            if f.endswith(suffix)
        )
        if len(found) != 1:
            raise FlowCliError(
                f"expected one {suffix} file from the {target} compiler, got {len(found)}"
            )
        with open(found[0], encoding="utf-8") as f:
            return f.read()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _echo_raw(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))


@click.group("argo-workflows", help="Compile the flow to an Argo Workflows WorkflowTemplate.")
@click.option("--name", default=None, hidden=True, help="Accepted for compatibility.")
def argo_workflows(name: str | None) -> None:
    pass


@argo_workflows.command(help="Print the WorkflowTemplate (apply it with kubectl apply -f -).")
@click.option("--only-json", is_flag=True, default=False, help="Print the template as JSON.")
@click.option("--tag", "tags", multiple=True, help="Accepted for compatibility.")
@click.option("--max-workers", default=100, show_default=True, help="Accepted for compatibility.")
def create(only_json: bool, tags: tuple[str, ...], max_workers: int) -> None:
    obj = flow_context()
    text = compiled_text(obj, "argo", ".yaml")
    if only_json:
        import yaml

        documents: list[Any] = [d for d in yaml.safe_load_all(text) if d is not None]
        body = documents[0] if len(documents) == 1 else documents
        text = json.dumps(body, indent=2) + "\n"
    _echo_raw(text)


@click.group("step-functions", help="Compile the flow to an AWS Step Functions state machine.")
@click.option("--name", default=None, hidden=True, help="Accepted for compatibility.")
def step_functions(name: str | None) -> None:
    pass


@step_functions.command("create", help="Print the state machine definition (JSON).")
@click.option("--only-json", is_flag=True, default=False, help="Print the JSON (the default).")
@click.option("--tag", "tags", multiple=True, help="Accepted for compatibility.")
@click.option("--max-workers", default=100, show_default=True, help="Accepted for compatibility.")
def sfn_create(only_json: bool, tags: tuple[str, ...], max_workers: int) -> None:
    obj = flow_context()
    _echo_raw(compiled_text(obj, "stepfunctions", ".json"))


@click.group(help="Compile the flow to an Airflow DAG file.")
def airflow() -> None:
    pass


@airflow.command("create", help="Write the Airflow DAG file to FILE.")
@click.argument("file", required=True)
@click.option("--tag", "tags", multiple=True, help="Accepted for compatibility.")
@click.option("--max-workers", default=100, show_default=True, help="Accepted for compatibility.")
def airflow_create(file: str, tags: tuple[str, ...], max_workers: int) -> None:
    obj = flow_context()
    if not file.endswith(".py"):
        raise click.BadParameter("the DAG file name must end in .py", param_hint="FILE")
    text = compiled_text(obj, "airflow", ".py")
    with open(file, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    if not obj.quiet:
        click.echo(f"Airflow DAG of {obj.flow_name} written to {file}", err=True)
