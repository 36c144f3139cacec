"""MockRCSProvider — records what it would have sent."""

from __future__ import annotations

from roomkit.providers.base import MockProvider


class MockRCSProvider(MockProvider):
    """An RCS provider for tests: every send lands in ``sent``."""

    name = "mock-rcs"
