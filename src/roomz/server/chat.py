"""roomz's policy on roomkit: who is in which room, and how a chat message travels.

* Each user is a roomkit ``WebSocketChannel`` whose id is the user id
  (``user:alice@example.com``); every socket the user has open (browser tabs, Python
  clients, terminal clients) is a connection on that channel.
* Each chat room is a roomkit room with the same id; membership is a channel binding
  (:mod:`roomz.server.rooms`). Everyone is a member of :data:`~roomz.protocol.DEFAULT_ROOM`.
* A message is an ``InboundMessage`` on the sender's channel, so it passes roomkit's lock,
  idempotency (the client's ``client_id``), hooks and store, and roomkit fans it out to the
  other members' channels; the relay channel (:mod:`roomz.server.relay`), bound to every
  room, hands it to the sender's own sockets and to the other processes, in the room lock.
* Each message frame is encoded to JSON once, however many sockets receive it.
* Typing, presence and read receipts are roomkit ephemeral events on the realtime backend;
  read receipts also move the store's read watermark, which unread counts count from.
  What arrives from the realtime backend is handled by :mod:`roomz.server.live`.

Connection events, the policy: when a user's first socket in this process opens, everyone
receives ``user_joined`` (room ``general``); when their last one in ANY process closes,
``user_left`` and presence ``offline``, once (see :mod:`roomz.server.roster`). Sockets
opened or closed in between are announced to the user's own sockets only (while they
number at most :data:`TABS_ANNOUNCED`), so a user with many tabs does not cost everyone a
frame per tab, nor each tab a frame per other tab. And while
more than :data:`ANNOUNCE_LIMIT` users are connected here, arrivals and departures are not
broadcast at all: telling n users about n arrivals is n² frames (a million for a thousand
people logging in), which would starve the room's messages for no reader's benefit.
Explicit presence changes, room joins and leaves are always announced. Who is online is
tracked apart from these frames, in every process, whatever the limit
(:mod:`roomz.server.roster`): a client asks with ``who``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit import (
    BackendConnectionError,
    EphemeralEvent,
    EphemeralEventType,
    InboundMessage,
    RoomEvent,
    RoomKit,
    RoomKitError,
    TextContent,
)
from roomz import protocol
from roomz.errors import ChatError, Reason
from roomz.server.catchup import Catchup
from roomz.server.history import HistoryPages
from roomz.server.live import LOGOUT, LiveEvents, session_digest
from roomz.server.metrics import Metrics
from roomz.server.outbox import Outbox
from roomz.server.relay import Relay
from roomz.server.rooms import Rooms, message_frame
from roomz.server.roster import HEARTBEAT, Roster
from roomz.server.sockets import CloseSocket, Connection, LocalSockets

logger = logging.getLogger(__name__)

ANNOUNCE_LIMIT = 200
"""Connected users (in this process) above which connections are not announced to all."""
TABS_ANNOUNCED = 8
"""Sockets of one user up to which each hears of the others opening and closing."""
PRESENCE_OFFLINE = EphemeralEventType("presence_offline")
RETRY_AFTER = 1.0
"""Seconds a send refused for a backend outage is told to wait before it is sent again."""


class Chat:
    """Chat rooms on one RoomKit: connect sockets, post messages, join and leave.

    Args:
        kit: the kit holding rooms, channels and the realtime backend.
        max_message_length: characters a message may have.
        history_limit: messages a join returns.
        distributed: other processes share the store and realtime backend (relay messages).
        metrics: counters to bump.
        roster_heartbeat: seconds between two heartbeats of this process's roster.
    """

    def __init__(
        self,
        kit: RoomKit,
        *,
        max_message_length: int = protocol.MAX_CONTENT_LENGTH,
        history_limit: int = 50,
        distributed: bool = False,
        metrics: Metrics | None = None,
        roster_heartbeat: float = HEARTBEAT,
    ) -> None:
        self._kit = kit
        self.max_message_length = max_message_length
        self.metrics = metrics or Metrics()
        self.sockets = LocalSockets()
        self.catchup = Catchup(kit.store, self.sockets, self._encoded)
        self.relay = Relay(
            kit, self._on_event, self._on_stored, self.catchup, distributed=distributed
        )
        publish = self._publish_roster if distributed else None
        self.roster = Roster(
            self.relay.origin, publish, heartbeat=roster_heartbeat, on_gone=self._gone_elsewhere
        )
        self.live = LiveEvents(self.sockets, self.relay, self.metrics, self.roster)
        self.rooms = Rooms(kit, self.sockets, self.relay, history_limit=history_limit)
        self.history = HistoryPages(kit.store)
        self._frames: OrderedDict[str, tuple[str, int, str]] = OrderedDict()
        self._ids = itertools.count(1)

    async def open(self) -> None:
        """Register the relay, make sure the default room exists, watch it, then ask the
        other processes who is connected to them."""
        self._kit.register_channel(self.relay.channel)
        if self.relay.distributed:
            _on_resubscribed(self._kit, self.catchup.resync)
        await self.rooms.open()
        await self.relay.watch(protocol.DEFAULT_ROOM)
        await self.roster.open()

    async def close(self) -> None:
        """Say goodbye to the other processes, stop watching rooms (the kit is closed by
        its owner)."""
        await self.roster.close()
        await self.relay.close()

    # -- sockets ---------------------------------------------------------------------------

    def new_connection(
        self,
        user: dict[str, Any],
        session: str,
        outbox: Outbox,
        *,
        close: CloseSocket | None = None,
        lifetime: float | None = None,
    ) -> Connection:
        """A connection object for a socket about to be registered with :meth:`connect`;
        ``close`` and ``lifetime`` as in :class:`~roomz.server.sockets.Connection`."""
        connection_id = f"{user['id']}#{next(self._ids)}"
        return Connection(
            connection_id, dict(user), session, outbox, close=close, lifetime=lifetime
        )

    async def connect(self, connection: Connection) -> list[dict[str, Any]]:
        """Register a socket; the user joins the default room. Returns the user's rooms as
        ``[{"room", "last_index"}]`` for the ``authenticated`` frame.

        The socket is registered before the last indexes are read, so a message stored
        meanwhile is either counted in ``last_index`` or delivered live (or both: the client
        skips what is at or below ``last_index``), never neither.
        """
        user_id = connection.user_id
        rooms = await self.rooms.memberships(user_id)
        for room in rooms:
            await self.relay.watch(room)
        count = self.sockets.add(connection, rooms)
        self.metrics.connections += 1
        if connection.lifetime is not None:
            # A timer per socket: an expiry closes the socket when it passes, idle or not.
            connection.expiry = asyncio.get_running_loop().call_later(
                max(0.0, connection.lifetime), connection.end, Reason.SESSION_EXPIRED
            )
        metrics, catchup = self.metrics, self.catchup

        async def deliver(connection_id: str, event: RoomEvent) -> None:
            if catchup.missing(event.room_id, event.index):  # no await per socket otherwise
                await catchup.fill(event.room_id, event.index - 1)
            metrics.deliveries += connection.deliver(*self._encoded(event))

        self.rooms.channel(user_id).register_connection(connection.id, deliver)
        await self.roster.changed(connection.user, count)
        await self._announce_connection(connection, "user_joined", count, first=count == 1)
        store = self._kit.store
        return [
            {"room": room, "last_index": await store.get_event_count(room)}
            for room in sorted(rooms)
        ]

    async def disconnect(self, connection: Connection) -> None:
        """Forget a socket (its user stays a member of their rooms)."""
        if connection.expiry is not None:
            connection.expiry.cancel()
        self.rooms.channel(connection.user_id).unregister_connection(connection.id)
        if not self.sockets.has(connection):
            await connection.outbox.close()
            return  # connect() failed before registering it
        remaining = self.sockets.remove(connection)
        self.metrics.connections -= 1
        await connection.outbox.close()
        with contextlib.suppress(Exception):  # Redis may be gone at shutdown
            gone = await self.roster.changed(connection.user, remaining)
            await self._announce_connection(connection, "user_left", remaining, first=gone)

    def sockets_of(self, user_id: str) -> list[Connection]:
        """The user's open sockets in this process."""
        return self.sockets.of_user(user_id)

    async def who(self, connection: Connection, room: str) -> list[dict[str, Any]]:
        """The members of ``room`` with a socket open in any process, sorted by email:
        ``[{"user", "status", "connections"}]``.

        Raises:
            ChatError: no such room, or the user is not a member.
        """
        if room == protocol.DEFAULT_ROOM:
            return self.roster.online()  # everyone is a member
        await self.rooms.require_member(connection.user_id, room)
        bindings = await self._kit.store.list_bindings(room)
        return self.roster.online(b.channel_id for b in bindings)

    # -- messages --------------------------------------------------------------------------

    async def post(self, connection: Connection, request: protocol.Send) -> dict[str, Any]:
        """Store and fan out a message; the result fields for the ``send`` request.

        Raises:
            ChatError: empty or too long, or the user is not a member of the room.
        """
        content = request.content
        if not content.strip():
            raise ChatError(Reason.EMPTY_CONTENT, "a message needs some text")
        if len(content) > self.max_message_length:
            raise ChatError(
                Reason.CONTENT_TOO_LONG,
                f"messages are limited to {self.max_message_length} "
                f"characters; this one has {len(content)}",
            )
        user = connection.user
        await self.rooms.require_member(user["id"], request.room)
        key = f"{user['id']}:{request.client_id}" if request.client_id else None
        message = InboundMessage(
            channel_id=user["id"],
            sender_id=user["id"],
            content=TextContent(body=content),
            idempotency_key=key,
            metadata={"user": user, "client_id": request.client_id},
        )
        try:
            result = await self._kit.process_inbound(message, room_id=request.room)
        except BackendConnectionError as exc:
            # Nothing was stored: the room's lock could not be had. Failing now (rather than
            # waiting the outage out) lets the client resend the same client_id later.
            raise ChatError(
                Reason.UNAVAILABLE,
                f"the message was not stored: {exc}; send it again (same client_id)",
                retry_after=RETRY_AFTER,
            ) from None
        event = result.event
        if result.blocked or event is None:
            raise ChatError(Reason.INVALID_FIELD, result.reason or "the message was refused")
        if not result.duplicate:
            self.metrics.messages += 1
        room, index, text = self._encoded(event)
        for socket in self.sockets.of_user(user["id"]):  # a no-op unless the relay missed it
            socket.deliver(room, index, text)
        return {
            "message_id": event.id,
            "timestamp": protocol.timestamp(event.created_at),
            "room": request.room,
            "index": event.index,
            "client_id": event.metadata.get("client_id"),
        }

    # -- names and ephemeral events ----------------------------------------------------------

    async def renamed(self, user: dict[str, Any]) -> None:
        """The user's display name changed: tell every connected user, in every process."""
        self._rename_local(user)
        changed = protocol.DisplayNameChanged(protocol.User.of(user))
        await self.relay.announce(changed)

    async def session_ended(self, session: str) -> None:
        """A session was revoked: its sockets, here and in every other process, are closed
        with reason ``session_revoked`` and receive nothing more."""
        digest = session_digest(session)
        self.live.end_session(digest)
        try:
            await self.relay.publish(protocol.DEFAULT_ROOM, LOGOUT, "", session=digest)
        except RoomKitError as exc:
            # The revocation stands; the other processes' sockets of this session fail
            # their next request instead (they look the session up again).
            logger.warning("logout not relayed to the other processes: %s", exc)

    async def typing(self, connection: Connection, room: str, state: bool) -> None:
        """Tell the room's other members the user started or stopped typing."""
        await self.rooms.require_member(connection.user_id, room)
        kind = EphemeralEventType.TYPING_START if state else EphemeralEventType.TYPING_STOP
        await self._publish(room, kind, connection.user, state=state)

    async def presence(self, connection: Connection, status: str) -> None:
        """Announce ``online`` / ``away`` / ``offline`` to the other users."""
        kind = EphemeralEventType(f"presence_{status}")
        await self._publish(protocol.DEFAULT_ROOM, kind, connection.user, status=status)

    async def read(self, connection: Connection, room: str, index: int) -> None:
        """Mark the room read up to ``index`` and tell its other members.

        Raises:
            ChatError: not a member, or no message at ``index``.
        """
        user_id = connection.user_id
        await self.rooms.require_member(user_id, room)
        events = await self._kit.store.list_events(room, offset=index - 1, limit=1)
        if index == 0 or not events:
            raise ChatError(Reason.INVALID_FIELD, f"room {room!r} has no message {index}")
        await self._kit.mark_read(room, user_id, events[0].id)
        kind = EphemeralEventType.READ_RECEIPT
        await self._publish(room, kind, connection.user, event_id=events[0].id, index=index)

    async def _publish(
        self, room: str, kind: EphemeralEventType, user: dict[str, Any], **data: Any
    ) -> None:
        event = EphemeralEvent(
            room_id=room, type=kind, user_id=str(user["id"]), data={"user": user, **data}
        )
        await self._kit.realtime.publish_to_room(event.room_id, event)

    # -- internals -------------------------------------------------------------------------

    async def _announce_connection(
        self, connection: Connection, kind: str, count: int, *, first: bool
    ) -> None:
        """Tell everyone of the user's first socket here (``user_joined``) or last one
        anywhere (``user_left``, ``first`` True); else only the user's own sockets."""
        user, room = protocol.User.of(connection.user), protocol.DEFAULT_ROOM
        event: protocol.UserJoined | protocol.UserLeft = (
            protocol.UserJoined(user, room, count)
            if kind == "user_joined"
            else protocol.UserLeft(user, room, count)
        )
        if not first or self.sockets.user_count > ANNOUNCE_LIMIT:
            if count <= TABS_ANNOUNCED:
                own = self.sockets.of_user(connection.user_id)
                self.sockets.push(protocol.encode(event.to_frame()), own)
            return
        await self._announce(event)

    async def _announce(self, event: protocol.UserJoined | protocol.UserLeft) -> None:
        await self.relay.announce(event)
        if isinstance(event, protocol.UserLeft):
            user = event.user.to_dict()
            await self._publish(protocol.DEFAULT_ROOM, PRESENCE_OFFLINE, user, status="offline")

    async def _gone_elsewhere(self, user: dict[str, Any]) -> None:
        """The roster found a user gone whose departure this process deferred."""
        if self.sockets.user_count <= ANNOUNCE_LIMIT:
            await self._announce(
                protocol.UserLeft(protocol.User.of(user), protocol.DEFAULT_ROOM, 0)
            )

    async def _publish_roster(self, kind: str, **data: Any) -> None:
        await self.relay.publish(protocol.DEFAULT_ROOM, kind, "", **data)

    async def _on_event(self, event: EphemeralEvent) -> None:
        await self.live.handle(event)

    def _on_stored(self, event: RoomEvent) -> str:
        """In the room lock: the sender's own sockets get the message (roomkit skips them)."""
        room, index, text = self._encoded(event)
        for socket in self.sockets.of_user(event.source.channel_id):
            self.metrics.deliveries += socket.deliver(room, index, text)
        return text

    def _encoded(self, event: RoomEvent) -> tuple[str, int, str]:
        """``(room, index, frame text)`` of a stored message, encoded once per event."""
        found = self._frames.get(event.id)
        if found is None:
            found = (event.room_id, event.index, protocol.encode(message_frame(event)))
            self._frames[event.id] = found
            if len(self._frames) > 256:
                self._frames.popitem(last=False)
        return found

    def _rename_local(self, user: dict[str, Any]) -> None:
        for socket in self.sockets.of_user(user["id"]):
            socket.user["display_name"] = user.get("display_name")


def _on_resubscribed(kit: RoomKit, callback: Callable[[], Awaitable[None]]) -> None:
    """Have ``callback`` run whenever the kit's Redis realtime backend subscribed again."""
    from roomkit.realtime.redis import RedisRealtime  # imports redis: only when distributed

    if isinstance(kit.realtime, RedisRealtime):
        kit.realtime.on_resubscribed(callback)
