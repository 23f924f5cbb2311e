"""Fixtures for the Step Functions tests (the moto server is shared per session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sfn_harness import MotoServer


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer().start(tmp_path_factory.mktemp("moto"))
    try:
        yield server
    finally:
        server.stop()
