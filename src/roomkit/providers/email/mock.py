"""MockEmailProvider — records what it would have sent."""

from __future__ import annotations

from roomkit.providers.base import MockProvider


class MockEmailProvider(MockProvider):
    """An email provider for tests: every send (with subject and sender) lands in ``sent``."""

    name = "mock-email"
