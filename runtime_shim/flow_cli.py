"""``python flow.py run|resume|show|check ...``: a flow file's own command line.

``MyFlow()`` under ``__main__`` lands here and hands over to the ``flowc`` command line
with the file and class filled in, so ``python flow.py run --alpha 0.1`` is
``flowc run --local flow.py --flow MyFlow --alpha 0.1``. Only this path imports flowc
(the compiler); tasks never do.
"""

from __future__ import annotations

import sys
from typing import Any

USAGE = """usage: python FLOW.py COMMAND [OPTIONS]

commands:
  run [--PARAM VALUE ...]   run the flow on this machine (flowc run --local)
  resume [RUN_ID] [--step STEP]   resume a failed run
  show                      print the flow's steps
  check                     lint the flow
"""


def main(cls: type[Any]) -> None:
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None) or sys.argv[0]
    args = sys.argv[1:]
    while args and args[0] in ("--no-pylint", "--quiet"):
        args = args[1:]
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        sys.exit(0 if args else 2)
    command, rest = args[0], args[1:]
    from flowc.cli import main as flowc_main

    if command == "run":
        flowc_main(["run", "--local", path, "--flow", cls.__name__, *rest])
    elif command in ("resume", "show", "check"):
        flowc_main([command, path, "--flow", cls.__name__, *rest])
    else:
        print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
        sys.exit(2)
