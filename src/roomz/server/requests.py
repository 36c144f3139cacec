"""What the server does with each request frame of an open socket (docs/protocol.md).

Every text frame is decoded, counted against the connection's rate limit, checked against
the session (a logout or an expired session ends the connection at its next request), then
handed to the chat core. The session is looked up again at most every
:data:`SESSION_RECHECK` seconds — a logout through any roomz process makes every process
look again at once (see ``Chat.session_ended``), so only an expiry can go unnoticed for
that long. Each request gets exactly one answer: a ``result`` (or ``pong``),
or an ``error`` frame when it carried no usable ``request_id``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit.store.base import ConversationStore
from roomz import protocol as p
from roomz.errors import ChatError, ProtocolError, Reason, error_body
from roomz.server.auth import Auth, AuthError
from roomz.server.chat import Chat
from roomz.server.limits import RateLimit
from roomz.server.settings import Settings
from roomz.server.sockets import Connection

logger = logging.getLogger(__name__)

Handler = Callable[[Connection, Any], Awaitable[dict[str, Any]]]

SESSION_RECHECK = 2.0
"""Seconds a connection's session is trusted without asking the auth tables again."""


class Requests:
    """Decodes, admits and answers the request frames of every connection."""

    def __init__(
        self, chat: Chat, auth: Auth, settings: Settings, store: ConversationStore
    ) -> None:
        self._chat = chat
        self._auth = auth
        self._store = store
        self._max_content = settings.max_message_length
        self._max_bytes = settings.max_frame_bytes
        self.limit = RateLimit(settings.messages_per_second, settings.user_messages_per_second)
        self._handlers: dict[str, Handler] = {
            "send": self._send,
            "set_display_name": self._set_display_name,
            "typing": self._typing,
            "presence": self._presence,
            "read": self._read,
            "create_room": self._create_room,
            "list_rooms": self._list_rooms,
            "join": self._join,
            "leave": self._leave,
            "history": self._history,
            "who": self._who,
        }

    async def handle(self, connection: Connection, data: str | bytes | None) -> bool:
        """Answer one frame; False when the connection must close (its session ended)."""
        try:
            if not isinstance(data, str):
                raise ProtocolError.of(Reason.INVALID_FRAME, "frames are JSON text, not binary")
            request = p.decode_client_frame(
                data, max_content=self._max_content, max_frame_bytes=self._max_bytes
            )
        except ProtocolError as exc:
            if not self._admitted(connection, exc.request_id):
                return True
            connection.push(p.encode(exc.to_frame()))
            return True
        if not self._admitted(connection, request.request_id):
            return True
        if not await self._session_live(connection):
            message = "the session has ended (logged out or expired): log in again"
            connection.push(_failed(request.request_id, Reason.NOT_AUTHENTICATED, message))
            return False
        connection.push(p.encode((await self._answer(connection, request)).to_frame()))
        return True

    async def _session_live(self, connection: Connection) -> bool:
        now = time.monotonic()
        if now - connection.checked < SESSION_RECHECK:
            return True
        if await self._auth.user_for_session(connection.session) is None:
            return False
        connection.checked = now
        return True

    def _admitted(self, connection: Connection, request_id: str | None) -> bool:
        retry = self.limit.wait(connection)
        if not retry:
            return True
        self._chat.metrics.rate_limited += 1
        body = error_body(Reason.RATE_LIMITED, self.limit.describe(), retry_after=round(retry, 3))
        refusal = p.ErrorFrame(body) if request_id is None else p.Result(request_id, body)
        connection.push(p.encode(refusal.to_frame()))
        return False

    async def _answer(self, connection: Connection, request: p.Request) -> p.Result | p.Pong:
        if isinstance(request, p.Ping):
            return p.Pong(request.request_id)
        try:
            fields = await self._handlers[request.type](connection, request)
        except (ChatError, AuthError) as exc:
            return p.Result(request.request_id, _body(exc))
        except Exception:
            logger.exception("%s request failed", request.type)
            message = "the server failed on this request; try again"
            return p.Result(request.request_id, error_body(Reason.INTERNAL_ERROR, message))
        return p.Result.ok(request.request_id, **fields)

    # -- one method per request type ---------------------------------------------------------

    async def _send(self, connection: Connection, request: p.Send) -> dict[str, Any]:
        started = time.perf_counter()
        fields = await self._chat.post(connection, request)
        # Your own message is never unread: the read watermark (which never moves back)
        # moves to it, so unread counts are right in every client and every process.
        await self._store.mark_read(fields["room"], connection.user_id, fields["message_id"])
        self._chat.metrics.send_latency.observe(time.perf_counter() - started)
        return fields

    async def _set_display_name(
        self, connection: Connection, request: p.SetDisplayName
    ) -> dict[str, Any]:
        user = await self._auth.set_display_name(connection.user_id, request.name)
        await self._chat.renamed(user)
        return {"display_name": user["display_name"]}

    async def _typing(self, connection: Connection, request: p.Typing) -> dict[str, Any]:
        await self._chat.typing(connection, request.room, request.state)
        return {}

    async def _presence(self, connection: Connection, request: p.Presence) -> dict[str, Any]:
        await self._chat.presence(connection, request.status)
        return {}

    async def _read(self, connection: Connection, request: p.Read) -> dict[str, Any]:
        await self._chat.read(connection, request.room, request.index)
        return {}

    async def _create_room(self, connection: Connection, request: p.CreateRoom) -> dict[str, Any]:
        await self._chat.rooms.create(connection, request.room)
        return {"room": request.room}

    async def _list_rooms(self, connection: Connection, request: p.ListRooms) -> dict[str, Any]:
        return {"rooms": await self._chat.rooms.list_rooms(connection)}

    async def _join(self, connection: Connection, request: p.Join) -> dict[str, Any]:
        await self._chat.rooms.join(connection, request.room)
        page = await self._chat.history.newest(request.room, self._chat.rooms.history_limit)
        history = page.pop("messages")
        return {**page, "history": history}

    async def _leave(self, connection: Connection, request: p.Leave) -> dict[str, Any]:
        await self._chat.rooms.leave(connection, request.room)
        return {"room": request.room}

    async def _history(self, connection: Connection, request: p.History) -> dict[str, Any]:
        await self._chat.rooms.require_member(connection.user_id, request.room)
        pages, room = self._chat.history, request.room
        limit = request.limit or p.HISTORY_PAGE_LIMIT
        if request.before is None:
            return await pages.after(room, request.since, limit)
        return await pages.before(room, request.before, request.since, limit)

    async def _who(self, connection: Connection, request: p.Who) -> dict[str, Any]:
        return {"room": request.room, "users": await self._chat.who(connection, request.room)}


def _body(exc: ChatError | AuthError) -> dict[str, Any]:
    return exc.frame() if isinstance(exc, ChatError) else exc.body()


def _failed(request_id: str, reason: Reason, message: str) -> str:
    return p.encode(p.Result(request_id, error_body(reason, message)).to_frame())
