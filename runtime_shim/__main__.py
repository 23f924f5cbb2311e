"""``python -m runtime_shim step FLOW_FILE --flow CLASS --step NAME ...``.

A hand-written parser, not argparse or click: this runs in every task and argparse alone
costs several milliseconds (it imports shutil, gettext and re). Options take their value
as the next argument or after ``=``. Exit codes: 0 committed, 1 the step failed, 2 a
usage error.
"""

from __future__ import annotations

import sys

USAGE = """usage: python -m runtime_shim step FLOW_FILE --flow CLASS --step NAME --inputs RULE
           --run-id RUN --index-path IDX --attempt N --datastore URL [--iteration K]
           [--param NAME=JSON ...] [--foreach-out FILE] [--foreach-count-out FILE]
           [--switch-out FILE] [--code-package URL] [--origin-run-id RUN]"""

REQUIRED = ("flow", "step", "inputs", "run-id", "datastore")
OPTIONAL = (
    "index-path",
    "attempt",
    "iteration",
    "foreach-out",
    "foreach-count-out",
    "switch-out",
    "code-package",
    "origin-run-id",
)


class UsageError(Exception):
    pass


def parse(argv: list[str]) -> tuple[str, dict[str, str], list[str]]:
    """(flow file, {option: value}, [--param values])."""
    if not argv or argv[0] != "step":
        raise UsageError("the only command is 'step'")
    flow_file: str | None = None
    options: dict[str, str] = {}
    params: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            if flow_file is not None:
                raise UsageError(f"unexpected argument {arg!r}")
            flow_file = arg
            i += 1
            continue
        name, eq, value = arg[2:].partition("=")
        if name not in REQUIRED and name not in OPTIONAL and name != "param":
            raise UsageError(f"unknown option --{name}")
        if not eq:
            if i + 1 >= len(args):
                raise UsageError(f"--{name} needs a value")
            value = args[i + 1]
            i += 1
        i += 1
        if name == "param":
            params.append(value)
        else:
            options[name] = value
    if flow_file is None:
        raise UsageError("FLOW_FILE is required")
    missing = [f"--{n}" for n in REQUIRED if n not in options]
    if missing:
        raise UsageError(f"missing {', '.join(missing)}")
    return flow_file, options, params


def main(argv: list[str] | None = None) -> int:
    import json

    try:
        flow_file, opts, raw_params = parse(sys.argv[1:] if argv is None else argv)
        attempt = int(opts.get("attempt", "0"))
        iteration = int(opts.get("iteration", "0"))
    except (UsageError, ValueError) as exc:
        print(f"{USAGE}\nerror: {exc}", file=sys.stderr)
        return 2
    params = {}
    for item in raw_params:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"--param expects NAME=JSON, got {item!r}", file=sys.stderr)
            return 2
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError as exc:
            print(f"--param {name}: value is not JSON ({exc}): {value!r}", file=sys.stderr)
            return 2
    if opts.get("code-package"):
        import importlib

        code_package = importlib.import_module("runtime_shim.codepackage")
        from runtime_shim.datastore.errors import ObjectStoreError

        try:
            flow_file = code_package.prepare(opts["code-package"], flow_file)
        except (code_package.CodePackageError, ObjectStoreError) as exc:
            # A missing, corrupt or unreadable package is the deployment's problem, and
            # the message names the package and what to check: no traceback.
            print(f"flowc task: cannot use code package: {exc}", file=sys.stderr)
            return 1
    from runtime_shim.task import TaskSpec, run_task

    spec = TaskSpec(
        flow_file=flow_file,
        flow=opts["flow"],
        step=opts["step"],
        inputs=opts["inputs"],
        run_id=opts["run-id"],
        index_path=opts.get("index-path", ""),
        attempt=attempt,
        datastore=opts["datastore"],
        iteration=iteration,
        params=params,
        foreach_out=opts.get("foreach-out"),
        foreach_count_out=opts.get("foreach-count-out"),
        switch_out=opts.get("switch-out"),
        origin_run_id=opts.get("origin-run-id"),
    )
    return run_task(spec)


if __name__ == "__main__":
    sys.exit(main())
