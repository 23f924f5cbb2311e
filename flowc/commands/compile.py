"""``flowc compile``: flows to target files, or a staleness check for CI (``--check``)."""

from __future__ import annotations

import click

from backends.base import TARGET_NAMES, target_help
from flowc.commands._common import config_inputs, config_options, flow_option, format_option
from flowc.commands._compile import (
    CompileError,
    CompileRequest,
    CompileUsageError,
    compile_flows,
    split_key_value,
)


def _key_value(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        pair = split_key_value(item)
        if pair is None:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}")
        out[pair[0]] = pair[1]
    return out


@click.command("compile")
@click.argument("flows", nargs=-1, required=True, metavar="FLOW...")
@click.option(
    "--target",
    "-t",
    type=click.Choice(TARGET_NAMES),
    required=True,
    help=target_help(),
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory to write into. Without it, a single file is printed to stdout.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if the files in -o DIR differ from what would be emitted (for CI).",
)
@flow_option
@config_options
@format_option
@click.option("--image", default=None, help="Container image that runs the steps.")
@click.option("--namespace", default=None, help="Kubernetes namespace.")
@click.option("--service-account", default=None, help="Kubernetes service account.")
@click.option(
    "--datastore",
    "datastore_root",
    default=None,
    help="Datastore root the tasks use (e.g. s3://bucket/prefix).",
)
@click.option(
    "--python", "python_exe", default=None, help="Python executable inside the task environment."
)
@click.option("--code-package", default=None, help="URL of a code package made by flowc package.")
@click.option(
    "--label",
    "labels",
    multiple=True,
    callback=_key_value,
    metavar="KEY=VALUE",
    help="Label added to emitted resources (repeatable).",
)
@click.option(
    "--option",
    "target_options",
    multiple=True,
    callback=_key_value,
    metavar="KEY=VALUE",
    help="Target-specific option, e.g. kind=Workflow (argo), operator=local "
    "(airflow), compute=callback (stepfunctions). Repeatable.",
)
@click.option(
    "--branch",
    default=None,
    help="@project branch of the deployment (test.BRANCH; default: user.USERNAME).",
)
@click.option(
    "--production", is_flag=True, default=False, help="Deploy the @project production branch."
)
def compile_command(
    flows: tuple[str, ...],
    target: str,
    output_dir: str | None,
    check_only: bool,
    flow_name: str | None,
    output_format: str,
    image: str | None,
    namespace: str | None,
    service_account: str | None,
    datastore_root: str | None,
    python_exe: str | None,
    code_package: str | None,
    labels: dict[str, str],
    target_options: dict[str, str],
    config_paths: tuple[tuple[str, str], ...],
    config_values: tuple[tuple[str, str], ...],
    branch: str | None,
    production: bool,
) -> None:
    """Compile FLOW files to TARGET.

    \b
    Examples:
      flowc compile flows/train.py --target argo -o deploy/
      flowc compile 'flows/*.py' --target airflow -o dags/ --check
      flowc compile flows/train.py --target ir
    """
    try:
        code = compile_flows(
            CompileRequest(
                flows=flows,
                target=target,
                output_dir=output_dir,
                check_only=check_only,
                flow_name=flow_name,
                output_format=output_format,
                image=image,
                namespace=namespace,
                service_account=service_account,
                datastore_root=datastore_root,
                python_exe=python_exe,
                code_package=code_package,
                labels=labels,
                target_options=target_options,
                configs=config_inputs(config_paths, config_values),
                branch=branch,
                production=production,
            )
        )
    except CompileUsageError as exc:
        raise click.UsageError(str(exc)) from exc
    except CompileError as exc:
        raise click.ClickException(str(exc)) from exc
    if code:
        raise SystemExit(code)
