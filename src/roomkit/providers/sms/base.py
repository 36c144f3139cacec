"""SMSProvider — sends text (and MMS media) to phone numbers."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, TransportProvider


class SMSProvider(TransportProvider):
    """Sends SMS. ``from_`` is the sender number (the channel's ``from_number``)."""

    @abstractmethod
    async def send(
        self, event: RoomEvent, to: str, from_: str | None = None, **kwargs: Any
    ) -> ProviderResult:
        """Send ``event`` as an SMS to ``to``."""
