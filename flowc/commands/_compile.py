"""The work of ``flowc compile``, as a function the click command calls.

Errors are raised as :class:`CompileUsageError` (the command turns it into click's usage
error, exit 2) and :class:`CompileError` (exit 1), so the function can be called and tested
without a command line.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from backends.base import EmitResult, TargetOptions
from flowc.analyzer import ConfigInputs
from flowc.commands._common import analyze_arguments, exit_code, report
from flowc.config import ConfigError, ProjectConfig, load_config
from flowc.diagnostics import Severity
from flowc.environments import environment_diagnostics, locked_addresses
from flowc.includes import Captured, read_includes, store_includes, with_captured


class CompileUsageError(Exception):
    """The command line cannot work as given (click's UsageError: exit 2)."""


class CompileError(Exception):
    """The command cannot finish (click's ClickException: exit 1)."""


@dataclass
class CompileRequest:
    flows: tuple[str, ...]
    target: str
    output_dir: str | None = None
    check_only: bool = False
    flow_name: str | None = None
    output_format: str = "text"
    image: str | None = None
    namespace: str | None = None
    service_account: str | None = None
    datastore_root: str | None = None
    python_exe: str | None = None
    code_package: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    target_options: dict[str, str] = field(default_factory=dict)
    configs: ConfigInputs | None = None
    branch: str | None = None
    production: bool = False


def split_key_value(item: str) -> tuple[str, str] | None:
    """``KEY=VALUE`` (``--label``, ``--option``) as a pair; None when malformed."""
    key, sep, value = item.partition("=")
    return (key, value) if sep and key else None


def _out(text: str, err: bool = False, nl: bool = True) -> None:
    # Not click.echo: it strips escape sequences when stdout is not a terminal, and an
    # emitted file must reach a pipe byte for byte.
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def compile_flows(request: CompileRequest) -> int:
    """Emit, print or check the target files; return the exit code."""
    if request.check_only and request.output_dir is None:
        raise CompileUsageError("--check needs -o DIR to compare against")
    try:
        config = load_config(".")
    except ConfigError as exc:
        raise CompileError(str(exc)) from exc
    options = _options(config, request)
    batch = analyze_arguments(request.flows, request.flow_name, request.configs)
    results: list[EmitResult] = []
    captured: list[tuple[Any, str, list[Captured]]] = []
    backend = _backend(request.target)
    for analysis in batch.analyses:
        if analysis.ir is None:
            continue
        own = _machine_paths(request.target, options, analysis.ir)
        ir = analysis.ir
        if request.target != "ir":
            # A deployed task reads each IncludeFile from the datastore copy made here.
            found, problems = read_includes(ir, analysis.path)
            analysis.diagnostics.extend(problems)
            ir = with_captured(ir, own.datastore_root, found)
            captured.append((ir, own.datastore_root, found))
            # Each step's task command names its locked environment by address.
            own = dataclasses.replace(own, environments=locked_addresses(ir, analysis.path))
        result = backend.emit(ir, own)
        analysis.diagnostics.extend(result.diagnostics)
        # Every target's spec installs the environments from the lock, so a stale lock or
        # an unbuildable @conda stops the compile (and ``--check``) on any target.
        analysis.diagnostics.extend(environment_diagnostics(analysis.ir, analysis.path))
        results.append(result)
    report(batch, request.output_format, quiet_ok=True)
    code = exit_code(batch)
    if code != 0 or any(d.severity is Severity.ERROR for d in batch.diagnostics):
        return code or 1
    files = [f for r in results for f in r.files]
    seen: set[str] = set()
    for emitted in files:
        if emitted.path in seen:
            raise CompileError(
                f"two flows emit the same file {emitted.path}; "
                "give the flow classes different names"
            )
        seen.add(emitted.path)
    if not request.check_only:
        _store_captured(captured)
    output_dir = request.output_dir
    if output_dir is None:
        if len(files) != 1:
            raise CompileUsageError(f"{len(files)} files to emit; choose a directory with -o")
        _out(files[0].content, nl=False)
        return 0
    if request.check_only:
        stale = [f.path for f in files if _read(os.path.join(output_dir, f.path)) != f.content]
        for path in stale:
            _out(f"stale: {os.path.join(output_dir, path)}", err=True)
        if stale:
            _out(
                f"{len(stale)} of {len(files)} file(s) out of date; run the same "
                "command without --check",
                err=True,
            )
            return 1
        _out(f"{len(files)} file(s) up to date", err=True)
        return 0
    for emitted in files:
        path = os.path.join(output_dir, emitted.path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if _read(path) != emitted.content:
            tmp = f"{path}.tmp-{os.getpid()}"
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(emitted.content)
            os.replace(tmp, path)
        _out(path)
    return 0


def _store_captured(captured: list[tuple[Any, str, list[Captured]]]) -> None:
    """Put the IncludeFile copies the emitted files name into their datastore, before the
    files that name them are written."""
    from runtime_shim.datastore.objectstore import ObjectStoreError

    for ir, root, found in captured:
        try:
            store_includes(ir, root, found)
        except (ObjectStoreError, OSError, ValueError) as exc:
            raise CompileError(f"cannot store the IncludeFile contents in {root}: {exc}") from exc


def _machine_paths(target: str, options: TargetOptions, ir: Any) -> TargetOptions:
    """Airflow's local operator runs tasks on this machine but in the worker's working
    directory, so the paths the user gave relative to *this* directory (the flow file, a
    local datastore root) are recorded as absolute paths. Other targets run tasks
    elsewhere, where only the paths the user wrote mean anything."""
    if target != "airflow" or str(options.extra.get("operator")) != "local":
        return options
    extra = dict(options.extra)
    extra.setdefault("flow_file", os.path.abspath(ir.file))
    root = options.datastore_root
    if root and "://" not in root:
        root = os.path.abspath(root)
    return dataclasses.replace(options, extra=extra, datastore_root=root)


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _backend(target: str) -> Any:
    from backends.base import get_backend

    return get_backend(target)


def _options(config: ProjectConfig, request: CompileRequest) -> TargetOptions:
    defaults = TargetOptions()
    extra: dict[str, Any] = dict(config.target(request.target))
    extra.update(request.target_options)
    labels = dict(config.get("labels", {}) or {})
    labels.update(request.labels)

    def pick(value: Any, key: str, default: Any) -> Any:
        return value if value is not None else config.get(key, default)

    return TargetOptions(
        image=pick(request.image, "image", defaults.image),
        namespace=pick(request.namespace, "namespace", defaults.namespace),
        service_account=pick(request.service_account, "service_account", defaults.service_account),
        datastore_root=pick(request.datastore_root, "datastore", defaults.datastore_root),
        labels={str(k): str(v) for k, v in labels.items()},
        code_package=pick(request.code_package, "code_package", defaults.code_package),
        python=pick(request.python_exe, "python", defaults.python),
        branch=request.branch,
        production=request.production,
        extra=extra,
    )
