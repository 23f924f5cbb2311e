#!/usr/bin/env bash
# Test-only tools that do not belong in the project's virtual environment. Each step is
# skipped when already done, so tools/test.sh can call this every time.
#   - .venv-airflow: real Apache Airflow, which loads and runs the generated DAG files
#     (its pins fight the project's, so it has its own venv; tools/airflow_venv.sh), with
#     the PostgreSQL drivers of its postgres extra.
#   - Debian's PostgreSQL (/usr/lib/postgresql/*/bin), the metadata database of the real
#     Airflow deployment the deploy tests start (tools/airflow_stack.py).
#   - tools/asl-validator: the npm ASL validator for Step Functions definitions.
#   - tools/argo-lint/bin/argo-lint: Argo Workflows' own validator (Go), for every Argo manifest.
#   - tools/jobset-crd/: the JobSet CRD (its published OpenAPI schema), from the JobSet Go
#     module, for the JobSets flowc emits for @parallel steps.
#   - Debian's Chromium (/usr/bin/chromium), which the viewer's browser tests drive with
#     Playwright (the Python package comes with the dev extras; Playwright's own browser
#     download is never used).
#   - byte-compiled packages, so start-up costs measured by tests are the installed costs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! .venv-airflow/bin/python -c "import airflow.providers.cncf.kubernetes" 2>/dev/null; then
    echo "setup: creating .venv-airflow (Apache Airflow, about a minute)"
    sh tools/airflow_venv.sh
fi
if ! .venv-airflow/bin/python -c "import psycopg2, asyncpg" 2>/dev/null; then
    echo "setup: adding Airflow's postgres extra to .venv-airflow"
    version=$(.venv-airflow/bin/python -c "import airflow; print(airflow.__version__)")
    .venv-airflow/bin/pip install --quiet "apache-airflow[postgres]==$version"
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "setup: installing Debian's postgresql (the deploy tests' Airflow database)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql
fi

if [ ! -x tools/asl-validator/node_modules/.bin/asl-validator ]; then
    echo "setup: installing the npm asl-validator"
    npm ci --prefix tools/asl-validator --no-audit --no-fund --silent
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "setup: installing Debian's chromium (for the viewer's browser tests)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
if ! .venv/bin/python -c "import playwright.sync_api" 2>/dev/null; then
    echo "setup: installing the playwright package (the dev extras name it)"
    .venv/bin/python -m pip install -q "playwright>=1.45"
fi

.venv/bin/python -m compileall -q flowc backends runtime_shim >/dev/null

# Argo Workflows' own validator (tools/argo-lint, Go): built once, rebuilt when its sources
# change; the Go module cache and build cache are reused between runs.
if ! bash tools/argo-lint.sh --build; then
    echo "setup: building tools/argo-lint failed (needs Go and the Go module proxy)" >&2
    exit 1
fi

# The JobSet CRD as the JobSet project publishes it, from its Go module (checked against
# the Go checksum database like any module download); only the CRD file is kept.
JOBSET_VERSION=v0.8.0
crd=tools/jobset-crd/jobset.x-k8s.io_jobsets.yaml
if [ ! -s "$crd" ] || [ "$(cat tools/jobset-crd/VERSION 2>/dev/null)" != "$JOBSET_VERSION" ]; then
    echo "setup: fetching the JobSet CRD (sigs.k8s.io/jobset@$JOBSET_VERSION)"
    GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
    py="$PWD/.venv/bin/python"
    scratch=$(mktemp -d)  # outside any Go module, so the download is only this module
    dir=$(cd "$scratch" && GOFLAGS=-mod=mod "$GO" mod download -json "sigs.k8s.io/jobset@$JOBSET_VERSION" \
        | "$py" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
    rmdir "$scratch"
    mkdir -p tools/jobset-crd
    install -m 644 "$dir/config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml" "$crd.tmp"
    mv -f "$crd.tmp" "$crd"
    echo "$JOBSET_VERSION" > tools/jobset-crd/VERSION
fi

# The Argo Server's published OpenAPI description (api/openapi-spec/swagger.json), from the
# same argo-workflows module version tools/argo-lint builds against; the deploy tests check
# every request flowc's Argo target sends against it (tests/support/argo_server.py).
ARGO_VERSION=$(awk '$1 == "github.com/argoproj/argo-workflows/v4" {print $2}' tools/argo-lint/go.mod)
spec=tools/argo-openapi/swagger.json
if [ ! -s "$spec" ] || [ "$(cat tools/argo-openapi/VERSION 2>/dev/null)" != "$ARGO_VERSION" ]; then
    echo "setup: fetching the Argo Server OpenAPI description (argo-workflows/v4@$ARGO_VERSION)"
    GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
    py="$PWD/.venv/bin/python"
    scratch=$(mktemp -d)
    dir=$(cd "$scratch" && GOFLAGS=-mod=mod "$GO" mod download -json \
        "github.com/argoproj/argo-workflows/v4@$ARGO_VERSION" \
        | "$py" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
    rmdir "$scratch"
    mkdir -p tools/argo-openapi
    install -m 644 "$dir/api/openapi-spec/swagger.json" "$spec.tmp"
    mv -f "$spec.tmp" "$spec"
    echo "$ARGO_VERSION" > tools/argo-openapi/VERSION
fi
