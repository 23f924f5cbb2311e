#!/usr/bin/env bash
# The whole test suite. Installs what the tests need first (idempotent, from scratch on a
# clean machine): the project with its dev extras, then the test-only tools
# (tools/setup_test_tools.sh). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
bash tools/setup_test_tools.sh

.venv/bin/ruff check flowc backends runtime_shim tests benchmarks
.venv/bin/ruff format --check flowc backends runtime_shim
.venv/bin/mypy
# pytest's own exit codes are kept: 5 (no tests collected) fails the run.
exec .venv/bin/python -m pytest -q "$@"
