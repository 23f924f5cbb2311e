"""Suite-wide policy: under ``tools/test.sh`` a skipped test is a failed test.

Tests skip themselves when a test-only tool is missing (the Airflow venv, the npm ASL
validator, the SeaweedFS binary), which is convenient for a quick local ``pytest``. The
README's test command installs all of them first, so there a skip can only mean a broken
set-up, and letting it pass would report proof that was never run. ``tools/test.sh`` sets
``FLOWC_FORBID_SKIPS=1``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

FORBID_SKIPS = os.environ.get("FLOWC_FORBID_SKIPS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if FORBID_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under FLOWC_FORBID_SKIPS=1 (tools/test.sh): {reason}"


#: The user every test runs as: a deployment compiled without --branch is on the user
#: branch user.USERNAME (backends/project.py), so goldens must not depend on who
#: regenerates them. Tests about user names set their own.
TEST_USER = "flowc-tests"


@pytest.fixture(autouse=True, scope="session")
def _test_user() -> Iterator[None]:
    # Session-wide, so session fixtures that compile (the linted corpora) see it too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("METAFLOW_USER", TEST_USER)
        patch.delenv("METAFLOW_OWNER", raising=False)
        yield
