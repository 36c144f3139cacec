"""A stand-in roomz server: the real HTTP + WebSocket protocol over an in-memory state.

It decodes every client frame with :mod:`roomz.protocol` and builds every answer with it,
so the client is tested against the same wire format the real server speaks. Tests reach
into the state (``rooms``, ``login_requests``) and steer it (``post``, ``close_all``,
``drop_before_next_result``, ``history_gate``, ``page_size``, ``send_refusals``,
``results_lost``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from roomz import protocol as p
from roomz.errors import ProtocolError, Reason, error_body

Frame = dict[str, Any]
Handler = Callable[[str, Any], Awaitable[Frame]]


def _refuse(request: p.Request, reason: Reason, message: str) -> Frame:
    return ProtocolError.of(reason, message, request_id=request.request_id).to_frame()


class FakeServer:
    """The state of a small roomz deployment and the Starlette app that serves it."""

    def __init__(self, *, max_content: int = p.MAX_CONTENT_LENGTH) -> None:
        self.max_content = max_content
        self.login_requests: list[str] = []
        self.magic_tokens: dict[str, str] = {}  # unused magic-link token → email
        self.sessions: dict[str, str] = {}  # session token → email
        self.names: dict[str, str | None] = {}
        self.rooms: dict[str, list[Frame]] = {p.DEFAULT_ROOM: []}
        self.members: dict[str, set[str]] = {p.DEFAULT_ROOM: set()}  # besides the default room
        self.by_client_id: dict[tuple[str, str], Frame] = {}
        self.requests: list[p.Request] = []
        self.sockets: dict[WebSocket, str] = {}
        self.drop_before_next_result = False
        self.history_gate: asyncio.Event | None = None  # when set, history waits for it
        self.page_size: int | None = None  # when set, history answers in pages this long
        self.send_refusals: list[Frame] = []  # error bodies the next sends get instead
        self.results_lost = 0  # sends whose result is never written (stored all the same)
        self.app = Starlette(
            routes=[
                Route("/auth/login", self._login, methods=["POST"]),
                Route("/auth/token", self._exchange, methods=["POST"]),
                WebSocketRoute("/ws", self._websocket),
            ]
        )
        self._handlers: dict[str, Handler] = {
            "send": self._send,
            "set_display_name": self._set_display_name,
            "create_room": self._create_room,
            "join": self._join,
            "leave": self._leave,
            "list_rooms": self._list_rooms,
            "history": self._history,
            "typing": self._ephemeral,
            "presence": self._ephemeral,
            "read": self._read,
            "who": self._who,
        }
        self.status: dict[str, str] = {}  # last presence of users with a socket open

    # -- helpers for tests ----------------------------------------------------------------

    def issue_magic_token(self, email: str) -> str:
        """What the login e-mail would carry."""
        token = secrets.token_urlsafe(16)
        self.magic_tokens[token] = email
        return token

    def user(self, email: str) -> Frame:
        return p.user_info(email, self.names.get(email))

    def is_member(self, email: str, room: str) -> bool:
        return room == p.DEFAULT_ROOM or email in self.members.get(room, set())

    async def post(
        self,
        email: str,
        content: str,
        *,
        room: str = p.DEFAULT_ROOM,
        client_id: str | None = None,
        skip: WebSocket | None = None,
    ) -> Frame:
        """Store a message from ``email`` and broadcast it (to every member but ``skip``)."""
        index = len(self.rooms[room]) + 1
        frame = p.message_frame(
            str(uuid.uuid4()),
            self.user(email),
            content,
            room=room,
            index=index,
            client_id=client_id,
        )
        self.rooms[room].append(frame)
        if client_id is not None:
            self.by_client_id[(email, client_id)] = frame
        await self.broadcast(frame, room=room, skip=skip)
        return frame

    async def broadcast(
        self, frame: Frame, *, room: str | None, skip: WebSocket | None = None
    ) -> None:
        text = p.encode(frame)
        for ws, email in list(self.sockets.items()):
            if ws is not skip and (room is None or self.is_member(email, room)):
                # A socket closing under us raises; its reader task cleans up.
                with contextlib.suppress(Exception):
                    await ws.send_text(text)

    async def close_all(self, code: int = 1012) -> None:
        """Close every socket from the server side (1012: service restart)."""
        for ws in list(self.sockets):
            await ws.close(code)

    # -- HTTP -----------------------------------------------------------------------------

    async def _login(self, request: HttpRequest) -> JSONResponse:
        body = await request.json()
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or "@" not in email:
            return JSONResponse(error_body(Reason.INVALID_EMAIL, f"bad e-mail {email!r}"), 400)
        self.login_requests.append(email)
        self.issue_magic_token(email)
        return JSONResponse({"status": "ok"}, 202)

    async def _exchange(self, request: HttpRequest) -> JSONResponse:
        body = await request.json()
        session = self._open_session(str(body.get("token")))
        if session is None:
            return JSONResponse(error_body(Reason.INVALID_TOKEN, "invalid token"), 401)
        return JSONResponse({"session_token": session, "user": self.user(self.sessions[session])})

    def _open_session(self, token: str) -> str | None:
        """A session token for ``token`` (a session, or an unused magic link), or ``None``."""
        if token in self.sessions:
            return token
        email = self.magic_tokens.pop(token, None)
        if email is None:
            return None
        session = secrets.token_urlsafe(16)
        self.sessions[session] = email
        return session

    # -- WebSocket ------------------------------------------------------------------------

    async def _websocket(self, ws: WebSocket) -> None:
        header = ws.headers.get("authorization", "")
        session = self._open_session(header.removeprefix("Bearer "))
        if session is None:
            body = error_body(Reason.INVALID_TOKEN, "invalid token")
            await ws.send_denial_response(JSONResponse(body, 401))
            return
        email = self.sessions[session]
        await ws.accept()
        self.sockets[ws] = email
        first = self.connections(email) == 1
        rooms = [
            {"room": room, "last_index": len(messages)}
            for room, messages in self.rooms.items()
            if self.is_member(email, room)
        ]
        await ws.send_text(p.encode(p.authenticated_frame(self.user(email), session, rooms=rooms)))
        if first:
            await self._announce_connection(email, "user_joined", skip=ws)
        try:
            while True:
                await self._handle(ws, email, await ws.receive_text())
        except WebSocketDisconnect:
            pass
        finally:
            self.sockets.pop(ws, None)
            if not self.connections(email):
                self.status.pop(email, None)
                await self._announce_connection(email, "user_left")

    def connections(self, email: str) -> int:
        return sum(1 for mail in self.sockets.values() if mail == email)

    async def _announce_connection(
        self, email: str, kind: str, skip: WebSocket | None = None
    ) -> None:
        """A user's first socket opened or last one closed (the real server's policy below
        its ANNOUNCE_LIMIT; tabs in between are not announced here)."""
        count = self.connections(email)
        field = "total_connections" if kind == "user_joined" else "remaining_connections"
        fields = {"room": p.DEFAULT_ROOM, field: count}
        await self.broadcast(p.event_frame(kind, self.user(email), **fields), room=None, skip=skip)
        if kind == "user_left":
            offline = p.event_frame("presence", self.user(email), status=p.PRESENCE_OFFLINE)
            await self.broadcast(offline, room=None)

    async def _handle(self, ws: WebSocket, email: str, text: str) -> None:
        try:
            request = p.decode_client_frame(text, max_content=self.max_content)
        except ProtocolError as exc:
            await ws.send_text(p.encode(exc.to_frame()))
            return
        self.requests.append(request)
        if isinstance(request, p.Ping):
            await ws.send_text(p.encode(p.pong_frame(request.request_id)))
            return
        if isinstance(request, p.Send) and self.drop_before_next_result:
            # Stored and broadcast to the others, but the sender's socket dies first.
            self.drop_before_next_result = False
            await self._send(email, request, skip=ws)
            await ws.close(1011)
            raise WebSocketDisconnect(1011)
        if isinstance(request, p.Send) and self.send_refusals:
            refusal = self.send_refusals.pop(0)
            await ws.send_text(
                p.encode({**refusal, "type": "result", "request_id": request.request_id})
            )
            return
        answer = await self._handlers[request.type](email, request)
        if isinstance(request, p.Send) and self.results_lost:
            self.results_lost -= 1
            return
        await ws.send_text(p.encode(answer))

    async def _send(self, email: str, request: p.Send, skip: WebSocket | None = None) -> Frame:
        if not self.is_member(email, request.room):
            return _refuse(request, Reason.NOT_A_MEMBER, f"not in room {request.room!r}")
        stored = request.client_id and self.by_client_id.get((email, request.client_id))
        if not stored:
            stored = await self.post(
                email, request.content, room=request.room, client_id=request.client_id, skip=skip
            )
        fields = {k: stored[k] for k in ("timestamp", "room", "index", "client_id")}
        return p.result_frame(request.request_id, message_id=stored["id"], **fields)

    async def _set_display_name(self, email: str, request: p.SetDisplayName) -> Frame:
        self.names[email] = request.name
        user = {"id": f"user:{email}", "email": email}
        frame = p.event_frame("display_name_changed", user, display_name=request.name)
        await self.broadcast(frame, room=None)
        return p.result_frame(request.request_id, display_name=request.name)

    async def _create_room(self, email: str, request: p.CreateRoom) -> Frame:
        if request.room in self.rooms:
            return _refuse(request, Reason.ROOM_EXISTS, f"room {request.room!r} exists")
        self.rooms[request.room] = []
        self.members[request.room] = {email}
        return p.result_frame(request.request_id, room=request.room)

    async def _join(self, email: str, request: p.Join) -> Frame:
        if request.room not in self.rooms:
            return _refuse(request, Reason.ROOM_NOT_FOUND, f"no room {request.room!r}")
        self.members.setdefault(request.room, set()).add(email)
        total = sum(1 for mail in self.sockets.values() if mail == email)
        joined = p.event_frame(
            "user_joined", self.user(email), room=request.room, total_connections=total
        )
        await self.broadcast(joined, room=request.room)
        messages = self.rooms[request.room]
        return p.result_frame(
            request.request_id, room=request.room, last_index=len(messages), history=messages[-50:]
        )

    async def _leave(self, email: str, request: p.Leave) -> Frame:
        if request.room == p.DEFAULT_ROOM:
            return _refuse(request, Reason.INVALID_FIELD, "everyone stays in the default room")
        self.members.get(request.room, set()).discard(email)
        return p.result_frame(request.request_id, room=request.room)

    async def _list_rooms(self, email: str, request: p.ListRooms) -> Frame:
        rooms = [
            {"room": room, "last_index": len(messages), "joined": self.is_member(email, room)}
            for room, messages in self.rooms.items()
        ]
        return p.result_frame(request.request_id, rooms=rooms)

    async def _history(self, email: str, request: p.History) -> Frame:
        if request.room not in self.rooms:
            return _refuse(request, Reason.ROOM_NOT_FOUND, f"no room {request.room!r}")
        if not self.is_member(email, request.room):
            return _refuse(request, Reason.NOT_A_MEMBER, f"not in room {request.room!r}")
        if self.history_gate is not None:
            await self.history_gate.wait()
        messages = self.rooms[request.room]
        after = [m for m in messages if m["index"] > request.since]
        if self.page_size is None:
            return p.result_frame(request.request_id, room=request.room, messages=after)
        page = after[: self.page_size]
        return p.result_frame(
            request.request_id, room=request.room, messages=page,
            has_more=len(after) > len(page), first_index=1 if messages else 0,
            last_index=len(messages),
        )  # fmt: skip

    async def _read(self, email: str, request: p.Read) -> Frame:
        if request.room not in self.rooms:
            return _refuse(request, Reason.ROOM_NOT_FOUND, f"no room {request.room!r}")
        if not self.is_member(email, request.room):
            return _refuse(request, Reason.NOT_A_MEMBER, f"not in room {request.room!r}")
        if not 0 < request.index <= len(self.rooms[request.room]):
            message = f"room {request.room!r} has no message {request.index}"
            return _refuse(request, Reason.INVALID_FIELD, message)
        return await self._ephemeral(email, request)

    async def _who(self, email: str, request: p.Who) -> Frame:
        if request.room not in self.rooms:
            return _refuse(request, Reason.ROOM_NOT_FOUND, f"no room {request.room!r}")
        if not self.is_member(email, request.room):
            return _refuse(request, Reason.NOT_A_MEMBER, f"not in room {request.room!r}")
        here = sorted(
            {mail for mail in self.sockets.values() if self.is_member(mail, request.room)}
        )
        users = [
            {"user": self.user(mail), "status": self.status.get(mail, "online"),
             "connections": self.connections(mail)}
            for mail in here
        ]  # fmt: skip
        return p.result_frame(request.request_id, room=request.room, users=users)

    async def _ephemeral(self, email: str, request: Any) -> Frame:
        """typing / presence / read: relay to the others, never stored."""
        if isinstance(request, p.Typing):
            frame = p.event_frame(
                "typing", self.user(email), room=request.room, state=request.state
            )
        elif isinstance(request, p.Presence):
            self.status[email] = request.status
            frame = p.event_frame("presence", self.user(email), status=request.status)
        else:
            frame = p.event_frame(
                "read_receipt", self.user(email), room=request.room, index=request.index
            )
        await self.broadcast(frame, room=getattr(request, "room", None))
        return p.result_frame(request.request_id)
