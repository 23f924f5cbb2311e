#!/usr/bin/env bash
# Test-only tools that do not belong in the project's virtual environment. Each step is
# skipped when already done, so tools/test.sh can call this every time.
set -euo pipefail
cd "$(dirname "$0")/.."
