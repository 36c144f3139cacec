"""Email threads kept in one room, both ways.

Out: every ``Message-ID`` the kit generates names its room
(``<{random}.{base32(room id)}.{tag}@{domain}>``, the tag an HMAC under the configured
thread key, so no one else can mint one), and a send into a room whose last inbound email
is known replies to it (``In-Reply-To`` its ``Message-ID``, ``References`` its chain plus
it), found in the store: the parsed inbound email keeps its ids in ``metadata["email"]``.

In: a reply quotes the ids it answers in ``In-Reply-To`` / ``References``; the
:class:`EmailThreadRouter` finds among them (newest first) a kit-generated one naming an
active room, with a tag that fits, and routes the reply there. Mail that answers nothing
of ours goes to the fallback router.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from roomkit.models.enums import ChannelType, RoomStatus
from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter
from roomkit.store.base import ConversationStore

__all__ = ["EmailThreadRouter", "Thread", "last_thread", "new_message_id", "room_of"]

_SCAN = 50  # events read per page while looking back for the last inbound email


def _tag(key: bytes, nonce: str, room: str) -> str:
    return hmac.new(key, f"{nonce}.{room}".encode(), hashlib.sha256).hexdigest()[:20]


def new_message_id(room_id: str, domain: str, key: bytes | None = None) -> str:
    """A unique ``Message-ID`` that names ``room_id``, tagged with ``key`` when given.

    Only a tagged id routes a reply (:class:`EmailThreadRouter` checks the tag), so mail
    that forges a ``References`` header cannot choose its room.
    """
    nonce = secrets.token_hex(12)
    room = base64.b32encode(room_id.encode()).decode().rstrip("=").lower()
    tag = f".{_tag(key, nonce, room)}" if key else ""
    return f"<{nonce}.{room}{tag}@{domain}>"


def room_of(message_id: str, domain: str, key: bytes) -> str | None:
    """The room a kit-generated ``message_id`` tagged with ``key`` names, else None."""
    local, at, host = message_id.strip().strip("<>").rpartition("@")
    parts = local.split(".")
    if not at or host.lower() != domain.lower() or len(parts) != 3:
        return None
    nonce, room, tag = parts
    if not hmac.compare_digest(tag, _tag(key, nonce, room)):
        return None
    try:
        return base64.b32decode(room.upper() + "=" * (-len(room) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class Thread:
    """The ids a reply carries (``References``, parent last) and the subject it answers."""

    references: list[str]
    subject: str | None


async def last_thread(store: ConversationStore, room_id: str) -> Thread | None:
    """The thread of the room's newest event that came in as an email, if any."""
    end = await store.get_event_count(room_id)
    while end > 0:
        start = max(0, end - _SCAN)
        for event in reversed(await store.list_events(room_id, offset=start, limit=end - start)):
            mail = event.metadata.get("email")
            if isinstance(mail, dict) and mail.get("message_id"):
                chain = [str(r) for r in mail.get("references") or []]
                return Thread([*chain, str(mail["message_id"])], mail.get("subject"))
        end = start
    return None


class EmailThreadRouter(InboundRoomRouter):
    """Routes a reply to the room its thread started in; anything else to ``fallback``.

    Args:
        store: the kit's store (the room must exist and be active).
        domain: the domain of the kit's ``Message-ID`` s (the SMTP provider's
            ``message_id_domain``).
        key: the SMTP config's ``thread_key``: only ids tagged with it route.
        fallback: where other mail goes; by default the kit's default router.
    """

    def __init__(
        self,
        store: ConversationStore,
        domain: str,
        key: str,
        fallback: InboundRoomRouter | None = None,
    ) -> None:
        self._store = store
        self.domain = domain
        self._key = key.encode()
        self._fallback = fallback or DefaultInboundRoomRouter(store)

    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        mail = (channel_data or {}).get("email")
        if isinstance(mail, dict):
            quoted = [*(mail.get("references") or []), mail.get("in_reply_to") or ""]
            for message_id in reversed(quoted):
                room_id = room_of(str(message_id), self.domain, self._key)
                room = await self._store.get_room(room_id) if room_id else None
                if room is not None and room.status == RoomStatus.ACTIVE:
                    return room.id
        return await self._fallback.route(channel_id, channel_type, participant_id, channel_data)
