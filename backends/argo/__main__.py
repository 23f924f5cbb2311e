"""``python -m backends.argo encode NAME=VALUE ...``: submit-time parameter arguments.

Prints ``-p NAME=ENCODED`` for each pair, ready for ``argo submit``. VALUE is read as
JSON when it parses (``3``, ``true``, ``[1, 2]``, ``"text"``) and as a plain string
otherwise; the output is the inert JSON form of
:func:`backends.argo.encode_parameter_value`, shell-quoted.
"""

from __future__ import annotations

import json
import shlex
import sys

from backends.argo._literals import encode_parameter_value


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "encode" or any("=" not in a for a in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    parts = []
    for pair in argv[1:]:
        name, _, text = pair.partition("=")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        parts += ["-p", shlex.quote(f"{name}={encode_parameter_value(value)}")]
    print(" ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
