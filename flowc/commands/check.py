"""``flowc check``: lint only, every problem of every file in one pass."""

from __future__ import annotations

import click

from flowc.commands._common import flow_option, format_option, run_check


@click.command()
@click.argument("flows", nargs=-1, required=True, metavar="FLOW...")
@flow_option
@format_option
def check(flows: tuple[str, ...], flow_name: str | None, output_format: str) -> None:
    """Check FLOW files (paths, directories or globs) and report every problem.

    Exit code 0 when no file has errors (warnings are allowed), 1 otherwise.
    """
    raise SystemExit(run_check(flows, flow_name, output_format))
