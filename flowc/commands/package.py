"""``flowc package FLOW``: build the flow's code package, upload it, print its URL.

The URL goes to ``flowc compile --code-package URL`` (or ``code_package`` in
``[tool.flowc]``) so a plain image can run the flow. Include/exclude globs come from
``[tool.flowc.package]`` (``include``, ``exclude``, ``root``) and the flags add to them.
Each ``IncludeFile`` default is stored beside the package, content-addressed, as ``flowc
compile`` stores it (a file that cannot be read is FC214).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click


@click.command("package")
@click.argument("flow_file", metavar="FLOW")
@click.option(
    "--flow",
    "flow_name",
    metavar="CLASS",
    default=None,
    help="The FlowSpec class to use when a file defines several.",
)
@click.option(
    "--datastore",
    metavar="URL",
    default=None,
    help="Where to upload (default: [tool.flowc] datastore, $FLOWC_DATASTORE, ./.flowc).",
)
@click.option(
    "--root",
    metavar="DIR",
    default=None,
    help="Directory to package (default: the flow file's directory).",
)
@click.option(
    "--include",
    "includes",
    multiple=True,
    metavar="GLOB",
    help="Package only files matching a glob (repeatable; default: everything).",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="GLOB",
    help="Leave out files or directories matching a glob (repeatable).",
)
@click.option(
    "-o", "--output", metavar="FILE", default=None, help="Also write the tarball to FILE."
)
def package(
    flow_file: str,
    flow_name: str | None,
    datastore: str | None,
    root: str | None,
    includes: tuple[str, ...],
    excludes: tuple[str, ...],
    output: str | None,
) -> None:
    """Build FLOW's deterministic code package and print its URL.

    The package is a gzipped tarball of the flow's directory, named by its sha256, so
    unchanged code gives the same URL and is uploaded only once."""
    from flowc.commands.run import load_ir
    from flowc.config import ConfigError, load_config
    from flowc.includes import store_includes
    from flowc.packaging import PackagingError, build_package, publish_package
    from runtime_shim.datastore.objectstore import ObjectStoreError

    ir = load_ir(flow_file, flow_name)
    captured = _included_files(ir, flow_file)
    try:
        config = load_config(os.path.dirname(os.path.abspath(flow_file)))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    settings = config.target("package")
    if root is None and isinstance(settings.get("root"), str) and config.path:
        # A configured root is relative to the pyproject.toml that sets it.
        root = os.path.join(os.path.dirname(config.path), settings["root"])
    configured = config.get("datastore")
    if isinstance(configured, str) and config.path and "://" not in configured:
        # Like the root, a configured local datastore is relative to its pyproject.toml.
        configured = os.path.join(os.path.dirname(config.path), configured)
    target = (
        datastore
        or configured
        or os.environ.get("FLOWC_DATASTORE")
        or os.path.join(os.getcwd(), ".flowc")
    )
    try:
        built = build_package(
            flow_file,
            root=root,
            include=[*_strings(settings.get("include")), *includes],
            exclude=[*_strings(settings.get("exclude")), *excludes],
        )
    except PackagingError as exc:
        raise click.UsageError(str(exc)) from None
    if output:
        with open(output, "wb") as handle:
            handle.write(built.data)
    try:
        url = publish_package(built, target, ir.name)
        store_includes(ir, target, captured)
    except (ObjectStoreError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"flowc: packaged {len(built.files)} files ({len(built.data) / 1024:.1f} KiB), "
        f"flow file {built.flow_file}"
        + (f"; stored {len(captured)} IncludeFile default(s)" if captured else ""),
        err=True,
    )
    click.echo(url)


def _included_files(ir: Any, flow_file: str) -> list[Any]:
    """The IncludeFile defaults, stored beside the package as ``flowc compile`` stores them
    (flowc.includes); one that cannot be read stops the packaging with FC214."""
    from flowc.includes import read_includes
    from flowc.render import render_text

    found, problems = read_includes(ir, flow_file)
    if problems:
        with open(flow_file, encoding="utf-8") as handle:
            sources = {problems[0].span.file: handle.read()} if problems[0].span else {}
        click.echo(render_text(problems, sources, color=sys.stderr.isatty()), err=True)
        click.echo(
            "flowc: the flow's data files cannot be captured; nothing was packaged", err=True
        )
        sys.exit(1)
    return found


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise click.UsageError("[tool.flowc.package] include/exclude must be strings or lists")
