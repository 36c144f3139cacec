"""WhatsAppPersonalSourceProvider — a personal WhatsApp account, through a neonize client.

neonize (``pip install 'roomkit[whatsapp-personal]'``) links to the account as a
companion device (WhatsApp Web's multi-device protocol) and pushes events to handlers
registered on ``client.event``. This source registers its handlers, connects, and hands
each inbound message to ``emit`` (``kit.process_inbound``); :class:`WhatsAppPersonalProvider`
sends through the same client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit._extras import require
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.whatsapp.personal_wire import parse_neonize_message, parse_neonize_receipt

__all__ = ["WhatsAppPersonalSourceProvider"]

logger = logging.getLogger(__name__)

Emit = Callable[[InboundMessage], Awaitable[Any]]
OnStatus = Callable[[DeliveryStatus], Awaitable[Any]]


class WhatsAppPersonalSourceProvider:
    """Receives a personal WhatsApp account's messages from a neonize ``NewAClient``.

    Args:
        client: a ``neonize.aioze.client.NewAClient`` (``NewAClient("session.db")``); its
            session database keeps the device link between runs.
        channel_id: the channel the inbound messages are for.
        self_chat: also take the account's own messages (useful to try it alone).
        on_status: called with the delivery and read receipts of sent messages
            (``kit.process_delivery_status``); receipts are dropped without it.

    ``status`` is ``"stopped"``, ``"connecting"``, ``"connected"``, ``"reconnecting"`` or
    ``"error"`` (logged out); ``messages_received`` counts the messages emitted.
    """

    def __init__(
        self,
        client: Any,
        *,
        channel_id: str = "whatsapp-personal",
        self_chat: bool = False,
        on_status: OnStatus | None = None,
    ) -> None:
        self.client = client
        self.on_status = on_status
        self.channel_id = channel_id
        self.self_chat = self_chat
        self.status = "stopped"
        self.messages_received = 0
        self._emit: Emit | None = None

    @property
    def name(self) -> str:
        return "whatsapp_personal"

    def __repr__(self) -> str:
        return f"WhatsAppPersonalSourceProvider(channel_id={self.channel_id!r})"

    async def start(self, emit: Emit) -> None:
        """Register the event handlers on the client, then connect it.

        Handlers must be in place before ``connect``: neonize subscribes to the events
        registered at that moment. Each message arrives as a neonize ``MessageEv``.
        """
        events = require("neonize.aioze.events", "whatsapp-personal")
        self._emit = emit
        self.status = "connecting"
        register = self.client.event
        register(events.MessageEv)(self._on_message)
        register(events.ConnectedEv)(self._on_status("connected"))
        register(events.DisconnectedEv)(self._on_status("reconnecting"))
        register(events.LoggedOutEv)(self._on_status("error"))
        register(events.ReceiptEv)(self._on_receipt)
        await self.client.connect()

    async def stop(self) -> None:
        """Disconnect the client. Idempotent."""
        if self.status == "stopped":
            return
        self.status = "stopped"
        self._emit = None
        await self.client.disconnect()

    async def _on_message(self, _client: Any, event: Any) -> None:
        # neonize runs this on the loop with no caller to hand an error to: log it.
        try:
            message = parse_neonize_message(event, self.channel_id, self_chat=self.self_chat)
        except ValueError:
            logger.warning("WhatsApp message %s could not be read", event.Info.ID, exc_info=True)
            return
        if message is None or self._emit is None:
            return
        self.messages_received += 1
        try:
            await self._emit(message)
        except Exception:
            logger.exception("WhatsApp message %s was not processed", message.external_id)

    async def _on_receipt(self, _client: Any, event: Any) -> None:
        if self.on_status is None:
            return
        try:
            for status in parse_neonize_receipt(event, self.channel_id):
                await self.on_status(status)
        except Exception:
            logger.exception("WhatsApp receipt for %s was not processed", list(event.MessageIDs))

    def _on_status(self, status: str) -> Callable[[Any, Any], Awaitable[None]]:
        async def handler(_client: Any, _event: Any) -> None:
            if self.status != "stopped":
                self.status = status

        return handler
