"""``flowc compile``: flows to target files, or a staleness check for CI (``--check``)."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import click

from backends.base import TARGETS, EmitResult, TargetOptions
from flowc.commands._common import analyze_arguments, exit_code, flow_option, format_option, report
from flowc.config import ConfigError, ProjectConfig, load_config
from flowc.diagnostics import Severity


def _key_value(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}")
        out[key] = value
    return out


@click.command("compile")
@click.argument("flows", nargs=-1, required=True, metavar="FLOW...")
@click.option(
    "--target",
    "-t",
    type=click.Choice([*TARGETS, "ir"]),
    required=True,
    help="What to emit: argo (WorkflowTemplate YAML), airflow (DAG file), "
    "stepfunctions (ASL JSON), or ir (the flow IR as JSON).",
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
) -> None:
    """Compile FLOW files to TARGET.

    \b
    Examples:
      flowc compile flows/train.py --target argo -o deploy/
      flowc compile 'flows/*.py' --target airflow -o dags/ --check
      flowc compile flows/train.py --target ir
    """
    if check_only and output_dir is None:
        raise click.UsageError("--check needs -o DIR to compare against")
    try:
        config = load_config(".")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    options = _options(
        config,
        target,
        image=image,
        namespace=namespace,
        service_account=service_account,
        datastore_root=datastore_root,
        python_exe=python_exe,
        code_package=code_package,
        labels=labels,
        target_options=target_options,
    )
    batch = analyze_arguments(flows, flow_name)
    results: list[EmitResult] = []
    for analysis in batch.analyses:
        if analysis.ir is None:
            continue
        result = _backend(target).emit(analysis.ir, _machine_paths(target, options, analysis.ir))
        analysis.diagnostics.extend(result.diagnostics)
        results.append(result)
    report(batch, output_format, quiet_ok=True)
    code = exit_code(batch)
    if code != 0 or any(d.severity is Severity.ERROR for d in batch.diagnostics):
        raise SystemExit(code or 1)
    files = [f for r in results for f in r.files]
    seen: set[str] = set()
    for emitted in files:
        if emitted.path in seen:
            raise click.ClickException(
                f"two flows emit the same file {emitted.path}; "
                "give the flow classes different names"
            )
        seen.add(emitted.path)
    if output_dir is None:
        if len(files) != 1:
            raise click.UsageError(f"{len(files)} files to emit; choose a directory with -o")
        click.echo(files[0].content, nl=False)
        return
    if check_only:
        stale = [f.path for f in files if _read(os.path.join(output_dir, f.path)) != f.content]
        for path in stale:
            click.echo(f"stale: {os.path.join(output_dir, path)}", err=True)
        if stale:
            click.echo(
                f"{len(stale)} of {len(files)} file(s) out of date; run the same "
                "command without --check",
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"{len(files)} file(s) up to date", err=True)
        return
    for emitted in files:
        path = os.path.join(output_dir, emitted.path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if _read(path) != emitted.content:
            tmp = f"{path}.tmp-{os.getpid()}"
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(emitted.content)
            os.replace(tmp, path)
        click.echo(path)


def _machine_paths(target: str, options: TargetOptions, ir: Any) -> TargetOptions:
    """Airflow's local operator runs tasks on this machine but in the worker's working
    directory, so the paths the user gave relative to *this* directory (the flow file, a
    local datastore root) are recorded as absolute paths. Other targets run tasks
    elsewhere, where only the paths the user wrote mean anything."""
    if target != "airflow" or str(options.extra.get("operator")) != "local":
        return options
    extra = dict(options.extra)
    extra.setdefault("flow_file", os.path.abspath(ir.file))
    root = options.datastore_root
    if root and "://" not in root:
        root = os.path.abspath(root)
    return dataclasses.replace(options, extra=extra, datastore_root=root)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _backend(target: str) -> Any:
    if target == "ir":
        from flowc.emit_ir import IrTarget

        return IrTarget()
    from backends.base import get_backend

    return get_backend(target)


def _options(config: ProjectConfig, target: str, **flags: Any) -> TargetOptions:
    defaults = TargetOptions()
    extra: dict[str, Any] = dict(config.target(target))
    extra.update(flags["target_options"])
    labels = dict(config.get("labels", {}) or {})
    labels.update(flags["labels"])

    def pick(flag: str, key: str, default: Any) -> Any:
        value = flags[flag]
        return value if value is not None else config.get(key, default)

    return TargetOptions(
        image=pick("image", "image", defaults.image),
        namespace=pick("namespace", "namespace", defaults.namespace),
        service_account=pick("service_account", "service_account", defaults.service_account),
        datastore_root=pick("datastore_root", "datastore", defaults.datastore_root),
        labels={str(k): str(v) for k, v in labels.items()},
        code_package=pick("code_package", "code_package", defaults.code_package),
        python=pick("python_exe", "python", defaults.python),
        extra=extra,
    )
