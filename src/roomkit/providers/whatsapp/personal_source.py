"""WhatsAppPersonalSourceProvider — a personal WhatsApp account, through a neonize client.

neonize (``pip install 'roomkit[whatsapp-personal]'``) links to the account as a
companion device (WhatsApp Web's multi-device protocol) and pushes events to handlers
registered on ``client.event``. This source registers its handlers, connects, and hands
each inbound message to ``emit`` (``kit.process_inbound``); :class:`WhatsAppPersonalProvider`
sends through the same client.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from roomkit._extras import require
from roomkit.errors import ProviderError
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.whatsapp.personal_wire import parse_neonize_message, parse_neonize_receipt

__all__ = ["WhatsAppPersonalSourceProvider", "neonize_call"]

logger = logging.getLogger(__name__)

PROVIDER = "whatsapp_personal"
# Media messages kept for download_media: their keys live only in the message itself.
MEDIA_KEPT = 1000

T = TypeVar("T")
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

    Inbound media arrive encrypted: their content URL is WhatsApp's CDN, and the bytes
    come from :meth:`download_media` for the last ``MEDIA_KEPT`` media messages.
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
        self._media: OrderedDict[str, Any] = OrderedDict()

    @property
    def name(self) -> str:
        return PROVIDER

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
        register(events.ConnectedEv)(self._connection_state("connected"))
        register(events.DisconnectedEv)(self._connection_state("reconnecting"))
        register(events.LoggedOutEv)(self._connection_state("error"))
        register(events.ReceiptEv)(self._on_receipt)
        await self.client.connect()

    async def stop(self) -> None:
        """Disconnect the client. Idempotent."""
        if self.status == "stopped":
            return
        self.status = "stopped"
        self._emit = None
        await self.client.disconnect()

    async def download_media(self, message_id: str) -> bytes:
        """The decrypted bytes of inbound media message ``message_id`` (its
        ``external_id``), fetched and decrypted by the client with the message's keys.

        Raises:
            ProviderError: not one of the recent media messages, or the download failed.
        """
        message = self._media.get(message_id)
        if message is None:
            raise ProviderError(
                f"no recent media message {message_id!r}: only the last {MEDIA_KEPT}"
                " inbound media messages can be downloaded",
                provider=self.name,
            )
        return bytes(await neonize_call(self.client.download_any(message)))

    def _keep_media(self, message_id: str, message: Any) -> None:
        self._media[message_id] = message
        while len(self._media) > MEDIA_KEPT:
            self._media.popitem(last=False)

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
        if message.metadata.get("media_kind"):
            self._keep_media(event.Info.ID, event.Message)
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

    def _connection_state(self, status: str) -> Callable[[Any, Any], Awaitable[None]]:
        async def handler(_client: Any, _event: Any) -> None:
            if self.status != "stopped":
                self.status = status

        return handler


async def neonize_call(call: Awaitable[T]) -> T:
    """Await a neonize client call; neonize's own errors (``neonize.exc``: not connected,
    refused by the server, …) become :class:`ProviderError`, others pass through."""
    try:
        return await call
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "neonize":
            raise
        raise ProviderError(f"WhatsApp refused the call: {exc}", provider=PROVIDER) from exc
