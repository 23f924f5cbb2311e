"""``python -m runtime_shim step FLOW_FILE --flow CLASS --step NAME ...``, and
``python -m runtime_shim exit-hooks ...`` (a flow's ``@exit_hook`` functions for a finished
run; see :mod:`runtime_shim.exit_hooks`).

The command line is read by :func:`runtime_shim.command.parse`, the same contract every
backend renders its task commands with. Exit codes: 0 committed, 1 the step failed, 2 a
usage error.
"""

from __future__ import annotations

import os
import sys

from runtime_shim.command import TaskCommand, UsageError, Value, parse, text, usage

EXIT_HOOKS = "exit-hooks"  # the subcommand of runtime_shim.exit_hooks


def _params(command: TaskCommand) -> dict[str, object]:
    import json

    params: dict[str, object] = {}
    if command.param_document is not None:
        try:
            document = json.loads(text(command.param_document))
        except json.JSONDecodeError as exc:
            raise UsageError(f"--param-document is not JSON ({exc})") from None
        if not isinstance(document, dict):
            raise UsageError("--param-document must be a JSON object")
        params.update(document)
    for name, value in command.params:
        try:
            params[name] = json.loads(text(value))
        except json.JSONDecodeError as exc:
            raise UsageError(f"--param {name}: value is not JSON ({exc}): {value!r}") from None
    return params


def _configs(command: TaskCommand) -> dict[str, object] | None:
    if command.configs is None:
        return None
    import json

    try:
        document = json.loads(text(command.configs))
    except json.JSONDecodeError as exc:
        raise UsageError(f"--configs is not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise UsageError("--configs must be a JSON object")
    return document


def _optional(value: Value | None) -> str | None:
    return None if value is None else text(value)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [EXIT_HOOKS]:
        from runtime_shim.exit_hooks import main as exit_hooks

        return exit_hooks(argv[1:])
    try:
        command = parse(argv)
        attempt = int(text(command.attempt))
        iteration = int(text(command.iteration or "0"))
        params = _params(command)
        configs = _configs(command)
    except (UsageError, ValueError) as exc:
        print(f"{usage()}\nerror: {exc}", file=sys.stderr)
        return 2
    flow_file = text(command.flow_file)
    if command.code_package:
        import importlib

        code_package = importlib.import_module("runtime_shim.codepackage")
        from runtime_shim.datastore.errors import ObjectStoreError

        try:
            flow_file = code_package.prepare(text(command.code_package), flow_file)
        except (code_package.CodePackageError, ObjectStoreError) as exc:
            # A missing, corrupt or unreadable package is the deployment's problem, and
            # the message names the package and what to check: no traceback.
            print(f"flowc task: cannot use code package: {exc}", file=sys.stderr)
            return 1
    if command.environment:
        # The step's locked @pypi environment: found, or built from the lock beside the
        # flow; the same command then runs again in its interpreter (exec, same process).
        from runtime_shim.environment import StepEnvironmentError, enter

        try:
            enter(text(command.environment), flow_file, argv)
        except (StepEnvironmentError, OSError) as exc:
            print(
                f"flowc task: cannot use the environment of step {text(command.step)!r}: {exc}",
                file=sys.stderr,
            )
            return 1
    from runtime_shim.parallel import gang_index_path
    from runtime_shim.task import TaskSpec, run_task

    try:
        # A JobSet's gang pod learns its node index from its environment.
        index_path = gang_index_path(text(command.index_path), os.environ)
    except ValueError as exc:
        print(f"flowc task: {exc}", file=sys.stderr)
        return 2
    spec = TaskSpec(
        flow_file=flow_file,
        flow=text(command.flow),
        step=text(command.step),
        inputs=text(command.inputs),
        run_id=text(command.run_id),
        index_path=index_path,
        attempt=attempt,
        datastore=text(command.datastore),
        iteration=iteration,
        params=params,
        foreach_out=_optional(command.foreach_out),
        foreach_count_out=_optional(command.foreach_count_out),
        switch_out=_optional(command.switch_out),
        origin_run_id=_optional(command.origin_run_id),
        configs=configs,
    )
    return run_task(spec)


if __name__ == "__main__":
    sys.exit(main())
