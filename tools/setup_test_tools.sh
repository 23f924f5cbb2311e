#!/usr/bin/env bash
# Test-only tools that do not belong in the project's virtual environment. Each step is
# skipped when already done, so tools/test.sh can call this every time.
#   - .venv-airflow: real Apache Airflow, which loads and runs the generated DAG files
#     (its pins fight the project's, so it has its own venv; tools/airflow_venv.sh).
#   - tools/asl-validator: the npm ASL validator for Step Functions definitions.
#   - tools/argo-lint/bin/argo-lint: Argo Workflows' own validator (Go), for every Argo manifest.
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

# Argo Workflows' own validator (tools/argo-lint, Go): built once, rebuilt when its sources
# change; the Go module cache and build cache are reused between runs.
if ! bash tools/argo-lint.sh --build; then
    echo "setup: building tools/argo-lint failed (needs Go and the Go module proxy)" >&2
    exit 1
fi
