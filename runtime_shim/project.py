"""``@project`` at run time: the project, branch and deployed flow name a task sees.

The branch comes from the decorator's ``branch``/``production`` arguments or from the
run's ``--branch``/``--production`` options, which reach every task as
``METAFLOW_BRANCH``/``METAFLOW_PRODUCTION`` (the variables Metaflow reads for those
options, so a flow that sets them itself behaves as under Metaflow). Naming and
validation follow Metaflow's ``@project`` word for word:

* ``branch`` given: ``prod.BRANCH`` with production, else ``test.BRANCH``;
* no branch: ``prod`` with production, else ``user.USERNAME``
  (``$METAFLOW_OWNER`` in place of the user name when set);
* the deployed flow name is ``PROJECT.BRANCH.FLOW``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Other systems that see these names rely on these limits (as in Metaflow).
INVALID_NAME_CHARACTERS = re.compile("[^a-z0-9_]")
MAX_NAME_LENGTH = 128
BRANCH_VARIABLE = "METAFLOW_BRANCH"
PRODUCTION_VARIABLE = "METAFLOW_PRODUCTION"
_TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})

# Metaflow's order of the variables that name the user; "root" never names one.
_USER_VARIABLES = ("METAFLOW_USER", "SUDO_USER", "USERNAME", "USER")


@dataclass(frozen=True)
class ProjectInfo:
    """What ``@project`` adds to ``current``."""

    project_name: str
    branch_name: str
    is_user_branch: bool
    is_production: bool
    project_flow_name: str

    def current_fields(self) -> dict[str, Any]:
        return {
            "project_name": self.project_name,
            "branch_name": self.branch_name,
            "is_user_branch": self.is_user_branch,
            "is_production": self.is_production,
            "project_flow_name": self.project_flow_name,
        }


def username(environ: Mapping[str, str] = os.environ) -> str | None:
    """The user running the flow, as Metaflow's ``get_username`` finds it."""
    for variable in _USER_VARIABLES:
        user = environ.get(variable)
        if user and user != "root":
            return user
    return None


def option_values(environ: Mapping[str, str] = os.environ) -> tuple[str | None, bool]:
    """The run's ``--branch`` and ``--production``, from the environment."""
    branch = environ.get(BRANCH_VARIABLE) or None
    production = environ.get(PRODUCTION_VARIABLE, "").strip().lower() in _TRUE_WORDS
    return branch, production


def project_environment(branch: str | None, production: bool) -> dict[str, str]:
    """The task environment that carries a run's ``--branch``/``--production``."""
    env = {BRANCH_VARIABLE: branch} if branch else {}
    if production:
        env[PRODUCTION_VARIABLE] = "True"
    return env


def project_info(
    flow_name: str,
    decorator: Mapping[str, Any] | None,
    environ: Mapping[str, str] = os.environ,
) -> ProjectInfo | None:
    """The project of a flow with ``@project`` (``decorator`` its arguments), else None.

    Raises ``MetaflowException`` for an invalid name or branch, or when the decorator
    and the command line name different branches. (Metaflow also rejects
    ``production=False`` written out beside ``--production``; the resolved arguments
    cannot tell a written ``False`` from the default, so that combination means
    production here.)
    """
    if decorator is None:
        return None
    option_branch, option_production = option_values(environ)
    given_branch = decorator.get("branch")
    given_production = bool(decorator.get("production"))
    if given_branch is not None and option_branch is not None and given_branch != option_branch:
        raise _both("branch")
    branch = given_branch if given_branch is not None else option_branch
    production = given_production or option_production
    project_flow_name, branch_name = format_name(
        flow_name,
        decorator.get("name"),
        production,
        branch,
        username(environ) or "",
        environ,
    )
    return ProjectInfo(
        project_name=str(decorator.get("name")),
        branch_name=branch_name,
        is_user_branch=branch is None and not production,
        is_production=production,
        project_flow_name=project_flow_name,
    )


def format_name(
    flow_name: str,
    project_name: str | None,
    production: bool,
    branch: str | None,
    user: str,
    environ: Mapping[str, str] = os.environ,
) -> tuple[str, str]:
    """``(PROJECT.BRANCH.FLOW, BRANCH)``; raises ``MetaflowException`` for a bad name."""
    if not project_name:
        raise MetaflowException("@project needs a name. Try @project(name='some_name')")
    if INVALID_NAME_CHARACTERS.search(project_name):
        raise MetaflowException(
            "The @project name must contain only lowercase alphanumeric characters and underscores."
        )
    if len(project_name) > MAX_NAME_LENGTH:
        raise MetaflowException(
            f"The @project name must be shorter than {MAX_NAME_LENGTH} characters."
        )
    if branch:
        if INVALID_NAME_CHARACTERS.search(branch):
            raise MetaflowException(
                "The branch name must contain only lowercase alphanumeric characters "
                "and underscores."
            )
        if len(branch) > MAX_NAME_LENGTH:
            raise MetaflowException(
                f"Branch name is too long. The maximum is {MAX_NAME_LENGTH} characters."
            )
        branch_name = f"{'prod' if production else 'test'}.{branch}"
    elif production:
        branch_name = "prod"
    else:
        branch_name = f"user.{environ.get('METAFLOW_OWNER', user)}"
    return f"{project_name}.{branch_name}.{flow_name}", branch_name


def _both(option: str) -> MetaflowException:
    return MetaflowException(
        f"You cannot pass {option} as both a command-line argument and an attribute of "
        "the @project decorator."
    )
