"""roomz's policy on roomkit: who is in which room, and how a chat message travels.

* Each user is a roomkit ``WebSocketChannel`` whose id is the user id
  (``user:alice@example.com``); every socket the user has open (browser tabs, Python
  clients, terminal clients) is a connection on that channel.
* Each chat room is a roomkit room with the same id. Membership is a channel binding:
  joining attaches the user's channel, leaving detaches it. Everyone is a member of
  :data:`~roomz.protocol.DEFAULT_ROOM`.
* A message is an ``InboundMessage`` on the sender's channel, so it passes roomkit's lock,
  idempotency (the client's ``client_id``), hooks and store, and roomkit fans it out to the
  other members' channels; the relay channel (:mod:`roomz.server.relay`), bound to every
  room, hands it to the sender's own sockets and to the other processes, in the room lock.
* Each message frame is encoded to JSON once, however many sockets receive it.
* Typing, presence and read receipts are roomkit ephemeral events on the realtime backend;
  read receipts also move the store's read watermark, which unread counts count from.

Connection events, the policy: when a user's first socket in this process opens, everyone
receives ``user_joined`` (room ``general``); when their last one closes, ``user_left`` and
presence ``offline``. Sockets opened or closed in between are announced to the user's own
sockets only (while they number at most :data:`TABS_ANNOUNCED`), so a user with many tabs
does not cost everyone a frame per tab, nor each tab a frame per other tab. And while
more than :data:`ANNOUNCE_LIMIT` users are connected here, arrivals and departures are not
broadcast at all: telling n users about n arrivals is n² frames (a million for a thousand
people logging in), which would starve the room's messages for no reader's benefit.
Explicit presence changes, room joins and leaves are always announced.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections import OrderedDict
from typing import Any

from roomkit import (
    ChannelAlreadyAttachedError,
    EphemeralEvent,
    EphemeralEventType,
    InboundMessage,
    RoomEvent,
    RoomExistsError,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomz import protocol
from roomz.errors import REASON_CODES, Reason
from roomz.server.ephemeral import frame_for
from roomz.server.metrics import Metrics
from roomz.server.outbox import Outbox
from roomz.server.relay import MESSAGE, RELAY_CHANNEL_ID, Relay
from roomz.server.sockets import Connection, LocalSockets

CHAT_ROOM = {"roomz": True}  # the metadata that marks a roomkit room as a chat room
ANNOUNCE_LIMIT = 200
"""Connected users (in this process) above which connections are not announced to all."""
LOGOUT = "logout"
TABS_ANNOUNCED = 8
"""Sockets of one user up to which each hears of the others opening and closing."""


class ChatError(Exception):
    """A request the chat refuses, with a stable protocol reason and its HTTP-like code."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = REASON_CODES[reason]

    def frame(self) -> dict[str, Any]:
        """The answer's fields: ``{"error", "code", "reason"}``."""
        return {"error": str(self), "code": self.code, "reason": str(self.reason)}


class Chat:
    """Chat rooms on one RoomKit: connect sockets, post messages, join and leave.

    Args:
        kit: the kit holding rooms, channels and the realtime backend.
        max_message_length: characters a message may have.
        history_limit: messages a join returns.
        distributed: other processes share the store and realtime backend (relay messages).
        metrics: counters to bump.
    """

    def __init__(
        self,
        kit: RoomKit,
        *,
        max_message_length: int = protocol.MAX_CONTENT_LENGTH,
        history_limit: int = 50,
        distributed: bool = False,
        metrics: Metrics | None = None,
    ) -> None:
        self._kit = kit
        self.max_message_length = max_message_length
        self.history_limit = history_limit
        self.metrics = metrics or Metrics()
        self.sockets = LocalSockets()
        self.relay = Relay(kit, self._on_event, self._on_stored, distributed=distributed)
        self._channels: dict[str, WebSocketChannel] = {}
        self._frames: OrderedDict[str, tuple[str, int, str]] = OrderedDict()
        self._ids = itertools.count(1)

    async def open(self) -> None:
        """Register the relay, make sure the default room exists, watch it."""
        self._kit.register_channel(self.relay.channel)
        await self.create_room(protocol.DEFAULT_ROOM)
        for room in await self._kit.store.find_rooms(metadata_filter=CHAT_ROOM):
            await self._bind_relay(room.id)
        await self.relay.watch(protocol.DEFAULT_ROOM)

    async def close(self) -> None:
        """Stop watching rooms (the kit is closed by its owner)."""
        await self.relay.close()

    async def create_room(self, room: str) -> bool:
        """Create a chat room; False if it exists already."""
        try:
            await self._kit.create_room(room, metadata=dict(CHAT_ROOM))
        except RoomExistsError:
            return False
        await self._bind_relay(room)
        return True

    # -- sockets ---------------------------------------------------------------------------

    def new_connection(self, user: dict[str, Any], session: str, outbox: Outbox) -> Connection:
        """A connection object for a socket about to be registered with :meth:`connect`."""
        return Connection(f"{user['id']}#{next(self._ids)}", dict(user), session, outbox)

    async def connect(self, connection: Connection) -> list[dict[str, Any]]:
        """Register a socket; the user joins the default room. Returns the user's rooms as
        ``[{"room", "last_index"}]`` for the ``authenticated`` frame.

        The socket is registered before the last indexes are read, so a message stored
        meanwhile is either counted in ``last_index`` or delivered live (or both: the client
        skips what is at or below ``last_index``), never neither.
        """
        user_id = connection.user_id
        rooms = await self._memberships(user_id)
        for room in rooms:
            await self.relay.watch(room)
        count = self.sockets.add(connection, rooms)
        self.metrics.connections += 1
        metrics = self.metrics

        async def deliver(connection_id: str, event: RoomEvent) -> None:
            metrics.deliveries += connection.deliver(*self._encoded(event))

        self._channel(user_id).register_connection(connection.id, deliver)
        await self._announce_connection(connection, "user_joined", count)
        store = self._kit.store
        return [
            {"room": room, "last_index": await store.get_event_count(room)}
            for room in sorted(rooms)
        ]

    async def disconnect(self, connection: Connection) -> None:
        """Forget a socket (its user stays a member of their rooms)."""
        self._channel(connection.user_id).unregister_connection(connection.id)
        if not self.sockets.has(connection):
            await connection.outbox.close()
            return  # connect() failed before registering it
        remaining = self.sockets.remove(connection)
        self.metrics.connections -= 1
        await connection.outbox.close()
        with contextlib.suppress(Exception):  # Redis may be gone at shutdown
            await self._announce_connection(connection, "user_left", remaining)

    def sockets_of(self, user_id: str) -> list[Connection]:
        """The user's open sockets in this process."""
        return self.sockets.of_user(user_id)

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
        await self._require_member(user["id"], request.room)
        key = f"{user['id']}:{request.client_id}" if request.client_id else None
        message = InboundMessage(
            channel_id=user["id"],
            sender_id=user["id"],
            content=TextContent(body=content),
            idempotency_key=key,
            metadata={"user": user, "client_id": request.client_id},
        )
        result = await self._kit.process_inbound(message, room_id=request.room)
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

    async def missed(self, connection: Connection, room: str, since: int) -> list[dict[str, Any]]:
        """Every message of ``room`` after index ``since``, for a member.

        Raises:
            ChatError: not a member, or no such room.
        """
        await self._require_member(connection.user_id, room)
        return await self.history(room, since=since)

    async def history(
        self, room: str, *, since: int | None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Messages after index ``since`` in order, or the newest ``limit`` when None."""
        store = self._kit.store
        if since is None:
            limit = limit or self.history_limit
            start = max(0, await store.get_event_count(room) - limit)
            events = await store.list_events(room, offset=start, limit=limit)
        else:
            events = []
            while page := await store.list_events(room, offset=since + len(events), limit=1000):
                events += page
        return [message_frame(e) for e in events if e.status.value != "blocked"]

    # -- rooms -----------------------------------------------------------------------------

    async def join(self, connection: Connection, room: str) -> dict[str, Any]:
        """Make the user a member of ``room``: ``{"room", "last_index", "history"}``.

        Raises:
            ChatError: no such room.
        """
        if await self._kit.store.get_room(room) is None:
            raise ChatError(Reason.ROOM_NOT_FOUND, f"there is no room {room!r}")
        user_id = connection.user_id
        if await self._ensure_member(user_id, room):
            self.sockets.joined(user_id, room)
            await self.relay.watch(room)
            frame = protocol.event_frame(
                "user_joined", connection.user, room=room,
                total_connections=self.sockets.count(user_id),
            )  # fmt: skip
            await self.relay.announce("user_joined", user_id, frame)
        history = await self.history(room, since=None)
        last = await self._kit.store.get_event_count(room)
        return {"room": room, "last_index": last, "history": history}

    async def leave(self, connection: Connection, room: str) -> None:
        """Stop being a member of ``room`` (every socket of the user leaves with it)."""
        if room == protocol.DEFAULT_ROOM:
            raise ChatError(Reason.INVALID_FIELD, "everyone stays in the default room")
        user_id = connection.user_id
        if await self._kit.store.get_binding(room, user_id) is None:
            return
        with contextlib.suppress(Exception):  # a concurrent leave from another tab won
            await self._kit.detach_channel(room, user_id)
        frame = protocol.event_frame(
            "user_left", connection.user, room=room,
            remaining_connections=self.sockets.count(user_id),
        )  # fmt: skip
        await self.relay.announce("user_left", user_id, frame)  # members hear it first
        self.sockets.left(user_id, room)

    async def create(self, connection: Connection, room: str) -> None:
        """Create ``room`` with the user as its first member.

        Raises:
            ChatError: the room exists.
        """
        if not await self.create_room(room):
            raise ChatError(Reason.ROOM_EXISTS, f"room {room!r} exists already")
        await self.join(connection, room)

    async def list_rooms(self, connection: Connection) -> list[dict[str, Any]]:
        """Every chat room: ``{"room", "last_index", "joined", "unread"}``."""
        store, user_id = self._kit.store, connection.user_id
        listed = []
        for room in await store.find_rooms(metadata_filter=CHAT_ROOM):
            joined = await store.get_binding(room.id, user_id) is not None
            unread = await store.get_unread_count(room.id, user_id) if joined else 0
            last = await store.get_event_count(room.id)
            listed.append({"room": room.id, "last_index": last, "joined": joined, "unread": unread})
        return listed

    # -- names and ephemeral events ----------------------------------------------------------

    async def renamed(self, user: dict[str, Any]) -> None:
        """The user's display name changed: tell every connected user, in every process."""
        self._rename_local(user)
        who = {"id": user["id"], "email": user["email"]}
        frame = protocol.event_frame(
            "display_name_changed", who, display_name=user.get("display_name")
        )
        await self.relay.announce("display_name_changed", user["id"], frame)

    async def session_ended(self, session: str) -> None:
        """A session was revoked: its sockets, in every process, check it at their next
        request (and then close)."""
        digest = _digest(session)
        self._recheck(digest)
        await self.relay.publish(protocol.DEFAULT_ROOM, LOGOUT, "", session=digest)

    def _recheck(self, digest: str) -> None:
        for socket in self.sockets.everyone():
            if _digest(socket.session) == digest:
                socket.checked = float("-inf")

    async def typing(self, connection: Connection, room: str, state: bool) -> None:
        """Tell the room's other members the user started or stopped typing."""
        await self._require_member(connection.user_id, room)
        kind = EphemeralEventType.TYPING_START if state else EphemeralEventType.TYPING_STOP
        await self._publish(room, kind, connection, state=state)

    async def presence(self, connection: Connection, status: str) -> None:
        """Announce ``online`` / ``away`` / ``offline`` to the other users."""
        kind = EphemeralEventType(f"presence_{status}")
        await self._publish(protocol.DEFAULT_ROOM, kind, connection, status=status)

    async def read(self, connection: Connection, room: str, index: int) -> None:
        """Mark the room read up to ``index`` and tell its other members.

        Raises:
            ChatError: not a member, or no message at ``index``.
        """
        user_id = connection.user_id
        await self._require_member(user_id, room)
        events = await self._kit.store.list_events(room, offset=index - 1, limit=1)
        if index == 0 or not events:
            raise ChatError(Reason.INVALID_FIELD, f"room {room!r} has no message {index}")
        await self._kit.mark_read(room, user_id, events[0].id)
        kind = EphemeralEventType.READ_RECEIPT
        await self._publish(room, kind, connection, event_id=events[0].id, index=index)

    async def _publish(
        self, room: str, kind: EphemeralEventType, connection: Connection, **data: Any
    ) -> None:
        event = EphemeralEvent(
            room_id=room, type=kind, user_id=connection.user_id,
            data={"user": connection.user, **data},
        )  # fmt: skip
        await self._kit.realtime.publish(event)

    # -- what arrives from the realtime backend ----------------------------------------------

    async def _on_event(self, event: EphemeralEvent) -> None:
        if event.type is not EphemeralEventType.CUSTOM:
            self._push_ephemeral(event)
            return
        kind = event.data.get("kind")
        if kind == LOGOUT:
            if not self.relay.is_own(event):
                self._recheck(str(event.data.get("session")))
            return
        if kind == MESSAGE:
            if not self.relay.is_own(event):
                room, index = event.room_id, int(event.data["index"])
                self.metrics.deliveries += self.sockets.deliver(room, index, event.data["text"])
            return
        frame = event.data.get("frame")
        if not isinstance(frame, dict):
            return
        if not self.relay.is_own(event):
            await self._follow(str(kind), event.user_id, frame)
        self._push_announcement(str(kind), event.user_id, frame)

    def _push_ephemeral(self, event: EphemeralEvent) -> None:
        frame = frame_for(event)
        if frame is None:
            return
        if frame["type"] == "presence":
            targets = self.sockets.everyone(skip=event.user_id)
        else:
            targets = self.sockets.in_room(event.room_id, skip=event.user_id)
        self.sockets.push(protocol.encode(frame), targets)

    def _push_announcement(self, kind: str, user_id: str, frame: dict[str, Any]) -> None:
        text = protocol.encode(frame)
        if kind == "display_name_changed":
            self.sockets.push(text, self.sockets.everyone())
        else:
            room = str(frame.get("room", protocol.DEFAULT_ROOM))
            self.sockets.push(text, self.sockets.in_room(room))

    async def _follow(self, kind: str, user_id: str, frame: dict[str, Any]) -> None:
        """Keep this process's view in step with a change another process made."""
        room = str(frame.get("room", ""))
        if kind == "display_name_changed":
            for socket in self.sockets.of_user(user_id):
                socket.user["display_name"] = frame.get("display_name")
        elif kind == "user_joined" and self.sockets.count(user_id) and room:
            if room not in self.sockets.rooms_of(user_id):
                self.sockets.joined(user_id, room)
                await self.relay.watch(room)
                # roomkit caches a room's bindings for a few seconds per process; rewriting
                # the binding makes this process's next broadcast see the new member.
                with contextlib.suppress(Exception):
                    await self._kit.set_visibility(room, user_id, "all")
        elif kind == "user_left" and room:
            self.sockets.left(user_id, room)

    # -- internals -------------------------------------------------------------------------

    async def _announce_connection(self, connection: Connection, kind: str, count: int) -> None:
        field = "total_connections" if kind == "user_joined" else "remaining_connections"
        frame = protocol.event_frame(
            kind, connection.user, room=protocol.DEFAULT_ROOM, **{field: count}
        )
        first_or_last = count == (1 if kind == "user_joined" else 0)
        if not first_or_last or self.sockets.user_count > ANNOUNCE_LIMIT:
            if count <= TABS_ANNOUNCED:
                own = self.sockets.of_user(connection.user_id)
                self.sockets.push(protocol.encode(frame), own)
            return
        await self.relay.announce(kind, connection.user_id, frame)
        if kind == "user_left":
            await self.presence(connection, "offline")

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

    async def _memberships(self, user_id: str) -> set[str]:
        """The user's chat rooms (from memory when the user has a socket here already:
        membership changes made anywhere reach every process)."""
        known = self.sockets.rooms_of(user_id)
        if known:
            return set(known)
        await self._ensure_member(user_id, protocol.DEFAULT_ROOM)
        store, rooms = self._kit.store, set()
        for room in await store.find_rooms(metadata_filter=CHAT_ROOM):
            if await store.get_binding(room.id, user_id) is not None:
                rooms.add(room.id)
        return rooms

    async def _require_member(self, user_id: str, room: str) -> None:
        if room in self.sockets.rooms_of(user_id):
            return
        store = self._kit.store
        if await store.get_binding(room, user_id) is not None:
            return
        if await store.get_room(room) is None:
            raise ChatError(Reason.ROOM_NOT_FOUND, f"there is no room {room!r}")
        raise ChatError(Reason.NOT_A_MEMBER, f"join room {room!r} first")

    async def _ensure_member(self, user_id: str, room: str) -> bool:
        """Bind the user's channel to ``room``; True if it was not bound."""
        self._channel(user_id)
        if await self._kit.store.get_binding(room, user_id) is not None:
            return False
        try:
            await self._kit.attach_channel(room, user_id)
        except ChannelAlreadyAttachedError:
            return False  # another socket of the user (or another process) got there first
        return True

    async def _bind_relay(self, room: str) -> None:
        if await self._kit.store.get_binding(room, RELAY_CHANNEL_ID) is None:
            with contextlib.suppress(ChannelAlreadyAttachedError):
                await self._kit.attach_channel(room, RELAY_CHANNEL_ID)

    def _channel(self, user_id: str) -> WebSocketChannel:
        channel = self._channels.get(user_id)
        if channel is None:
            channel = self._channels[user_id] = WebSocketChannel(user_id)
            self._kit.register_channel(channel)
        return channel


def _digest(session: str) -> str:
    # Other processes learn which session ended without the token crossing Redis.
    return hashlib.sha256(session.encode()).hexdigest()


def message_frame(event: RoomEvent) -> dict[str, Any]:
    """The ``message`` frame for a stored chat event."""
    user = event.metadata.get("user") or {
        "id": event.source.channel_id,
        "email": "",
        "display_name": None,
    }
    body = getattr(event.content, "body", "")
    return protocol.message_frame(
        event.id,
        user,
        str(body),
        room=event.room_id,
        index=event.index,
        client_id=event.metadata.get("client_id"),
        at=protocol.timestamp(event.created_at),
    )
