"""MockSMSProvider — records what it would have sent."""

from __future__ import annotations

from roomkit.providers.base import MockProvider


class MockSMSProvider(MockProvider):
    """An SMS provider for tests: every send lands in ``sent``."""

    name = "mock-sms"
