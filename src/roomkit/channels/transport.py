"""TransportChannel — every transport (SMS, email, WhatsApp, …) as configuration, not subclasses.

The kinds differ only in data: the ChannelType, the capabilities, which binding-metadata key
holds the recipient address, and which extra keyword arguments ``provider.send`` receives.
"""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.base import Channel
from roomkit.errors import ProviderError
from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.enums import ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext

logger = logging.getLogger(__name__)


class TransportChannel(Channel):
    """Generic transport channel driven by configuration rather than subclassing.

    Args:
        channel_id: Unique identifier for this channel instance.
        channel_type: The channel type (SMS, email, etc.).
        provider: Provider that handles external delivery; its ``send(event, to=..., **kw)``
            returns a result with ``success`` (and ``error`` when it failed).
        capabilities: Media and feature capabilities for this channel.
        recipient_key: Binding metadata key that holds the recipient address.
        defaults: Default kwargs passed to ``provider.send()``. A default whose value is None
            is read from the binding metadata at delivery time.
    """

    def __init__(
        self,
        channel_id: str,
        channel_type: ChannelType,
        *,
        provider: Any = None,
        capabilities: ChannelCapabilities | None = None,
        recipient_key: str = "recipient_id",
        defaults: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(channel_id)
        self.channel_type = ChannelType(channel_type)
        self.provider = provider
        self._capabilities = capabilities or ChannelCapabilities()
        self.recipient_key = recipient_key
        self.defaults = dict(defaults or {})

    @property
    def provider_name(self) -> str | None:
        """The provider's ``name``, when it has one."""
        name = getattr(self.provider, "name", None)  # providers are duck-typed: any .send()
        return name if isinstance(name, str) else None

    @property
    def info(self) -> dict[str, Any]:
        """Return non-None default values as channel info metadata."""
        return {k: v for k, v in self.defaults.items() if v is not None}

    def capabilities(self) -> ChannelCapabilities:
        """Return the channel's media and feature capabilities."""
        return self._capabilities

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        """Convert an inbound message into a room event."""
        return self.event_from(message, context, provider=self.provider_name)

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Deliver an event to the external recipient via the provider.

        The recipient is ``binding.metadata[recipient_key]``. A missing recipient, a missing
        provider, a provider that raises ProviderError or reports ``success=False`` are all
        failed deliveries, returned as such — never counted as delivered. A successful
        output's metadata holds ``provider_message_id`` and the provider's ``provider_result``.
        """
        request = self._request(binding)
        if isinstance(request, str):
            return ChannelOutput.failed(request)
        recipient, kwargs = request
        try:
            result = await self.provider.send(event, to=recipient, **kwargs)
        except ProviderError as exc:
            return ChannelOutput.failed(str(exc), retryable=exc.retryable)
        error = _failure(result)
        if error is not None:
            return ChannelOutput.failed(error)
        message_id = getattr(result, "provider_message_id", None)
        # The whole result too: kinds extend it (RCSDeliveryResult says which channel was used).
        return ChannelOutput(
            metadata={"provider_message_id": message_id, "provider_result": result}
        )

    async def deliver_for_broadcast(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        """:meth:`deliver` without its output: the broadcaster reads only the error, and a
        ChannelOutput per delivery was a fifth of a ten-transport room's cost."""
        if type(self).deliver is not TransportChannel.deliver:  # a subclass delivers its way
            return await super().deliver_for_broadcast(event, binding, context)
        request = self._request(binding)
        if isinstance(request, str):
            return request
        recipient, kwargs = request
        try:
            result = await self.provider.send(event, to=recipient, **kwargs)
        except ProviderError as exc:
            return str(exc)
        return _failure(result)

    def _request(self, binding: ChannelBinding) -> tuple[Any, dict[str, Any]] | str:
        """The recipient and the keyword arguments of a send for ``binding``, or why
        there can be no send."""
        if self.provider is None:
            return f"channel {self.channel_id!r} has no provider configured"
        recipient = binding.metadata.get(self.recipient_key)
        if not recipient:
            return (
                f"binding of {self.channel_id!r} in room {binding.room_id!r} has no "
                f"{self.recipient_key!r} in its metadata"
            )
        kwargs = {
            key: binding.metadata.get(key) if value is None else value
            for key, value in self.defaults.items()
        }
        return recipient, kwargs

    async def close(self) -> None:
        """Close the provider (when it has ``close``) and the channel's trace callbacks."""
        close = getattr(self.provider, "close", None)
        if callable(close):
            await close()
        await super().close()


def _failure(result: Any) -> str | None:
    """The error of a provider's result, or None when it reports success."""
    if getattr(result, "success", False):
        return None
    return getattr(result, "error", None) or "provider send failed"
