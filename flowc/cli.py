"""The ``flowc`` command line: one click group whose commands load lazily.

Each command lives in its own module under ``flowc.commands``; only the command that runs
is imported, so ``flowc --help`` and ``flowc check`` stay fast.

Exit codes (stable, documented in ``flowc --help``):
  0  success
  1  the flow has errors, a run failed, ``--check`` found stale files, or a deploy failed
  2  usage error (bad option, missing file)
  3  internal error (a bug in flowc; please report it)
"""

from __future__ import annotations

import sys
from typing import Any

import click

from flowc.lazy_group import CommandTable, LazyGroup

# command name -> "module:attribute"; keep sorted by name.
COMMANDS: CommandTable = {
    "card": ("flowc.commands.card:card", "List, get or view the cards of a task."),
    "check": ("flowc.commands.check:check", "Lint flows and report every problem."),
    "compile": (
        "flowc.commands.compile:compile_command",
        "Compile flows to a target (argo, airflow, stepfunctions, ir).",
    ),
    "delete": ("flowc.commands.deploy:delete", "Remove a flow's deployment from its engine."),
    "deploy": (
        "flowc.commands.deploy:deploy",
        "Deploy a flow to an engine (argo, airflow, stepfunctions), or update it.",
    ),
    "event": ("flowc.commands.event:event", "Publish an event that starts deployed flows."),
    "graph": ("flowc.commands.graph:graph", "Print a flow's graph as mermaid or dot."),
    "inspect": ("flowc.commands.runs:inspect_command", "Show the artifacts of a task."),
    "lock": ("flowc.commands.lock:lock", "Resolve a flow's @pypi environments into a lock."),
    "logs": ("flowc.commands.runs:logs", "Print a task's stdout and stderr."),
    "package": ("flowc.commands.package:package", "Build and upload a flow's code package."),
    "resume": ("flowc.commands.run:resume", "Resume a failed local run."),
    "run": ("flowc.commands.run:run", "Run a flow on this machine."),
    "runs": ("flowc.commands.runs:runs", "List the runs of a flow."),
    "show": ("flowc.commands.show:show", "Show a flow's steps, or a run's tasks."),
    "status": ("flowc.commands.deploy:status", "Show the state of a run on its engine."),
    "terminate": ("flowc.commands.deploy:terminate", "Stop a run on its engine."),
    "trigger": ("flowc.commands.deploy:trigger", "Start a run of a deployed flow."),
    "ui": ("flowc.commands.ui:ui", "Serve the read-only run viewer in a web browser."),
}

HELP = """Compile Metaflow-style flows into production workflow specs, run them locally, and
deploy and operate them on their engines.

\b
Exit codes:
  0  success
  1  the flow has errors, a run failed, --check found stale files, or a deploy
     failed (a missing credential, the engine refused)
  2  usage error (bad option, missing file)
  3  internal error in flowc (please report it)
"""


class FlowcGroup(LazyGroup):
    table = COMMANDS


@click.group(cls=FlowcGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowc")
def cli() -> None:
    pass


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point; turns unexpected exceptions into exit code 3."""
    try:
        return cli.main(args=argv, prog_name="flowc", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:
        from flowc.errors import report_unexpected

        sys.exit(report_unexpected(exc))


if __name__ == "__main__":
    main()
