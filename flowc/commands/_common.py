"""Pieces shared by the commands: the common click options, analyzing FLOW arguments and
printing diagnostics."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from flowc.analyzer import ConfigInputs
from flowc.compiler import Analysis, analyze_file
from flowc.diagnostics import Diagnostic, Severity
from flowc.render import render_json, render_text, summary
from flowc.sources import display_path, expand_flow_paths

FORMATS = ("text", "json")

flow_option = click.option(
    "--flow",
    "flow_name",
    metavar="CLASS",
    default=None,
    help="The FlowSpec class to use when a file defines several.",
)
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Diagnostics as human-readable text or JSON (for CI).",
)


def config_options(command: Any) -> Any:
    """``--config NAME PATH`` and ``--config-value NAME JSON`` (each repeatable), the
    options Metaflow's flow command line has; they replace ``$METAFLOW_FLOW_CONFIG`` and
    ``$METAFLOW_FLOW_CONFIG_VALUE``."""
    command = click.option(
        "--config-value",
        "config_values",
        type=(str, str),
        multiple=True,
        metavar="NAME JSON",
        help="Give config NAME this value (JSON, or text for the config's parser).",
    )(command)
    return click.option(
        "--config",
        "config_paths",
        type=(str, str),
        multiple=True,
        metavar="NAME PATH",
        help="Read config NAME from the file PATH instead of its default.",
    )(command)


def config_inputs(
    paths: tuple[tuple[str, str], ...] = (), values: tuple[tuple[str, str], ...] = ()
) -> ConfigInputs:
    """The configs given on the command line (or in the environment); a malformed
    environment variable is a usage error."""
    try:
        return ConfigInputs.gather(paths, values)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def take_config_options(
    args: list[str], flow_file: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], list[str]]:
    """``--config NAME PATH`` and ``--config-value NAME JSON`` taken out of ``flowc run``'s
    free arguments (which also carry the flow's parameters). A flow parameter named
    ``config`` or ``config-value`` keeps its option, as after Metaflow's ``run``."""
    own = {"--config", "--config-value"} - {f"--{n}" for n in _parameter_names(flow_file)}
    paths: list[tuple[str, str]] = []
    values: list[tuple[str, str]] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        if args[i] in own:
            if i + 2 >= len(args):
                raise click.UsageError(f"{args[i]} needs NAME and a value")
            pair = (args[i + 1], args[i + 2])
            (paths if args[i] == "--config" else values).append(pair)
            i += 3
            continue
        rest.append(args[i])
        i += 1
    return tuple(paths), tuple(values), rest


def _parameter_names(flow_file: str) -> set[str]:
    """The literal names of ``Parameter(...)``/``IncludeFile(...)`` calls in the file."""
    import ast

    try:
        with open(flow_file, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("Parameter", "IncludeFile") and isinstance(first, ast.Constant):
                names.add(str(first.value))
    return names


@dataclass
class Batch:
    analyses: list[Analysis]
    missing: list[str]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for a in self.analyses for d in a.diagnostics]


def analyze_arguments(
    patterns: tuple[str, ...], flow_name: str | None, configs: ConfigInputs | None = None
) -> Batch:
    paths, missing = expand_flow_paths(patterns)
    return Batch([analyze_file(display_path(p), flow_name, configs) for p in paths], missing)


def report(batch: Batch, output_format: str, *, quiet_ok: bool = False) -> None:
    """Print every diagnostic (to stderr for text, stdout for JSON)."""
    for problem in batch.missing:
        click.echo(f"flowc: {problem}", err=True)
    diagnostics = batch.diagnostics
    if output_format == "json":
        click.echo(render_json(diagnostics))
        return
    sources = {a.path: a.source for a in batch.analyses if a.source is not None}
    if diagnostics:
        click.echo(render_text(diagnostics, sources, color=sys.stderr.isatty()), err=True)
    if diagnostics or not quiet_ok:
        click.echo(summary(diagnostics, len(batch.analyses)), err=True)


def exit_code(batch: Batch) -> int:
    if batch.missing and not batch.analyses:
        return 2
    if batch.missing or any(d.severity is Severity.ERROR for d in batch.diagnostics):
        return 1
    return 0


def run_check(flows: Sequence[str], flow_name: str | None, output_format: str) -> int:
    """``flowc check``: analyze, report, and return the exit code."""
    from flowc.environments import environment_diagnostics

    batch = analyze_arguments(tuple(flows), flow_name, config_inputs())
    for analysis in batch.analyses:
        if analysis.ir is not None:
            analysis.diagnostics.extend(environment_diagnostics(analysis.ir, analysis.path))
    report(batch, output_format)
    return exit_code(batch)
