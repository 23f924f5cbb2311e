#!/usr/bin/env sh
# Create the Airflow virtual environment used by tests/airflow (marker "airflow").
#
# Airflow's dependency pins fight the project's, so it lives in its own venv. Only
# Airflow (with its postgres extra: the psycopg2 and asyncpg drivers the deploy tests'
# PostgreSQL metadata database needs) and the cncf-kubernetes provider go in: local-mode
# DAGs run the runtime shim with the project's own interpreter (TargetOptions.python), so
# flowc is not installed here.
#
# Usage: tools/airflow_venv.sh [VENV_DIR]   (default: .venv-airflow next to pyproject.toml)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${1:-"$ROOT/.venv-airflow"}
PYTHON=${PYTHON:-python3}
AIRFLOW_VERSION=${AIRFLOW_VERSION:-3.3.*}

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "apache-airflow[postgres]==$AIRFLOW_VERSION" \
    "apache-airflow-providers-cncf-kubernetes"
"$VENV/bin/python" -c "import airflow, airflow.providers.cncf.kubernetes, psycopg2, asyncpg; print('airflow', airflow.__version__)"
