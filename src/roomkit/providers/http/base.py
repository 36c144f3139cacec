"""HTTPProvider — sends room events over HTTP webhook."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, TransportProvider

__all__ = ["HTTPProvider"]


class HTTPProvider(TransportProvider):
    """Sends for a ``HTTPChannel``; the recipient is the binding's ``recipient_id``."""

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``, a recipient id."""
