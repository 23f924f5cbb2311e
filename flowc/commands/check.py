"""``flowc check``: lint only, every problem of every file in one pass."""

from __future__ import annotations

import click

from flowc.commands._common import flow_option, format_option, run_check


@click.command()
@click.argument("flows", nargs=-1, required=True, metavar="FLOW...")
@flow_option
@format_option
@click.option("--fix", is_flag=True, help="Apply the unambiguous fixes in place, then check again.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
def check(
    flows: tuple[str, ...], flow_name: str | None, output_format: str, fix: bool, diff: bool
) -> None:
    """Check FLOW files (paths, directories or globs) and report every problem.

    With --fix, problems that have exactly one possible fix (a misspelled step in
    self.next, a misspelled decorator argument, a join without `inputs`) are fixed in
    place, comments and formatting kept, and what remains is reported. --diff shows those
    fixes without writing them.

    Exit code 0 when no file has errors (warnings are allowed), 1 otherwise (with --fix:
    after fixing; with --diff: as the files are).
    """
    if fix and diff:
        raise click.UsageError("--fix and --diff cannot be used together")
    if fix or diff:
        from flowc.commands._fixing import run_fix

        raise SystemExit(run_fix(flows, flow_name, output_format, write=fix))
    raise SystemExit(run_check(flows, flow_name, output_format))
