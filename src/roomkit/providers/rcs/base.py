"""RCSProvider — rich messages to phones, with SMS fallback when RCS is unavailable."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.base import TransportProvider

__all__ = ["RCSDeliveryResult", "RCSProvider"]


class RCSDeliveryResult(ProviderResult):
    """A send's result that says how it went out.

    ``channel_used`` is ``"rcs"``, or ``"sms"`` when the recipient could not take RCS and
    the provider fell back (then ``fallback`` is True).
    """

    channel_used: str = "rcs"
    fallback: bool = False


class RCSProvider(TransportProvider):
    """Sends RCS for an ``RCSChannel``, which passes its ``fallback`` setting to :meth:`send`."""

    @property
    @abstractmethod
    def sender_id(self) -> str:
        """The RCS agent (sender) id."""

    @property
    def supports_fallback(self) -> bool:
        """Whether the provider can fall back to SMS."""
        return True

    @abstractmethod
    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to ``to`` (E.164) over RCS.

        With ``fallback`` True, a recipient that cannot take RCS gets an SMS instead and the
        result says so (``channel_used="sms"``, ``fallback=True``); with it False, that
        send fails.
        """

    async def check_capability(self, phone_number: str) -> bool:
        """Whether ``phone_number`` can receive RCS."""
        raise NotImplementedError(f"{self.name} does not check RCS capability")

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """Turn the vendor's inbound webhook payload into an InboundMessage."""
        raise NotImplementedError(f"{self.name} does not parse inbound webhooks")

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Whether ``signature`` (and ``timestamp``, for vendors that sign it) fits ``payload``."""
        raise NotImplementedError(f"{self.name} does not verify webhook signatures")
