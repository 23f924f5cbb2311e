"""What the flow file's deploy verbs share, and ``airflow create FILE``.

``step-functions ...`` (flowc/flowcli/step_functions.py) and ``argo-workflows ...``
(flowc/flowcli/argo_workflows.py) deploy and operate the flow as Metaflow's verbs do, by
calling ``flowc.deploy._operations`` — the functions ``flowc deploy/trigger/status/...``
and the ``Deployer`` API call — so the three cannot disagree. ``--only-json`` compiles
and prints, touching no engine. ``airflow create FILE`` writes the DAG file to FILE, as
Metaflow does (Metaflow has no Airflow deployer; ``flowc deploy --target airflow`` is
flowc's). Metaflow's options a verb cannot apply are usage errors (``_refused.py``).

``--datastore-root`` becomes the tasks' datastore and ``--branch``/``--production`` the
deployment's ``@project`` branch (as ``flowc deploy --branch/--production``). ``--with``,
which a compiler cannot apply, is a usage error naming the decorator to write instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

import click

from flowc.flowcli._refused import AIRFLOW_REFUSED, refuse
from flowc.flowcli.context import FlowContext, flow_context
from flowc.flowcli.main import FlowCliError

F = TypeVar("F", bound=Callable[..., Any])


def _refuse_unapplied(obj: FlowContext) -> None:
    top = obj.top_options
    if top.get("decospecs"):
        raise click.UsageError(
            "--with is not applied when compiling; write the decorator on the steps instead"
        )


def compile_to(
    obj: FlowContext, target: str, output_dir: str | None, options: Mapping[str, str] | None = None
) -> int:
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
        target_options=dict(options or {}),
        branch=branch_of(obj),
        production=bool(obj.top_options.get("production")),
    )
    try:
        return compile_flows(request)
    except CompileUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    except CompileError as exc:
        raise FlowCliError(str(exc)) from exc


def compiled_text(
    obj: FlowContext, target: str, suffix: str, options: Mapping[str, str] | None = None
) -> str:
    """The single file ``target`` emits for this flow ending in ``suffix``."""
    workdir = tempfile.mkdtemp(prefix="flowc-create-")
    try:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            code = compile_to(obj, target, workdir, options)
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


def echo_raw(text: str) -> None:
    """``text`` on stdout as is (``--only-json``), whatever ``--quiet`` says."""
    click.echo(text, nl=not text.endswith("\n"))


def echo(obj: FlowContext, line: str, bold: bool = False) -> None:
    """A progress line on stderr, as Metaflow's ``obj.echo``: ``*word*`` is bold, and
    ``--quiet`` silences it."""
    if obj.quiet:
        return
    for index, part in enumerate(line.split("*")):
        click.secho(part, err=True, nl=False, bold=bold or index % 2 == 1)
    click.echo("", err=True)


def branch_of(obj: FlowContext) -> str | None:
    return str(obj.top_options.get("branch") or "") or None


def parse_option_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        found[key] = value
    return found


def option_pairs(command: F) -> F:
    """``--option KEY=VALUE``: flowc's target options (those of ``flowc deploy --option``),
    which Metaflow reads from its configuration instead."""
    return click.option(
        "--option",
        "option_pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="A target option (repeatable), as flowc deploy --option (docs/deploy.md).",
    )(command)


def deployment(obj: FlowContext, target: str, options: Mapping[str, str]) -> Any:
    """The ``FlowDeployment`` this flow file's verbs act on."""
    from flowc.deploy._operations import FlowDeployment

    _refuse_unapplied(obj)
    return FlowDeployment(
        flow_file=obj.flow_file,
        target=target,
        flow_name=obj.flow_class,
        branch=branch_of(obj),
        production=bool(obj.top_options.get("production")),
        datastore=obj.datastore_root,
        options=dict(options),
    )


def group_request(
    obj: FlowContext, target: str, meta_key: str, **more: tuple[str, str | None]
) -> Any:
    """The deployment a verb of an engine group acts on: the group's ``--option`` pairs
    (kept in the click context under ``meta_key``) and the target options the verb's own
    flags set (``key=(flag, value)``, value None when the flag is not given). A flag and
    an ``--option`` saying different things is a usage error: neither may be dropped."""
    options = dict(click.get_current_context().meta.get(meta_key, {}))
    for key, (flag, value) in more.items():
        if value is None:
            continue
        if options.get(key, value) != value:
            raise click.UsageError(
                f"{flag} sets option {key}={value}, but --option {key}={options[key]} "
                "was given too; give one of them"
            )
        options[key] = value
    return deployment(obj, target, options)


def flag_text(value: int | None) -> str | None:
    """A verb's number flag as the target option's text (None: not given)."""
    return None if value is None else str(value)


def tags_text(tags: tuple[str, ...]) -> str | None:
    """``--tag`` values as the ``tags`` target option (a JSON list; None: not given)."""
    return json.dumps(sorted(set(tags))) if tags else None


def compile_only(target: str, options: Mapping[str, str]) -> dict[str, str]:
    """``options`` without the keys only the engine's connection reads (``role_arn``,
    ``log_execution_history``): what ``--only-json`` compiles with."""
    from flowc.deploy._registry import target_class

    connection = target_class(target).connection_options
    return {k: v for k, v in options.items() if k not in connection}


@contextlib.contextmanager
def deploy_errors() -> Iterator[None]:
    """A ``DeployError`` (a missing credential, an engine refusing) is a user error:
    its message, exit 1, no traceback (Metaflow's ``MetaflowException``)."""
    from flowc.deploy import DeployError

    try:
        yield
    except DeployError as exc:
        raise FlowCliError(str(exc)) from exc


def deploy_or_fail(request: Any) -> Any:
    """Deploy; a half-applied deploy lists each resource and exits 1."""
    from flowc.deploy._operations import deploy_flow, describe_outcome

    with deploy_errors():
        outcome = deploy_flow(request)
    if not outcome.ok:
        raise FlowCliError("\n".join(describe_outcome(outcome)))
    return outcome


def default_name(request: Any) -> str:
    """The name the flow deploys under by default, read from the flow file alone."""
    from flowc.deploy._operations import flow_parameters

    with deploy_errors():
        return str(flow_parameters(request)[2])


def deployed_name(request: Any) -> str:
    """The engine's name for this flow file's deployment (recorded, else the default)."""
    from flowc.deploy._operations import deployed_name_of, flow_parameters

    with deploy_errors():
        _, _, default = flow_parameters(request)
        return deployed_name_of(request, default)


def trigger_run(ctx: click.Context, request: Any) -> Any:
    """Start a run of the deployed flow with its Parameters from ``ctx.args``
    (``--alpha 0.1``); values are checked before anything starts (exit 2 when wrong)."""
    from flowc.commands.run import load_ir, parse_parameters
    from flowc.deploy import ParameterValueError, check_parameters
    from flowc.deploy._compiled import _parameter_info
    from flowc.deploy._operations import trigger_deployed

    ir = load_ir(request.flow_file, request.flow_name)
    typed = parse_parameters(ir, list(ctx.args), ())
    try:
        rendered = check_parameters([_parameter_info(p) for p in ir.parameters], typed)
    except ParameterValueError as exc:
        raise click.UsageError(str(exc)) from exc
    name = deployed_name(request)
    with deploy_errors():
        return trigger_deployed(
            request.target,
            name,
            rendered,
            datastore=request.datastore,
            options=request.options,
        )


def write_deployer_attributes(path: str | None, name: str, flow_name: str) -> None:
    """The file Metaflow's Deployer reads after ``create`` (``--deployer-attribute-file``)."""
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"name": name, "flow_name": flow_name, "metadata": "local"}, f)


def echo_resources(obj: FlowContext, outcome: Any) -> None:
    """One line per resource a deploy touched and what happened to it."""
    for resource in outcome.resources:
        echo(obj, f"    {resource.kind} {resource.name}: {resource.change.value}")


def write_run_files(ref: Any, run_id_file: str | None, attribute_file: str | None) -> None:
    """``--run-id-file`` and Metaflow's Deployer's ``--deployer-attribute-file``."""
    if run_id_file:
        with open(run_id_file, "w", encoding="utf-8") as f:
            f.write(ref.run_id)
    if attribute_file:
        with open(attribute_file, "w", encoding="utf-8") as f:
            json.dump({"name": ref.deployed_name, "metadata": "local", "pathspec": ref.pathspec}, f)


def find_flow_run(obj: FlowContext, target: str, run_id: str, prefix: str) -> Any:
    """The recorded run ``RUN_ID`` of this flow (as ``trigger`` printed it)."""
    from flowc.deploy._operations import find_run

    if not run_id.startswith(f"{prefix}-"):
        raise FlowCliError(f"Run IDs for flows executed through {target} begin with '{prefix}-'")
    with deploy_errors():
        return find_run(f"{obj.flow_name}/{run_id}", obj.datastore_root)


def delete_deployment(request: Any) -> Any:
    from flowc.deploy._operations import delete_deployed, flow_parameters

    with deploy_errors():
        _, _, default = flow_parameters(request)
        return delete_deployed(
            request.target,
            deployed_name(request),
            datastore=request.datastore,
            options=request.options,
            default_name=default,
        )


TRIGGER_SETTINGS: dict[str, Any] = {"ignore_unknown_options": True, "allow_extra_args": True}


def trigger_options(command: F) -> F:
    """``trigger``'s own options, as Metaflow's; the flow's Parameters come as extra
    arguments (``--alpha 0.1``)."""
    decorated: Any = command
    for decorator in reversed(
        (
            click.option(
                "--run-id-file",
                default=None,
                help="Write the ID of this run to the file specified.",
            ),
            click.option("--deployer-attribute-file", default=None, hidden=True),
            click.pass_context,
        )
    ):
        decorated = decorator(decorated)
    return cast(F, decorated)


@click.group(help="Commands related to Airflow.")
def airflow() -> None:
    pass


@airflow.command("create", help="Write the Airflow DAG file to FILE.")
@click.argument("file", required=True)
@refuse("--authorize", "--generate-new-token", "--new-token", "--tag", "--namespace")
@refuse(
    "--is-paused-upon-creation",
    "--max-workers",
    "--workflow-timeout",
    "--worker-pool",
    table=AIRFLOW_REFUSED,
)
def airflow_create(file: str) -> None:
    obj = flow_context()
    if not file.endswith(".py"):
        raise click.BadParameter("the DAG file name must end in .py", param_hint="FILE")
    text = compiled_text(obj, "airflow", ".py")
    with open(file, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    if not obj.quiet:
        click.echo(f"Airflow DAG of {obj.flow_name} written to {file}", err=True)
