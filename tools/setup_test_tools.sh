#!/usr/bin/env bash
# Test-only tools that do not belong in the project's virtual environment. Each step is
# skipped when already done, so tools/test.sh can call this every time.
#   - .venv-airflow: real Apache Airflow, which loads and runs the generated DAG files
#     (its pins fight the project's, so it has its own venv; tools/airflow_venv.sh).
#   - tools/asl-validator: the npm ASL validator for Step Functions definitions.
#   - byte-compiled packages, so start-up costs measured by tests are the installed costs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! .venv-airflow/bin/python -c "import airflow.providers.cncf.kubernetes" 2>/dev/null; then
    echo "setup: creating .venv-airflow (Apache Airflow, about a minute)"
    sh tools/airflow_venv.sh
fi

if [ ! -x tools/asl-validator/node_modules/.bin/asl-validator ]; then
    echo "setup: installing the npm asl-validator"
    npm ci --prefix tools/asl-validator --no-audit --no-fund --silent
fi

.venv/bin/python -m compileall -q flowc backends runtime_shim >/dev/null
