"""``flowc lock FLOW``: resolve the flow's @pypi environments into its lock file.

Environments already in the lock keep their resolution (``--upgrade`` resolves every one
again); environments the flow no longer uses are dropped. ``--check`` resolves nothing and
exits 1 when the lock misses an environment of the flow or holds one it does not use.
``--build DIR`` then builds every locked environment of the flow into DIR, as an image
holds them for its tasks (``FLOWC_ENV_PATH=DIR``: a task finds its environment there and
builds nothing).
Exit codes: 0 ok, 1 the flow has errors, a resolution failed or the lock is stale.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from flowc.commands._common import flow_option


@click.command()
@click.argument("flow_file", metavar="FLOW")
@flow_option
@click.option(
    "-o",
    "--output",
    "output",
    default=None,
    help="Lock file to write (default: FLOW.flowc-lock.json).",
)
@click.option("--check", is_flag=True, help="Only report whether the lock is up to date.")
@click.option("--upgrade", is_flag=True, help="Resolve every environment again.")
@click.option(
    "--build",
    "build_dir",
    default=None,
    metavar="DIR",
    help="Then build every locked environment into DIR (an image's FLOWC_ENV_PATH).",
)
def lock(
    flow_file: str,
    flow_name: str | None,
    output: str | None,
    check: bool,
    upgrade: bool,
    build_dir: str | None,
) -> None:
    """Resolve each distinct @pypi environment of FLOW (with uv) into a lock file."""
    from flowc import environments as envs
    from flowc.commands.run import _stop_with, load_ir

    ir = load_ir(flow_file, flow_name)
    steps, problems = envs.step_environments(ir)
    if problems:
        _stop_with(problems, flow_file)
    path = output or envs.lock_path(flow_file)
    locked = envs.read_lock(path) or {}
    groups = envs.group(steps)
    if check:
        missing = envs.stale(steps, envs.read_lock(path), path)
        unused = sorted(set(locked) - set(groups))
        if missing:
            _stop_with(missing, flow_file)
        if unused:
            click.echo(f"flowc: {path} holds environments the flow no longer uses", err=True)
            sys.exit(1)
        click.echo(f"flowc: {path} is up to date", err=True)
        if build_dir:
            _build(build_dir, [locked[key] for key in groups])
        return
    if not groups and not os.path.exists(path):
        click.echo(f"flowc: {flow_file} has no @pypi environments; nothing to lock", err=True)
        return
    entries: dict[str, Any] = {}
    failures = []
    for key, items in groups.items():
        if key in locked and not upgrade:
            entries[key] = locked[key]
            continue
        env = items[0].environment
        names = ", ".join(i.step for i in items)
        click.echo(f"flowc: resolving the environment of step {names}", err=True)
        try:
            entries[key] = envs.lock_entry(env, envs.resolve(env))
        except envs.ResolveError as exc:
            failures.append(envs.resolve_failure(items, str(exc)))
    if failures:
        _stop_with(failures, flow_file)
    text = envs.render_lock(entries)
    if not os.path.exists(path) or _read(path) != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    click.echo(f"flowc: wrote {path} ({len(entries)} environments)", err=True)
    if build_dir:
        _build(build_dir, list(entries.values()))


def _build(directory: str, entries: list[dict[str, Any]]) -> None:
    """Build each locked environment into ``directory`` (the tasks' builder)."""
    from runtime_shim import environment

    for entry in entries:
        python, requirements = str(entry["python"]), str(entry["requirements"])
        try:
            path = environment.ensure(
                python,
                requirements,
                root=directory,
                progress=lambda line: click.echo(f"flowc: {line}", err=True),
            )
        except environment.StepEnvironmentError as exc:
            click.echo(f"flowc: cannot build environment into {directory}: {exc}", err=True)
            sys.exit(1)
        click.echo(path)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()
