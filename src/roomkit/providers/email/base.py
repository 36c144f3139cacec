"""EmailProvider — sends room events as email."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.base import ProviderResult, TransportProvider

__all__ = ["EmailProvider"]


class EmailProvider(TransportProvider):
    """Sends email for an ``EmailChannel``.

    The channel passes its ``from_address`` as ``from_`` and the binding's ``subject``
    metadata as ``subject`` (None when the binding has none).
    """

    @abstractmethod
    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        """Send ``event`` as an email to the address ``to``."""

    async def parse_inbound(self, payload: dict[str, Any]) -> InboundMessage:
        """Turn the vendor's inbound-mail payload into an InboundMessage."""
        raise NotImplementedError(f"{self.name} does not parse inbound email")
