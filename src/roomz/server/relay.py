"""Fan-out between roomz processes, through roomkit's realtime backend.

roomkit delivers a stored event only to channels registered in the process that stored it.
With several processes (PostgreSQL + Redis), the others learn of it here:

* :class:`RelayChannel` is bound to every chat room. roomkit calls its ``deliver`` once per
  stored message, *inside the room lock*, so the relay is published before the room's next
  message can be stored: every process receives a room's messages in index order. It also
  hands the message to the sender's own sockets (roomkit skips the source channel).
* Everything else that concerns other processes — display names, joins and leaves, who is
  connected where (:mod:`roomz.server.roster`) — is published as a ``custom`` ephemeral
  event on the default room, which every process watches; typing, presence and read
  receipts are roomkit's own ephemeral events.

Each relayed event carries this process's ``origin``, so a process skips the messages it
delivered itself. In one process (``InMemoryRealtime``) messages are not relayed at all.
Redis keeps nothing: what a process misses while disconnected from it is read back from
the store and handed to its sockets in order (:mod:`roomz.server.catchup`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from roomkit import (
    ChannelBinding,
    ChannelCapabilities,
    ChannelOutput,
    EphemeralEvent,
    EphemeralEventType,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
)
from roomkit.channels.base import Channel
from roomkit.realtime.base import EphemeralCallback
from roomz import protocol
from roomz.server.catchup import Catchup

logger = logging.getLogger(__name__)

RELAY_CHANNEL_ID = "roomz:relay"
MESSAGE = "message"

OnStored = Callable[[RoomEvent], str]
"""Called in the room lock with each stored message; returns its encoded frame."""


class RelayChannel(Channel):
    """The roomkit channel that sees each stored chat message once, in the room lock."""

    inline_delivery = True

    def __init__(self, relay: Relay) -> None:
        super().__init__(RELAY_CHANNEL_ID)
        self._relay = relay

    def capabilities(self) -> ChannelCapabilities:
        return ChannelCapabilities()

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        raise NotImplementedError("the relay channel never sends")

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        await self._relay.stored(event)
        return ChannelOutput()


class Relay:
    """Publishes this process's events to the others and watches rooms for theirs.

    Args:
        kit: the kit whose realtime backend carries the events.
        on_event: called with every ephemeral event of a watched room, in publish order.
        on_stored: called in the room lock with each stored message (see :data:`OnStored`).
        catchup: this process's repairs of missed messages.
        distributed: whether other processes exist (a Redis backend); otherwise stored
            messages are not published.
    """

    def __init__(
        self,
        kit: RoomKit,
        on_event: EphemeralCallback,
        on_stored: OnStored,
        catchup: Catchup,
        *,
        distributed: bool,
    ) -> None:
        self.origin = uuid.uuid4().hex
        self.distributed = distributed
        self.channel = RelayChannel(self)
        self._kit = kit
        self._on_event = on_event
        self._on_stored = on_stored
        self.catchup = catchup
        self._watched: dict[str, str] = {}

    async def watch(self, room: str) -> None:
        """Receive the room's ephemeral events from now on (once per room)."""
        if room not in self._watched:
            self._watched[room] = ""  # claimed before the await: one subscription per room
            try:
                self._watched[room] = await self._kit.subscribe_room(room, self._on_event)
                # Subscribed first: whatever is stored after this count is relayed to us.
                self.catchup.start(room, await self._kit.store.get_event_count(room))
            except BaseException:
                del self._watched[room]
                raise

    def is_own(self, event: EphemeralEvent) -> bool:
        """Whether this process published ``event``."""
        return event.data.get("origin") == self.origin

    async def stored(self, event: RoomEvent) -> None:
        room, index = event.room_id, event.index
        await self.catchup.before(room, index)  # what this process missed goes first
        text = self._on_stored(event)
        self.catchup.passed(room, index)
        if self.distributed:
            await self.publish(event.room_id, MESSAGE, event.source.channel_id, text=text,
                               index=event.index)  # fmt: skip

    async def publish(self, room: str, kind: str, user_id: str, **data: Any) -> None:
        """Publish a ``custom`` event of ``kind`` on ``room`` for every process, this one too."""
        event = EphemeralEvent(
            room_id=room,
            type=EphemeralEventType.CUSTOM,
            user_id=user_id,
            data={"kind": kind, "origin": self.origin, **data},
        )
        await self._kit.realtime.publish_to_room(event.room_id, event)

    async def announce(self, event: protocol.Event) -> None:
        """Publish a chat-wide event (``user_joined``, ``display_name_changed``, ...) on the
        default room, which every process watches."""
        frame = event.to_frame()
        await self.publish(protocol.DEFAULT_ROOM, event.type, event.user.id, frame=frame)

    async def close(self) -> None:
        """Stop watching rooms. Idempotent."""
        subscriptions, self._watched = self._watched, {}
        for subscription in subscriptions.values():
            if subscription:
                await self._kit.unsubscribe_room(subscription)
