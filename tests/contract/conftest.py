"""The contract tests import their helpers, and the frontend's marker reader, by name."""

import sys
from pathlib import Path

TESTS = Path(__file__).parents[1]
sys.path.insert(0, str(TESTS / "contract"))
sys.path.insert(0, str(TESTS / "frontend"))
