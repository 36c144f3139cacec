"""Mock providers for the messaging networks; each records what it would have sent."""

from __future__ import annotations

from roomkit.providers.base import MockProvider


class MockWhatsAppProvider(MockProvider):
    """WhatsApp Cloud API stand-in for tests."""

    name = "mock-whatsapp"


class MockMessengerProvider(MockProvider):
    """Facebook Messenger stand-in for tests."""

    name = "mock-messenger"


class MockTeamsProvider(MockProvider):
    """Microsoft Teams stand-in for tests."""

    name = "mock-teams"


class MockTelegramProvider(MockProvider):
    """Telegram Bot API stand-in for tests."""

    name = "mock-telegram"


class MockHTTPProvider(MockProvider):
    """HTTP webhook stand-in for tests."""

    name = "mock-http"


class MockWhatsAppPersonalProvider(MockProvider):
    """WhatsApp personal stand-in for tests."""

    name = "mock-whatsapp-personal"
