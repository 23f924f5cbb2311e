"""``@project`` at compile time: the deployed flow's name and the branch its tasks see.

A deployment names its branch as ``flowc compile --branch NAME`` / ``--production`` (or
``@project(branch=..., production=...)``) say, in Metaflow's scheme
(``runtime_shim/project.py``): ``prod``, ``prod.NAME``, ``test.NAME``, and without
either ``user.USERNAME``, the user compiling, as Metaflow's ``argo-workflows create``
deploys. The deployed flow name is ``PROJECT.BRANCH.FLOW``; each engine writes it within
its own name rules (:func:`engine_name`), and a name an engine cannot take whole is a
diagnostic (FC304), never a truncation.

Every task receives the branch the same way the local runner passes it
(``METAFLOW_BRANCH``/``METAFLOW_PRODUCTION``, plus ``METAFLOW_OWNER`` for a user
branch), so ``current.project_*`` in a task names the deployment the task runs in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR
from runtime_shim.exceptions import MetaflowException
from runtime_shim.project import format_name, project_environment, username

#: Each engine's rule for the name of the deployed resource, and its length limit.
ENGINE_RULES: dict[str, tuple[re.Pattern[str], int, str]] = {
    # A DNS-1123 label; a CronWorkflow beside it takes the same name, and Argo appends
    # a timestamp to a CronWorkflow's runs, so 52 (see backends/argo/_names.py).
    "argo": (re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), 63, "a DNS-1123 label"),
    "stepfunctions": (re.compile(r"^[A-Za-z0-9_.-]+$"), 80, "a state machine name"),
    "airflow": (re.compile(r"^[A-Za-z0-9_.-]+$"), 250, "an Airflow DAG id"),
}


@dataclass(frozen=True)
class DeployedProject:
    """The project of one deployment, as ``current`` shows it in every task."""

    project_name: str
    branch_name: str
    is_production: bool
    project_flow_name: str
    environment: tuple[tuple[str, str], ...]


def deployed_flow_name(
    flow_name: str,
    project_name: str,
    branch: str | None = None,
    production: bool = False,
    user: str | None = None,
) -> str:
    """``PROJECT.BRANCH.FLOW``, the name Metaflow gives a deployed ``@project`` flow
    (``current.project_flow_name``). ``user`` names the user branch (no ``branch``, not
    production); default: the user running this. Raises ``MetaflowException`` for an
    invalid project or branch name."""
    name, _ = format_name(
        flow_name, project_name, production, branch, user or username() or "", os.environ
    )
    return name


def engine_name(target: str, project_flow_name: str) -> str:
    """The deployed flow name spelt for ``target``: Argo lowercases it and writes ``-``
    for ``.`` and ``_`` (a Kubernetes name); Step Functions and Airflow take it as it is."""
    if target == "argo":
        return re.sub(r"[._]", "-", project_flow_name.lower())
    return project_flow_name


def engine_name_problem(target: str, name: str, limit: int | None = None) -> str | None:
    """Why ``name`` cannot name the deployed flow on ``target`` (None when it can)."""
    pattern, most, what = ENGINE_RULES[target]
    most = limit if limit is not None else most
    if len(name) > most:
        return f"deployed name {name!r} is {len(name)} characters; {what} allows {most}"
    if not pattern.match(name):
        return f"deployed name {name!r} is not {what}"
    return None


def deployed_project(
    ir: FlowIR,
    branch: str | None,
    production: bool,
    environ: Mapping[str, str] = os.environ,
) -> tuple[DeployedProject | None, list[Diagnostic]]:
    """The deployment's project for ``flowc compile --branch/--production``; None (and no
    diagnostic) without ``@project``. A bad name, or a branch given twice, is FC305."""
    dec = ir.decorator("project")
    if dec is None:
        return None, []
    span = dec.location.span()
    project_name = dec.args.get("name")
    if not isinstance(project_name, str) or not project_name:
        return None, [diag(codes.FC305, "@project needs a literal name", span)]
    declared = dec.args.get("branch")
    declared = declared if isinstance(declared, str) and declared else None
    if declared is not None and branch is not None and declared != branch:
        return None, [
            diag(
                codes.FC305,
                f"--branch {branch} and @project(branch={declared!r}) name different branches",
                span,
                "name the branch in one place",
            )
        ]
    chosen = branch if branch is not None else declared
    production = production or bool(dec.args.get("production"))
    user = environ.get("METAFLOW_OWNER") or username(environ)
    if chosen is None and not production and not user:
        return None, [
            diag(
                codes.FC305,
                "no user name for the user branch user.USERNAME of the deployment",
                span,
                "compile with --branch NAME or --production, or set USER",
            )
        ]
    try:
        name, branch_name = format_name(
            ir.name, project_name, production, chosen, user or "", environ
        )
    except MetaflowException as error:
        return None, [diag(codes.FC305, f"@project deployment: {error}", span)]
    env = project_environment(chosen, production)
    if chosen is None and not production:
        env["METAFLOW_OWNER"] = user or ""
    return (
        DeployedProject(
            project_name=project_name,
            branch_name=branch_name,
            is_production=production,
            project_flow_name=name,
            environment=tuple(sorted(env.items())),
        ),
        [],
    )


def deployed_name(
    ir: FlowIR,
    target: str,
    branch: str | None,
    production: bool,
    limit: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[str | None, DeployedProject | None, list[Diagnostic]]:
    """The name of ``ir``'s deployed resource on ``target`` under ``@project`` (None
    without it), with its project and the diagnostics: FC305 for a bad branch, FC304
    for a name ``target`` cannot take (too long, or not of its characters)."""
    project, found = deployed_project(ir, branch, production, environ)
    if project is None:
        return None, None, found
    name = engine_name(target, project.project_flow_name)
    problem = engine_name_problem(target, name, limit)
    if problem is not None:
        dec = ir.decorator("project")
        span = dec.location.span() if dec is not None else None
        hint = "use a shorter project or branch name (flowc does not truncate deployed names)"
        return None, project, [diag(codes.FC304, problem, span, hint)]
    return name, project, []
