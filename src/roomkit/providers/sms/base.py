"""SMSProvider — sends text (and MMS media) to phone numbers."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.base import ProviderResult, TransportProvider

__all__ = ["SMSProvider"]


class SMSProvider(TransportProvider):
    """Sends SMS for an ``SMSChannel``.

    ``SMSChannel(from_number=...)`` passes its number as ``from_``; without one it passes
    the binding's ``from_`` metadata (None when absent: the provider's :attr:`from_number`).
    """

    @property
    @abstractmethod
    def from_number(self) -> str:
        """The provider's default sender number (E.164)."""

    @abstractmethod
    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` as an SMS to ``to`` (E.164), from ``from_`` or :attr:`from_number`.

        Returns a result with ``success=False`` and ``error`` when the carrier refused it.
        """

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """Turn the vendor's inbound webhook payload into an InboundMessage."""
        raise NotImplementedError(f"{self.name} does not parse inbound webhooks")

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Whether ``signature`` (and ``timestamp``, for vendors that sign it) fits ``payload``."""
        raise NotImplementedError(f"{self.name} does not verify webhook signatures")
