"""WhatsAppProvider — sends room events over WhatsApp."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.base import ProviderResult, TransportProvider

__all__ = ["WhatsAppProvider"]


class WhatsAppProvider(TransportProvider):
    """Sends for a ``WhatsAppChannel``; the recipient is the binding's ``phone_number``."""

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``, a phone number (E.164)."""

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """Turn the vendor's inbound webhook payload into an InboundMessage."""
        raise NotImplementedError(f"{self.name} does not parse inbound webhooks")

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        """Send the pre-approved template ``template_name`` filled with ``params``."""
        raise NotImplementedError(f"{self.name} does not send templates")

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` to the message ``message_id`` that ``sender`` sent in ``chat``."""
        raise NotImplementedError(f"{self.name} does not send reactions")
