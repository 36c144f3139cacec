"""WhatsAppPersonalProvider — sends as a personal WhatsApp account, through neonize.

The provider sends through the client of its :class:`WhatsAppPersonalSourceProvider`,
the one that receives. Text goes as a ``conversation`` message, a location as a
``locationMessage``; media go by URL through neonize's ``send_image`` / ``send_video`` /
``send_audio`` / ``send_document``, which fetch the URL and upload it encrypted. Needs
``pip install 'roomkit[whatsapp-personal]'``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from roomkit._extras import require
from roomkit.errors import InvalidArgumentError
from roomkit.models.content import AudioContent, LocationContent, MediaContent, VideoContent
from roomkit.models.event import RoomEvent
from roomkit.providers._content import media_parts, text_and_media
from roomkit.providers.base import ProviderResult
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit.providers.whatsapp.personal_source import (
    PROVIDER,
    WhatsAppPersonalSourceProvider,
    neonize_call,
)
from roomkit.providers.whatsapp.personal_wire import jid_parts

__all__ = ["WhatsAppPersonalProvider", "WhatsAppPersonalSourceProvider"]

_EXTRA = "whatsapp-personal"
_MEDIA = ("text", "audio")


class WhatsAppPersonalProvider(WhatsAppProvider):
    """Sends, types, marks read and reacts as the account of ``source``.

    Recipients (``to``, ``chat``, ``sender``) are phone numbers (``+15551234567``) or
    JIDs (``…@g.us`` for a group). Closing the provider stops the source.

    Raises from every call:
        InvalidArgumentError: a recipient that is neither; nothing is sent.
        ProviderError: neonize refused the call (not connected, unknown chat, …).
    """

    def __init__(self, source: WhatsAppPersonalSourceProvider) -> None:
        self.source = source
        self._proto = require("neonize.proto.waE2E.WAWebProtobufsE2E_pb2", _EXTRA)
        self._jid = require("neonize.proto.Neonize_pb2", _EXTRA).JID
        self._enum = require("neonize.utils.enum", _EXTRA)

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return f"WhatsAppPersonalProvider(source={self.source!r})"

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``; media go one message each, the text as the first
        one's caption (or as its own message before audio, which shows no caption).

        Raises:
            InvalidArgumentError: ``to`` is not an address, or the content has nothing to send.
        """
        jid = self._to_jid(to)
        ids = [(await neonize_call(send())).ID for send in self._sends(jid, event)]
        return ProviderResult(success=True, provider_message_id=ids[-1], metadata={"ids": ids})

    def _sends(self, jid: Any, event: RoomEvent) -> list[Callable[[], Awaitable[Any]]]:
        """The sends of ``event``, not yet started: none starts unless the content is valid."""
        client = self.source.client
        content = event.content
        if isinstance(content, LocationContent):
            return [partial(client.send_message, jid, self._location(content))]
        text, _ = text_and_media(content)
        media = media_parts(content)
        if not media and not text:
            raise InvalidArgumentError("event.content", content.type, "text, media or location")
        if not media or media_kind(media[0]) == "audio":
            message = self._proto.Message(conversation=text)
            sends = [partial(client.send_message, jid, message)] if text else []
            return sends + [self._send_media(jid, part, None) for part in media]
        first = self._send_media(jid, media[0], text or None)
        return [first] + [self._send_media(jid, part, None) for part in media[1:]]

    def _send_media(
        self, jid: Any, part: MediaContent | AudioContent | VideoContent, caption: str | None
    ) -> Callable[[], Awaitable[Any]]:
        client = self.source.client
        url = str(part.url)
        kind = media_kind(part)
        if kind == "audio":
            return partial(client.send_audio, jid, url)
        if kind == "video":
            return partial(client.send_video, jid, url, caption=caption)
        if kind == "image":
            return partial(client.send_image, jid, url, caption=caption)
        filename = part.filename if isinstance(part, MediaContent) else None
        return partial(
            client.send_document,
            jid,
            url,
            caption=caption,
            filename=filename,
            mimetype=part.mime_type,
        )

    def _location(self, where: LocationContent) -> Any:
        location = self._proto.LocationMessage(
            degreesLatitude=where.latitude,
            degreesLongitude=where.longitude,
            name=where.label,
            address=where.address,
        )
        return self._proto.Message(locationMessage=location)

    async def send_typing(self, to: str, *, is_typing: bool = True, media: str = "text") -> None:
        """Show (or stop showing) ``typing…`` (``media="text"``) or ``recording audio…``
        (``media="audio"``) in the chat with ``to``."""
        if media not in _MEDIA:
            raise InvalidArgumentError("media", media, "'text' or 'audio'")
        presence, kind = self._enum.ChatPresence, self._enum.ChatPresenceMedia
        state = presence.CHAT_PRESENCE_COMPOSING if is_typing else presence.CHAT_PRESENCE_PAUSED
        medium = (
            kind.CHAT_PRESENCE_MEDIA_AUDIO if media == "audio" else kind.CHAT_PRESENCE_MEDIA_TEXT
        )
        await neonize_call(self.source.client.send_chat_presence(self._to_jid(to), state, medium))

    async def mark_read(self, message_ids: list[str], chat: str, sender: str) -> None:
        """Send read receipts (blue ticks) for ``message_ids``, sent by ``sender`` in ``chat``."""
        if not message_ids:
            return
        read = self.source.client.mark_read(
            *message_ids,
            chat=self._to_jid(chat),
            sender=self._to_jid(sender),
            receipt=self._enum.ReceiptType.READ,
        )
        await neonize_call(read)

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` (``""`` removes the reaction) to ``message_id``, which
        ``sender`` sent in ``chat``."""
        client = self.source.client
        chat_jid = self._to_jid(chat)
        build = client.build_reaction(chat_jid, self._to_jid(sender), message_id, emoji)
        reaction = await neonize_call(build)
        await neonize_call(client.send_message(chat_jid, reaction))

    async def close(self) -> None:
        """Stop the source (disconnect the client). Idempotent."""
        await self.source.stop()

    def _to_jid(self, address: str) -> Any:
        user, server = jid_parts(address)
        return self._jid(
            User=user, Server=server, Device=0, RawAgent=0, Integrator=0, IsEmpty=False
        )


def media_kind(part: MediaContent | AudioContent | VideoContent) -> str:
    """``audio``, ``video``, ``image`` or ``document``: which neonize send carries ``part``."""
    if isinstance(part, AudioContent):
        return "audio"
    if isinstance(part, VideoContent):
        return "video"
    family = part.mime_type.split("/")[0]
    return family if family in ("audio", "video", "image") else "document"
