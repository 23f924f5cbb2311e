"""``python -m runtime_shim exit-hooks``: run a flow's ``@exit_hook`` functions for a run.

One implementation for the local runner and every target (each engine runs this command
once the run's steps are over)::

    python -m runtime_shim exit-hooks FLOW_FILE --flow CLASS --run-id RUN --datastore URL
        --end STEP [--status STATUS] [--on-success NAME]... [--on-error NAME]...
        [--code-package URL]

Which list runs, as in Metaflow: the ``--on-success`` functions when the run succeeded,
else the ``--on-error`` ones. ``--status`` is the engine's verdict (``Succeeded`` or
``succeeded`` mean success, any other word failure: Argo passes ``{{workflow.status}}``);
without it the verdict is the datastore's: the run succeeded when its end step committed,
Metaflow's own test. Each function runs in its own interpreter, so one that exits or
crashes does not stop the others; a function that takes ``run`` (or ``**kwargs``) gets
``run=Run("Flow/RUN")`` from the client. A NAME with a dot is an import path
(``package.module.function``), else a name in the flow file.

As in Metaflow, a failing hook is reported (``[exit_hook] Hook 'NAME' failed ...``) and
never changes the run's outcome: the command exits 0 once every hook has been tried
(2 for a usage error).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

USAGE = (
    "usage: python -m runtime_shim exit-hooks FLOW_FILE --flow CLASS --run-id RUN "
    "--datastore URL --end STEP [--status STATUS] [--on-success NAME]... "
    "[--on-error NAME]... [--code-package URL]"
)
_SINGLE = ("--flow", "--run-id", "--datastore", "--end", "--status", "--code-package")
_REPEATED = ("--on-success", "--on-error")
# The word of every engine (and of the local runner's status.json) for a successful run.
SUCCESS_WORDS = frozenset({"succeeded", "success"})


class HookUsageError(ValueError):
    """A malformed hook command line."""


def parse(argv: Sequence[str]) -> tuple[str, dict[str, str], dict[str, list[str]]]:
    """FLOW_FILE, the single-valued options and the two hook lists of a command line."""
    positional: list[str] = []
    single: dict[str, str] = {}
    lists: dict[str, list[str]] = {flag: [] for flag in _REPEATED}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("--"):
            positional.append(arg)
            continue
        flag, eq, value = arg.partition("=")
        if flag not in _SINGLE and flag not in _REPEATED:
            raise HookUsageError(f"unknown option {flag}")
        if not eq:
            if not args:
                raise HookUsageError(f"{flag} needs a value")
            value = args.pop(0)
        if flag in _REPEATED:
            lists[flag].append(value)
        else:
            single[flag] = value
    if len(positional) != 1:
        raise HookUsageError("give exactly one FLOW_FILE")
    missing = [
        flag for flag in ("--flow", "--run-id", "--datastore", "--end") if flag not in single
    ]
    if missing:
        raise HookUsageError(f"missing {', '.join(missing)}")
    return positional[0], single, lists


def run_succeeded(datastore: str, flow: str, run_id: str, end: str) -> bool:
    """Metaflow's test: the run succeeded when its end step's task committed."""
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    return FlowDatastore(open_object_store(datastore), flow).is_committed(run_id, end, "_")


def chosen_hooks(
    on_success: Sequence[str],
    on_error: Sequence[str],
    status: str | None,
    succeeded: Callable[[], bool],
) -> tuple[bool, list[str]]:
    """Whether the run succeeded and the hooks to run; ``succeeded`` is asked only when
    the engine gave no ``status``."""
    ok = status.strip().lower() in SUCCESS_WORDS if status else succeeded()
    return ok, list(on_success if ok else on_error)


def run_hooks(
    flow_file: str,
    flow: str,
    run_id: str,
    datastore: str,
    names: Sequence[str],
    python: str = sys.executable,
) -> list[str]:
    """Run each named hook in its own interpreter, in order; the names that failed."""
    failed: list[str] = []
    env = {**os.environ, "FLOWC_DATASTORE": datastore}
    for name in names:
        command = [
            python,
            "-m",
            "runtime_shim",
            "exit-hooks",
            "--call",
            flow_file,
            flow,
            name,
            run_id,
        ]
        sys.stdout.flush()
        code = subprocess.call(command, env=env)
        if code != 0:
            print(f"[exit_hook] Hook '{name}' failed with exit status {code}", flush=True)
            failed.append(name)
    return failed


def load_hook(flow_file: str, flow: str, name: str) -> Callable[..., Any]:
    """The function ``name``: an import path when it has a dot, else from the flow file."""
    import importlib

    if "." in name:
        module_name, _, attribute = name.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            pass  # Metaflow falls back to the flow file, so does this
    from runtime_shim.loader import load_flow_class

    module = sys.modules[load_flow_class(flow_file, flow).__module__]
    function = getattr(module, name, None)
    if not callable(function):
        raise LookupError(f"{flow_file} defines no function {name!r}")
    return function  # type: ignore[no-any-return]


def wants_run(function: Callable[..., Any]) -> bool:
    """Whether a hook takes the run: a ``run`` parameter or ``**kwargs`` (as Metaflow)."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "run" or p.kind is p.VAR_KEYWORD for p in parameters)


def call_hook(flow_file: str, flow: str, name: str, run_id: str) -> int:
    """Run one hook in this process (the child of :func:`run_hooks`); its exit code."""
    try:
        function = load_hook(flow_file, flow, name)
    except Exception as exc:  # a broken flow file or a missing name: report, do not crash
        print(f"[exit_hook] Could not load function '{name}' from {flow_file}: {exc}")
        return 1
    kwargs: dict[str, Any] = {}
    if wants_run(function):
        from flowc.client import Run

        try:
            kwargs["run"] = Run(
                f"{flow}/{run_id}", os.environ.get("FLOWC_DATASTORE"), _namespace_check=False
            )
        except Exception as exc:  # as Metaflow: the hook still runs, with run=None
            print(f"[exit_hook] Could not read run {flow}/{run_id}: {exc}")
            kwargs["run"] = None
    try:
        function(**kwargs)
    except Exception as exc:  # the user's code failed: its traceback, without this module's
        import traceback

        frames = traceback.format_exception(
            type(exc), exc, exc.__traceback__.tb_next if exc.__traceback__ else None
        )
        print("".join(frames), end="", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--call"]:
        if len(args) != 5:
            print(f"{USAGE}\nerror: --call FLOW_FILE FLOW NAME RUN_ID", file=sys.stderr)
            return 2
        return call_hook(*args[1:])
    try:
        flow_file, single, lists = parse(args)
    except HookUsageError as exc:
        print(f"{USAGE}\nerror: {exc}", file=sys.stderr)
        return 2
    flow, run_id, datastore = single["--flow"], single["--run-id"], single["--datastore"]
    if "--code-package" in single:
        from runtime_shim import codepackage
        from runtime_shim.datastore.errors import ObjectStoreError

        try:
            flow_file = codepackage.prepare(single["--code-package"], flow_file)
        except (codepackage.CodePackageError, ObjectStoreError) as exc:
            print(f"[exit_hook] cannot use code package: {exc}", file=sys.stderr)
            return 1
    ok, names = chosen_hooks(
        lists["--on-success"],
        lists["--on-error"],
        single.get("--status"),
        lambda: run_succeeded(datastore, flow, run_id, single["--end"]),
    )
    if names:
        outcome = "succeeded" if ok else "failed"
        print(f"[exit_hook] run {flow}/{run_id} {outcome}: running {', '.join(names)}", flush=True)
    run_hooks(flow_file, flow, run_id, datastore, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
