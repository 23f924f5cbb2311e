"""``start``: the top-level group of a flow file's command line (Metaflow's ``metaflow.cli``).

``python flow.py [TOP OPTIONS] VERB [OPTIONS]``. The top-level options and their click
parameter names are Metaflow's (``metadata``, ``datastore``, ``environment``,
``event_logger``, ``pylint``, ``quiet``, ``decospecs``, ...), because tools build a Runner's
keyword arguments from them (``metaflow.runner.click_api.extract_all_params(start)``).
Options that select a Metaflow plugin flowc has no counterpart for (an event logger, a
monitor) are accepted and have no effect; a choice flowc cannot honour is a usage error.

Verbs load lazily, each from its own module: ``python flow.py --help`` imports none.
"""

from __future__ import annotations

import os
from typing import Any

import click

from flowc.flowcli.context import FlowContext
from flowc.lazy_group import CommandTable, LazyGroup, load_command

__all__ = ["start"]

# verb -> ("module:attribute", one-line help); keep sorted. A verb whose module is not
# installed (tag, card) is simply not listed.
VERBS: CommandTable = {
    "airflow": ("flowc.flowcli.deploy:airflow", "Write the flow's Airflow DAG file."),
    "argo-workflows": (
        "flowc.flowcli.argo_workflows:argo_workflows",
        "Deploy and operate the flow on Argo Workflows.",
    ),
    "card": ("flowc.flowcli.card:card", "Commands related to cards."),
    "check": ("flowc.flowcli.inspect_cmds:check", "Check that the flow is valid (default)."),
    "dump": ("flowc.flowcli.dump:dump", "Get the data artifacts of a task or of a step."),
    "help": ("flowc.flowcli.inspect_cmds:help_command", "Show all available commands."),
    "logs": ("flowc.flowcli.logs:logs", "Show the stdout/stderr of a task or of a step."),
    "resume": ("flowc.flowcli.run_cmds:resume", "Resume execution of a previous run."),
    "run": ("flowc.flowcli.run_cmds:run", "Run the flow locally."),
    "show": ("flowc.flowcli.inspect_cmds:show", "Show the structure of the flow."),
    "step-functions": (
        "flowc.flowcli.step_functions:step_functions",
        "Deploy and operate the flow on AWS Step Functions.",
    ),
    "tag": ("flowc.flowcli.tag:tag", "Commands related to tags."),
}

METADATA_TYPES = ("local", "service")
DATASTORE_TYPES = ("local", "s3", "azure", "gs")
# "pypi" changes nothing: flowc always runs a @pypi step in its locked environment.
ENVIRONMENT_TYPES = ("local", "pypi")
EVENT_LOGGERS = ("nullSidecarLogger", "debugLogger")
MONITORS = ("nullSidecarMonitor", "debugMonitor")


class VerbGroup(LazyGroup):
    table = VERBS
    optional = frozenset({"tag", "card"})


def datastore_root_for(datastore: str, datastore_root: str | None) -> str | None:
    """The root URL the verbs use; ``None`` is flowc's default (``$FLOWC_DATASTORE`` or
    ``./.flowc``). A remote datastore needs a root, as in Metaflow."""
    if datastore_root:
        return datastore_root
    configured = os.environ.get(f"METAFLOW_DATASTORE_SYSROOT_{datastore.upper()}")
    if datastore == "local":
        return None
    if not configured:
        raise click.UsageError(
            f"--datastore={datastore} needs a root: pass --datastore-root or set "
            f"METAFLOW_DATASTORE_SYSROOT_{datastore.upper()}"
        )
    return configured


HELP = """Run, inspect and deploy this flow (Metaflow's command line, backed by flowc).

\b
Exit codes: 0 success; 1 the flow has errors, a run failed, or a user error;
2 a usage error (bad option, unknown run or step).
"""


@click.group(
    cls=VerbGroup,
    invoke_without_command=True,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--quiet/--not-quiet",
    default=False,
    show_default=True,
    help="Suppress unnecessary messages.",
    is_eager=True,
)
@click.option(
    "--metadata",
    default="local",
    show_default=True,
    type=click.Choice(METADATA_TYPES),
    help="Metadata service type (flowc records metadata in the datastore: local only).",
)
@click.option(
    "--environment",
    default="local",
    show_default=True,
    type=click.Choice(ENVIRONMENT_TYPES),
    help="Execution environment type.",
)
@click.option(
    "--datastore",
    default="local",
    show_default=True,
    type=click.Choice(DATASTORE_TYPES),
    help="Data backend type.",
    is_eager=True,
)
@click.option("--datastore-root", default=None, help="Root path (URL) of the datastore.")
@click.option(
    "--package-suffixes",
    default=".py,.R,.RDS",
    show_default=True,
    help="A comma-separated list of file suffixes to include in the code package.",
)
@click.option(
    "--with",
    "decospecs",
    multiple=True,
    help="Add a decorator to all steps (NAME or NAME:ARG=VALUE,...); repeatable.",
)
@click.option(
    "--pylint/--no-pylint",
    default=True,
    show_default=True,
    help="Accepted for compatibility; flowc's static checks always run.",
)
@click.option(
    "--event-logger",
    default="nullSidecarLogger",
    show_default=True,
    type=click.Choice(EVENT_LOGGERS),
    help="Type of event logger (accepted; flowc has none).",
)
@click.option(
    "--monitor",
    default="nullSidecarMonitor",
    show_default=True,
    type=click.Choice(MONITORS),
    help="Monitoring backend type (accepted; flowc has none).",
)
@click.option("--branch", default=None, help="@project branch of the deployment.")
@click.option(
    "--production/--no-production",
    default=False,
    show_default=True,
    help="Deploy the production branch of the @project.",
)
@click.option(
    "--config",
    "config",
    nargs=2,
    multiple=True,
    metavar="NAME PATH",
    help="Load the Config NAME from the file PATH (repeatable).",
)
@click.option(
    "--config-value",
    "config_value",
    nargs=2,
    multiple=True,
    metavar="NAME JSON",
    help="Set the Config NAME to the JSON value (repeatable).",
)
@click.pass_context
def start(ctx: click.Context, /, **options: Any) -> None:
    obj = ctx.find_object(FlowContext)
    if obj is None:
        raise click.UsageError("this command line belongs to a flow file: python FLOW.py ...")
    if options["metadata"] != "local":
        raise click.UsageError(
            f"--metadata={options['metadata']}: flowc keeps run metadata in the datastore; "
            "use --metadata=local"
        )
    obj.quiet = bool(options["quiet"])
    obj.datastore_root = datastore_root_for(options["datastore"], options["datastore_root"])
    obj.top_options = dict(options)
    if ctx.invoked_subcommand is None:
        check = load_command(VERBS, "check")
        assert check is not None
        ctx.invoke(check)
