"""``MyFlow()`` under ``__main__``: run the flow file's command line for that class.

Exit codes follow flowc's: 0 success, 1 a user error or a failed run, 2 a usage error,
3 a bug in flowc (with its traceback). A flow file's mistakes never end in a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from flowc.flowcli.context import FlowContext


class FlowCliError(click.ClickException):
    """A user error a verb reports: its message, exit 1 (Metaflow's CommandException)."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message


def flow_file_of(cls: type[Any]) -> str:
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None) or sys.argv[0]
    return os.path.abspath(path)


def main(cls: type[Any], args: list[str] | None = None) -> None:
    """Parse ``args`` (default: ``sys.argv[1:]``) for the flow ``cls`` and exit."""
    from flowc.flowcli.start import start

    path = flow_file_of(cls)
    obj = FlowContext(flow_file=path, flow_class=cls.__name__)
    try:
        start.main(
            args=sys.argv[1:] if args is None else args,
            prog_name=os.path.basename(path),
            obj=obj,
            standalone_mode=True,
        )
    except SystemExit:
        raise
    except Exception as exc:
        from flowc.errors import report_unexpected

        sys.exit(report_unexpected(exc))
