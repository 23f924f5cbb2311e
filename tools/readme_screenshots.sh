#!/usr/bin/env bash
# The README's pictures of the viewer, taken by its browser test (real Chromium):
# runs tests/ui/test_viewer_browser.py::test_run_to_task_to_card, then copies its run
# page and card screenshots from test-artifacts/ui/ into docs/images/.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest -q -p no:xdist "tests/ui/test_viewer_browser.py::test_run_to_task_to_card"
mkdir -p docs/images
cp "${FLOWC_TEST_ARTIFACTS:-test-artifacts}/ui/run.png" docs/images/viewer-run.png
cp "${FLOWC_TEST_ARTIFACTS:-test-artifacts}/ui/card.png" docs/images/viewer-card.png
echo "docs/images/viewer-run.png docs/images/viewer-card.png updated"
