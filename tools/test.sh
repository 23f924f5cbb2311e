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

LINTED=(flowc backends runtime_shim tests benchmarks tools _flowc_metaflow.py setup.py)
.venv/bin/ruff check "${LINTED[@]}"
.venv/bin/ruff format --check "${LINTED[@]}"
.venv/bin/mypy
# Every test-only tool was installed above, so a skipped test means a broken set-up: fail it
# (tests/conftest.py). Two workers for the two cores; the Airflow, S3-server and Step
# Functions execution tests included (about 5-6 minutes on 2 cores).
# pytest's own exit codes are kept: 5 (no tests collected) fails the run.
export FLOWC_FORBID_SKIPS=1
exec .venv/bin/python -m pytest -q -n 2 "$@"
