"""The run options ``flowc run``/``flowc resume`` share with a flow file's ``run``/``resume``.

``--with``, ``--run-id-file``, ``--max-num-splits``, ``--namespace``, ``@project``'s
``--branch``/``--production`` and the Runner's ``--runner-attribute-file`` are Metaflow's
run options; ``RunSettings`` carries them from
the command line to ``execute``. ``--max-workers`` below 1 is a usage error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

SETTING_NAMES = (
    "decospecs",
    "run_id_file",
    "runner_attribute_file",
    "max_num_splits",
    "user_namespace",
    "branch",
    "production",
    "trigger",
)


@dataclass(frozen=True)
class RunSettings:
    decospecs: tuple[str, ...] = ()
    run_id_file: str | None = None
    runner_attribute_file: str | None = None
    max_num_splits: int | None = None
    user_namespace: str | None = None
    branch: str | None = None
    production: bool = False
    trigger: tuple[str, ...] = ()


def positive_workers(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter(f"must be at least 1, got {value}")
    return value


def run_settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared run options to a click command; it receives ``settings=``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in SETTING_NAMES}
        values["decospecs"] = tuple(values["decospecs"] or ())
        values["trigger"] = tuple(values["trigger"] or ())
        return func(*args, settings=RunSettings(**values), **kwargs)

    options = [
        click.option(
            "--with",
            "decospecs",
            multiple=True,
            metavar="DECORATOR",
            help="Add a step decorator to every step: NAME or NAME:ARG=VALUE,... (repeatable).",
        ),
        click.option("--run-id-file", default=None, help="Write the run's id to this file."),
        click.option(
            "--runner-attribute-file",
            default=None,
            hidden=True,
            help="Write the run's flow, id and metadata as JSON to this file (Runner API).",
        ),
        click.option(
            "--max-num-splits",
            type=int,
            default=None,
            help="Fail a foreach that yields more splits than this (a safety check).",
        ),
        click.option(
            "--namespace",
            "user_namespace",
            default=None,
            help="The client namespace the run's tasks see (empty: the global namespace).",
        ),
        click.option("--branch", default=None, help="The @project branch of the run."),
        click.option(
            "--production", is_flag=True, default=False, help="The @project production branch."
        ),
        click.option(
            "--trigger",
            multiple=True,
            metavar="FLOW/RUN",
            callback=_run_pathspecs,
            help="Run as if these finished runs had triggered it (@trigger_on_finish); "
            "current.trigger names them (repeatable).",
        ),
    ]
    decorated: Callable[..., Any] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _run_pathspecs(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    for pathspec in value:
        if len(pathspec.split("/")) != 2 or not all(pathspec.split("/")):
            raise click.BadParameter(f"{pathspec!r} is not a run pathspec FLOW/RUN")
    return value


def trigger_events(settings: RunSettings, datastore: str) -> list[dict[str, Any]]:
    """The events of ``--trigger``'s runs, as their finish would have published them.

    A run that does not exist or has not succeeded is a usage error (Metaflow refuses
    runs that are not successful yet).
    """
    from flowc.client import Run
    from runtime_shim.events import run_events
    from runtime_shim.exceptions import MetaflowNotFound

    events: list[dict[str, Any]] = []
    for pathspec in settings.trigger:
        try:
            run = Run(pathspec, datastore, _namespace_check=False)
            successful = run.successful
        except MetaflowNotFound as exc:
            raise click.BadParameter(f"{pathspec}: {exc}", param_hint="--trigger") from None
        if not successful:
            raise click.BadParameter(
                f"run {pathspec} has not succeeded; only a finished, successful run can "
                "trigger a flow",
                param_hint="--trigger",
            )
        events.extend(run_events(run))
    return events


def write_run_files(settings: RunSettings, flow_name: str, run_id: str, root: str) -> None:
    """The run id (``--run-id-file``) and the Runner's attribute file, before the run."""
    if settings.run_id_file:
        with open(settings.run_id_file, "w", encoding="utf-8") as f:
            f.write(run_id)
    if settings.runner_attribute_file:
        with open(settings.runner_attribute_file, "w", encoding="utf-8") as f:
            json.dump({"run_id": run_id, "flow_name": flow_name, "metadata": f"local@{root}"}, f)


def task_environment(settings: RunSettings) -> dict[str, str]:
    """Environment every task of the run gets for the settings that act inside tasks."""
    from runtime_shim.identity import NAMESPACE_VARIABLE

    env: dict[str, str] = {}
    if settings.user_namespace is not None:
        env[NAMESPACE_VARIABLE] = settings.user_namespace
    if settings.branch:
        env["METAFLOW_BRANCH"] = settings.branch
    if settings.production:
        env["METAFLOW_PRODUCTION"] = "True"
    if settings.max_num_splits is not None:
        env["FLOWC_MAX_NUM_SPLITS"] = str(settings.max_num_splits)
    return env
