"""Cached virtual environments for the steps of a local run.

The environments are the ones every target's containers use, found or built by
:mod:`runtime_shim.environment` (one definition of the address, the cache and the atomic
build): an environment lives in ``$FLOWC_ENV_CACHE`` (default
``$XDG_CACHE_HOME/flowc/envs``, else ``~/.cache/flowc/envs``) under the address of its
locked requirements, so re-locking to other versions is a new environment, and a run of any
flow, here or in a container with the same cache, reuses it.

The flowc runtime reaches an environment at task start through ``FLOWC_SHIM_PATH``
(:func:`shim_site`): links to this installation's packages, so an environment is shared by
every flowc installation on the machine without holding a copy of any.
"""

from __future__ import annotations

from collections.abc import Callable

from flowc.environments import Environment
from runtime_shim import environment as shim_environments

READY = shim_environments.READY


class EnvironmentBuildError(Exception):
    """The environment could not be created or filled; the message is the installer's."""


def env_python(path: str) -> str:
    return shim_environments.env_python(path)


def ensure_environment(
    env: Environment,
    requirements: str,
    root: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> str:
    """The interpreter of the environment of ``requirements``, built first if no complete
    copy is found."""
    try:
        path = shim_environments.ensure(env.python, requirements, root=root, progress=progress)
    except shim_environments.StepEnvironmentError as exc:
        raise EnvironmentBuildError(str(exc)) from None
    return env_python(path)


def shim_site() -> str:
    """The directory of links to flowc's runtime that ``FLOWC_SHIM_PATH`` names."""
    return shim_environments.shim_site()
