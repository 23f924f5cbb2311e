"""A stand-in for ``python -m runtime_shim`` that only records which steps ran.

Lets the harness check an emitted workflow's control flow for shapes the real shim does
not run: the chosen switch case comes from ``FAKE_SWITCH_<step>``, each run appends
``step@index`` to the file named by ``FAKE_LOG``.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("flow_file")
    for option in (
        "--flow",
        "--step",
        "--inputs",
        "--run-id",
        "--index-path",
        "--attempt",
        "--datastore",
        "--iteration",
        "--foreach-count-out",
        "--switch-out",
        "--code-package",
    ):
        parser.add_argument(option)
    parser.add_argument("--param", action="append", default=[])
    args = parser.parse_args(argv)
    with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{args.step}@{args.index_path}\n")
    if args.switch_out:
        with open(args.switch_out, "w", encoding="utf-8") as out:
            out.write(os.environ[f"FAKE_SWITCH_{args.step}"])
    if args.foreach_count_out:
        with open(args.foreach_count_out, "w", encoding="utf-8") as out:
            out.write(os.environ.get(f"FAKE_COUNT_{args.step}", "2"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
