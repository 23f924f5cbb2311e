"""Golden files: one switch regenerates them all.

``FLOWC_REGEN=1 .venv/bin/python -m pytest ...`` rewrites every golden the selected tests
compare against (IR, Argo, Airflow, Step Functions, the README and doc examples, the support
tables); without it a difference fails. A regenerated golden is still validated by the tests
that check it with the engine's own tool or schema.
"""

from __future__ import annotations

import os

VARIABLE = "FLOWC_REGEN"


def regenerating() -> bool:
    return os.environ.get(VARIABLE, "") not in ("", "0")
