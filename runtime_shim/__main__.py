"""``python -m runtime_shim step FLOW_FILE --flow CLASS --step NAME ...``.

argparse, not click: this runs in every task and its import time is part of each task's
cost. Exit codes: 0 committed, 1 the step failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m runtime_shim")
    sub = parser.add_subparsers(dest="command", required=True)
    step = sub.add_parser("step", help="run one task of a flow")
    step.add_argument("flow_file")
    step.add_argument("--flow", required=True)
    step.add_argument("--step", required=True)
    step.add_argument("--inputs", required=True)
    step.add_argument("--run-id", required=True)
    step.add_argument("--index-path", default="")
    step.add_argument("--attempt", type=int, default=0)
    step.add_argument("--datastore", required=True)
    step.add_argument("--iteration", type=int, default=0)
    step.add_argument("--param", action="append", default=[], metavar="NAME=JSON")
    step.add_argument("--foreach-out")
    step.add_argument("--foreach-count-out")
    step.add_argument("--switch-out")
    step.add_argument("--code-package")
    step.add_argument("--origin-run-id")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    params = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"--param expects NAME=JSON, got {item!r}", file=sys.stderr)
            return 2
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError as exc:
            print(f"--param {name}: value is not JSON ({exc}): {value!r}", file=sys.stderr)
            return 2
    if args.code_package:
        from runtime_shim import codepackage as code_package

        args.flow_file = code_package.prepare(args.code_package, args.flow_file)
    from runtime_shim.task import TaskSpec, run_task

    spec = TaskSpec(
        flow_file=args.flow_file, flow=args.flow, step=args.step, inputs=args.inputs,
        run_id=args.run_id, index_path=args.index_path, attempt=args.attempt,
        datastore=args.datastore, iteration=args.iteration, params=params,
        foreach_out=args.foreach_out, foreach_count_out=args.foreach_count_out,
        switch_out=args.switch_out, origin_run_id=args.origin_run_id,
    )
    return run_task(spec)


if __name__ == "__main__":
    sys.exit(main())
