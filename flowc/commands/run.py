"""``flowc run --local FLOW [--NAME VALUE ...]`` and ``flowc resume``.

The flow's Parameters become command-line options (``--alpha 0.1``; JSON for JSONType;
``--flag``/``--no-flag`` or ``--flag true`` for bool). Exit codes: 0 the run succeeded,
1 the flow has errors or the run failed, 2 a usage error (bad or missing parameter).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any

import click

from flowc.analyzer import ConfigInputs
from flowc.commands._common import config_inputs, flow_option, take_config_options
from flowc.commands._run_settings import (
    RunSettings,
    positive_workers,
    run_settings_options,
    write_run_files,
)
from flowc.ir import FlowIR
from flowc.ir import Parameter as IRParameter

CONTEXT = {"ignore_unknown_options": True, "allow_extra_args": True}


def load_ir(flow_file: str, flow_name: str | None, configs: ConfigInputs | None = None) -> FlowIR:
    """Analyze the flow; print diagnostics and exit 1 if it has errors. ``configs``
    default to what the environment gives (``$METAFLOW_FLOW_CONFIG...``)."""
    from flowc.compiler import analyze_file
    from flowc.diagnostics import Severity
    from flowc.render import render_text

    if not os.path.isfile(flow_file):
        raise click.UsageError(f"no such flow file: {flow_file}")
    analysis = analyze_file(flow_file, flow_name, configs or config_inputs())
    shown = [d for d in analysis.diagnostics if d.severity is Severity.ERROR]
    if shown or analysis.ir is None:
        sources = {analysis.path: analysis.source} if analysis.source else {}
        click.echo(render_text(analysis.diagnostics, sources, color=sys.stderr.isatty()), err=True)
        click.echo("flowc: the flow has errors; nothing was run", err=True)
        sys.exit(1)
    from backends.coverage import local_runner_notes

    notes = local_runner_notes(analysis.ir.steps)
    if notes:
        sources = {analysis.path: analysis.source} if analysis.source else {}
        click.echo(render_text(notes, sources, color=sys.stderr.isatty()), err=True)
    return analysis.ir


def convert_parameter(param: IRParameter, raw: str | None) -> Any:
    """A command-line string as the parameter's JSON value; errors name the parameter."""
    from flowc.deploy._params import parse_text

    kind = param.type
    try:
        return parse_text(kind, raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise click.BadParameter(
            f"invalid {kind} value {raw!r}: {exc}", param_hint=f"--{param.name}"
        ) from None


def parse_parameters(ir: FlowIR, args: list[str], pairs: tuple[str, ...]) -> dict[str, Any]:
    """Parse ``--NAME VALUE`` options (and ``--param NAME=VALUE``) against the IR."""
    by_option: dict[str, IRParameter] = {}
    for p in ir.parameters:
        for spelling in {p.name, p.name.replace("_", "-"), p.name.replace("-", "_")}:
            by_option[spelling] = p
    values: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise click.UsageError(f"unexpected argument {arg!r}")
        name, eq, inline = arg[2:].partition("=")
        negated = name.startswith("no-") and name[3:] in by_option and name not in by_option
        param = by_option.get(name[3:] if negated else name)
        if param is None:
            known = ", ".join(f"--{p.name}" for p in ir.parameters) or "none"
            raise click.UsageError(f"no such option --{name} (the flow's parameters: {known})")
        if negated:
            if param.type != "bool":
                raise click.UsageError(f"--no-{param.name}: {param.name} is not a bool parameter")
            values[param.name] = False
            i += 1
            continue
        if eq:
            raw: str | None = inline
            i += 1
        elif param.type == "bool" and (i + 1 >= len(args) or args[i + 1].startswith("--")):
            raw = None
            i += 1
        else:
            if i + 1 >= len(args):
                raise click.BadParameter("a value is required", param_hint=f"--{param.name}")
            raw = args[i + 1]
            i += 2
        values[param.name] = convert_parameter(param, raw)
    for pair in pairs:
        name, eq, raw_value = pair.partition("=")
        param = by_option.get(name)
        if not eq or param is None:
            raise click.UsageError(f"--param expects NAME=VALUE with a flow parameter: {pair!r}")
        values[param.name] = convert_parameter(param, raw_value)
    for p in ir.parameters:
        if p.required and not p.has_default and p.default_source is None and p.name not in values:
            raise click.BadParameter("this parameter is required", param_hint=f"--{p.name}")
    return values


def _failure_text(ds: Any, run_id: str, outcome: Any) -> str:
    from flowc.runner.progress import LOG_TAIL_LINES

    task = outcome.task
    meta = ds.attempt_meta(run_id, task.step, task.key, outcome.attempt) or {}
    lines = [f"--- {task} attempt {outcome.attempt} ---"]
    for stream in ("stdout", "stderr"):
        text = ds.log(run_id, task.step, task.key, outcome.attempt, stream).rstrip()
        if text:
            tail = text.splitlines()[-LOG_TAIL_LINES:]
            lines.append(f"{stream}:")
            lines.extend(f"  {line}" for line in tail)
    if not meta and outcome.output.strip():
        lines.append("output:")
        lines.extend(f"  {line}" for line in outcome.output.rstrip().splitlines()[-LOG_TAIL_LINES:])
    exc = meta.get("exception")
    if exc:
        lines.append(f"exception: {exc.get('type')}: {exc.get('message')}")
    elif outcome.seconds and not meta:
        lines.append(
            "the task process died before recording its attempt "
            "(killed, out of memory, or timed out)"
        )
    return "\n".join(lines)


def _absolute(url: str) -> str:
    """Local roots become absolute so every task finds the same directory."""
    return (
        url
        if "://" in url and not url.startswith("file://")
        else os.path.abspath(url.removeprefix("file://"))
    )


def execute(
    ir: FlowIR,
    flow_file: str,
    datastore: str | None,
    params: dict[str, Any],
    max_workers: int,
    quiet: bool,
    origin: str | None = None,
    clone_steps: set[str] | None = None,
    settings: RunSettings | None = None,
    tags: tuple[str, ...] = (),
) -> int:
    from flowc.commands import _run_settings, _with
    from flowc.runner import LocalRunner, RunOptions, default_datastore, new_run_id
    from flowc.runner.progress import ConsoleReporter
    from runtime_shim.events import event_environment

    settings = settings or RunSettings()
    attached = _with.resolve_decospecs(settings.decospecs)
    ir = _with.attach_decorators(ir, attached)
    root = _absolute(datastore or default_datastore())
    triggered_by = event_environment(_run_settings.trigger_events(settings, root))
    options = RunOptions(
        flow_file=os.path.abspath(flow_file),
        datastore=root,
        params=params,
        max_workers=max_workers,
        run_id=new_run_id(),
        origin_run_id=origin,
        clone_steps=clone_steps or set(),
        env={
            **_with.task_environment(attached),
            **_run_settings.task_environment(settings),
            **triggered_by,
        },
        tags=user_tags(tags),
    )
    assert options.run_id is not None
    options.step_python = step_interpreters(ir, flow_file)
    if options.step_python:
        from flowc.runner.envs import shim_site

        options.shim_path = shim_site()
    write_run_files(settings, ir.name, options.run_id, root)
    runner = LocalRunner(ir, options)
    runner.reporter = ConsoleReporter(
        quiet=quiet, show_log=lambda outcome: _failure_text(runner.ds, runner.run_id, outcome)
    )
    result = runner.run()
    click.echo(result.run_id)
    return 0 if result.ok else 1


def step_interpreters(ir: FlowIR, flow_file: str) -> dict[str, str]:
    """The interpreter of every step with a @pypi environment, building the environments
    from the flow's lock on first use; a missing lock entry or a failed build is reported
    (naming the steps) and exits 1 before any task runs."""
    from flowc import environments as envs

    steps, _ = envs.step_environments(ir)
    problems = envs.environment_diagnostics(ir, flow_file)
    if problems:
        _stop_with(problems, flow_file)
    if not steps:
        return {}
    locked = envs.read_lock(envs.lock_path(flow_file))
    assert locked is not None
    from flowc.runner.envs import EnvironmentBuildError, ensure_environment

    interpreters: dict[str, str] = {}
    for key, items in envs.group(steps).items():
        names = ", ".join(i.step for i in items)
        try:
            python = ensure_environment(
                items[0].environment,
                str(locked[key]["requirements"]),
                progress=functools.partial(_progress, names),
            )
        except EnvironmentBuildError as exc:
            env = items[0].environment
            wanted = ", ".join(env.requirements_in().split()) or "no packages"
            click.echo(
                f"flowc: cannot build the environment of step {names} "
                f"(python {env.python}: {wanted}): {exc}",
                err=True,
            )
            sys.exit(1)
        interpreters.update((i.step, python) for i in items)
    return interpreters


def _progress(steps: str, line: str) -> None:
    click.echo(f"flowc: {line} for step {steps}", err=True)


def _stop_with(problems: list[Any], flow_file: str) -> None:
    from flowc.render import render_text

    try:
        with open(flow_file, encoding="utf-8") as handle:
            sources = {problems[0].span.file: handle.read()} if problems[0].span else {}
    except OSError:
        sources = {}
    click.echo(render_text(problems, sources, color=sys.stderr.isatty()), err=True)
    click.echo("flowc: the flow has errors; nothing was run", err=True)
    sys.exit(1)


def user_tags(tags: tuple[str, ...]) -> list[str]:
    """``--tag`` values, checked by Metaflow's rules (a bad tag is a usage error)."""
    from runtime_shim.exceptions import MetaflowTaggingError
    from runtime_shim.tags import validate_tags

    try:
        validate_tags(tags)
    except MetaflowTaggingError as exc:
        raise click.UsageError(f"--tag: {exc}") from None
    return sorted(set(tags))


TAG_OPTION = click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Add a user tag to the run (repeatable); see `flowc tag`.",
)


class RunCommand(click.Command):
    """``flowc run FLOW --help`` also lists FLOW's parameters as options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["flowc_argv"] = list(args)
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        flow = next((a for a in ctx.meta.get("flowc_argv", []) if a.endswith(".py")), None)
        if flow is None or not os.path.isfile(flow):
            return
        from flowc.compiler import analyze_file

        format_parameters(analyze_file(flow).ir, formatter)


def format_parameters(ir: FlowIR | None, formatter: click.HelpFormatter) -> None:
    """A help section listing the flow's Parameters as the options they are."""
    if ir is None or not ir.parameters:
        return
    rows = []
    for p in ir.parameters:
        default = p.default_source or (repr(p.default) if p.has_default else "required")
        kind = "file" if p.is_include_file else p.type
        rows.append((f"--{p.name} {kind.upper()}", f"{p.help or ''} [default: {default}]"))
    with formatter.section(f"Parameters of {ir.name}"):
        formatter.write_dl(rows)


@click.command(cls=RunCommand, context_settings=CONTEXT)
@click.argument("flow_file", metavar="FLOW")
@click.option("--local", is_flag=True, default=True, help="Run on this machine (the default).")
@flow_option
@click.option(
    "--max-workers",
    type=int,
    default=None,
    callback=positive_workers,
    show_default="2 x CPUs, at least 4",
    help="How many tasks run at once (at least 1).",
)
@click.option(
    "--datastore",
    metavar="URL",
    default=None,
    help="Datastore root (default: $FLOWC_DATASTORE or ./.flowc).",
)
@click.option(
    "--param",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a parameter (same as --NAME VALUE).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress; print the run id and failures.")
@run_settings_options
@TAG_OPTION
@click.pass_context
def run(
    ctx: click.Context,
    flow_file: str,
    local: bool,
    flow_name: str | None,
    max_workers: int | None,
    datastore: str | None,
    pairs: tuple[str, ...],
    quiet: bool,
    settings: RunSettings,
    tags: tuple[str, ...],
) -> None:
    """Run FLOW on this machine; the flow's Parameters are options (--alpha 0.1).

    Configs: --config NAME PATH reads config NAME from a file, --config-value NAME JSON
    gives its value (unless the flow has a parameter of that name, which wins).
    Prints the run id on stdout; exit code 1 if any task failed."""
    paths, values, rest = take_config_options(list(ctx.args), flow_file)
    ir = load_ir(flow_file, flow_name, config_inputs(paths, values))
    params = parse_parameters(ir, rest, pairs)
    sys.exit(
        execute(
            ir, flow_file, datastore, params, max_workers or 0, quiet, settings=settings, tags=tags
        )
    )


@click.command()
@click.argument("flow_file", metavar="FLOW")
@click.argument("run_id", required=False)
@flow_option
@click.option(
    "--step",
    "step_name",
    default=None,
    help="Re-run from this step (default: the step that failed).",
)
@click.option("--max-workers", type=int, default=None, callback=positive_workers)
@click.option("--datastore", metavar="URL", default=None)
@click.option("-q", "--quiet", is_flag=True)
@run_settings_options
@TAG_OPTION
def resume(
    flow_file: str,
    run_id: str | None,
    flow_name: str | None,
    step_name: str | None,
    max_workers: int | None,
    datastore: str | None,
    quiet: bool,
    settings: RunSettings,
    tags: tuple[str, ...],
) -> None:
    """Resume RUN_ID (default: the latest run) of FLOW as a new run.

    Tasks before the resumed step are reused by reference; the step and everything
    after it run again with the current code."""
    from flowc.runner import default_datastore, resume_plan
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    ir = load_ir(flow_file, flow_name)
    root = _absolute(datastore or default_datastore())
    ds = FlowDatastore(open_object_store(root), ir.name)
    runs = ds.list_runs()
    origin = run_id or (runs[-1] if runs else None)
    if origin is None or origin not in runs:
        raise click.UsageError(f"no run {origin or ''} of flow {ir.name} in {root}".strip())
    try:
        clone = resume_plan(ir, ds, origin, step_name)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    if not quiet:
        click.echo(
            f"flowc: resuming {ir.name}/{origin}; reusing steps: "
            f"{', '.join(s.name for s in ir.steps if s.name in clone) or 'none'}",
            err=True,
        )
    sys.exit(
        execute(ir, flow_file, root, {}, max_workers or 0, quiet, origin, clone, settings, tags)
    )
