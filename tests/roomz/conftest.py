"""Fixtures for roomz tests that need a real server process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.roomz.server.serve import RunningServer, serve


@pytest.fixture
async def roomz_server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A `roomz serve` process on SQLite in ``tmp_path``, with open sign-up."""
    async with serve(tmp_path) as server:
        yield server
