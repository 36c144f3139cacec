"""TeamsProvider — sends room events over Microsoft Teams."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, TransportProvider

__all__ = ["TeamsProvider"]


class TeamsProvider(TransportProvider):
    """Sends for a ``TeamsChannel``; the recipient is the binding's ``recipient_id``."""

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``, a conversation id."""

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (the webhook's signature header) fits ``payload``."""
        raise NotImplementedError(f"{self.name} does not verify webhook signatures")
