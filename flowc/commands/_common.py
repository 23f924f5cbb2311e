"""Pieces shared by the commands: analyzing FLOW arguments and printing diagnostics.

This module does not import click at import time. ``flowc check`` on a small flow is
dominated by interpreter start-up and imports, and click alone is a fifth of it, so
:func:`fast_main` (the ``flowc`` console script) runs the common ``flowc check`` and
``flowc compile`` invocations without click and hands everything else (help, unknown
options, other commands) to the click CLI unchanged. The
shared click options (``flow_option``, ``format_option``) are built on first access.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flowc.compiler import Analysis, analyze_file
from flowc.diagnostics import Diagnostic, Severity
from flowc.render import render_json, render_text, summary
from flowc.sources import display_path, expand_flow_paths

FORMATS = ("text", "json")
_F = TypeVar("_F", bound=Callable[..., Any])


def __getattr__(name: str) -> Callable[[_F], _F]:
    """``flow_option`` and ``format_option``: click decorators, made on first use."""
    if name not in ("flow_option", "format_option"):  # e.g. the import system's __path__
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import click

    if name == "flow_option":
        return click.option(
            "--flow",
            "flow_name",
            metavar="CLASS",
            default=None,
            help="The FlowSpec class to use when a file defines several.",
        )
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Diagnostics as human-readable text or JSON (for CI).",
    )


@dataclass
class Batch:
    analyses: list[Analysis]
    missing: list[str]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for a in self.analyses for d in a.diagnostics]


def analyze_arguments(patterns: tuple[str, ...], flow_name: str | None) -> Batch:
    paths, missing = expand_flow_paths(patterns)
    return Batch([analyze_file(display_path(p), flow_name) for p in paths], missing)


def _echo(text: str, err: bool = False) -> None:
    # What click.echo does for text (newline, flush), without importing click.
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def report(batch: Batch, output_format: str, *, quiet_ok: bool = False) -> None:
    """Print every diagnostic (to stderr for text, stdout for JSON)."""
    for problem in batch.missing:
        _echo(f"flowc: {problem}", err=True)
    diagnostics = batch.diagnostics
    if output_format == "json":
        _echo(render_json(diagnostics))
        return
    sources = {a.path: a.source for a in batch.analyses if a.source is not None}
    if diagnostics:
        _echo(render_text(diagnostics, sources, color=sys.stderr.isatty()), err=True)
    if diagnostics or not quiet_ok:
        _echo(summary(diagnostics, len(batch.analyses)), err=True)


def exit_code(batch: Batch) -> int:
    if batch.missing and not batch.analyses:
        return 2
    if batch.missing or any(d.severity is Severity.ERROR for d in batch.diagnostics):
        return 1
    return 0


def run_check(flows: Sequence[str], flow_name: str | None, output_format: str) -> int:
    """``flowc check``: analyze, report, and return the exit code."""
    batch = analyze_arguments(tuple(flows), flow_name)
    report(batch, output_format)
    return exit_code(batch)


def parse_simple_check(args: Sequence[str]) -> tuple[list[str], str | None, str] | None:
    """(flows, --flow, --format) for ``check`` arguments the fast path understands, or None.

    Only plain FLOW arguments and valid ``--flow``/``--format`` options qualify; anything
    else (help, unknown or malformed options, ``--``) returns None so that click parses it
    and reports usage errors exactly as for every other command.
    """
    flows: list[str] = []
    flow_name: str | None = None
    output_format = "text"
    tokens = list(args)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("-") or token == "-":
            flows.append(token)
            i += 1
            continue
        option, has_value, value = token.partition("=")
        if option not in ("--flow", "--format"):
            return None
        if not has_value:
            if i + 1 >= len(tokens):
                return None
            value = tokens[i + 1]
            i += 1
        i += 1
        if option == "--flow":
            flow_name = value
        elif value in FORMATS:
            output_format = value
        else:
            return None
    if not flows:
        return None
    return flows, flow_name, output_format


# `flowc compile` options the fast path understands: option -> (field, takes a value).
_COMPILE_OPTIONS: dict[str, tuple[str, bool]] = {
    "--target": ("target", True),
    "-t": ("target", True),
    "--output": ("output_dir", True),
    "-o": ("output_dir", True),
    "--check": ("check_only", False),
    "--flow": ("flow_name", True),
    "--format": ("output_format", True),
    "--image": ("image", True),
    "--namespace": ("namespace", True),
    "--service-account": ("service_account", True),
    "--datastore": ("datastore_root", True),
    "--python": ("python_exe", True),
    "--code-package": ("code_package", True),
    "--label": ("labels", True),
    "--option": ("target_options", True),
}


def parse_simple_compile(args: Sequence[str]) -> dict[str, Any] | None:
    """The fields of a ``CompileRequest`` for arguments the fast path understands, or None.

    As for ``check``: anything unusual (help, unknown or malformed options, a bad target or
    KEY=VALUE, ``--check`` without ``-o``, ``-o`` naming a file) returns None, and click
    parses the command line and reports the problem exactly as it always does.
    """
    import os

    from backends.base import TARGETS
    from flowc.commands._compile import split_key_value

    fields: dict[str, Any] = {"labels": {}, "target_options": {}}
    flows: list[str] = []
    tokens = list(args)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("-") or token == "-":
            flows.append(token)
            continue
        option, has_value, value = token.partition("=")
        known = _COMPILE_OPTIONS.get(option)
        if known is None or (has_value and not option.startswith("--")):
            return None
        name, takes_value = known
        if not takes_value:
            if has_value:
                return None
            fields[name] = True
            continue
        if not has_value:
            if i >= len(tokens):
                return None
            value = tokens[i]
            i += 1
        if name in ("labels", "target_options"):
            pair = split_key_value(value)
            if pair is None:
                return None
            fields[name][pair[0]] = pair[1]
        else:
            fields[name] = value
    if not flows or fields.get("target") not in (*TARGETS, "ir"):
        return None
    if fields.get("output_format", "text") not in FORMATS:
        return None
    output_dir = fields.get("output_dir")
    if fields.get("check_only") and output_dir is None:
        return None
    if output_dir is not None and (output_dir == "" or os.path.isfile(output_dir)):
        return None
    fields["flows"] = tuple(flows)
    return fields


def _run_compile(fields: dict[str, Any]) -> int:
    from flowc.commands._compile import (
        USAGE,
        CompileError,
        CompileRequest,
        CompileUsageError,
        compile_flows,
    )

    try:
        return compile_flows(CompileRequest(**fields))
    except CompileUsageError as exc:  # printed as click prints a UsageError
        _echo(f"{USAGE}\nError: {exc}", err=True)
        return 2
    except CompileError as exc:  # ... and a ClickException
        _echo(f"Error: {exc}", err=True)
        return 1


def _fast_command(args: list[str]) -> Callable[[], int] | None:
    """The click-free runner for ``args``, if the fast path understands them."""
    if args and args[0] == "check":
        parsed = parse_simple_check(args[1:])
        if parsed is not None:
            return lambda: run_check(*parsed)
    if args and args[0] == "compile":
        fields = parse_simple_compile(args[1:])
        if fields is not None:
            return lambda: _run_compile(fields)
    return None


def fast_main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``flowc check`` and ``flowc compile`` without click when the arguments
    are simple, the click CLI (:func:`flowc.cli.main`) for everything else. Returns the
    exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = _fast_command(args)
    if command is not None:
        try:
            return command()
        except Exception as exc:  # the same contract as flowc.cli.main
            from flowc.errors import report_unexpected

            return report_unexpected(exc)
    from flowc.cli import main

    try:
        main(args)
    except SystemExit as stop:
        code = stop.code
        if code is None or isinstance(code, int):
            return code or 0
        _echo(str(code), err=True)
        return 1
    return 0
