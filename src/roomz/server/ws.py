"""The ``/ws`` endpoint: the handshake checks, then one chat connection per socket.

Handshake, before any WebSocket is opened:

* an ``Origin`` header other than the site's own is refused with HTTP 403
  (``forbidden_origin``), so a page of another site cannot use a visitor's cookie;
* ``Authorization: Bearer <token>`` (a session or an unused magic-link token) or, from
  browsers, the ``roomz_session`` cookie must name a live session, else HTTP 401;
* a user who has ``max_sockets_per_user`` sockets open in this process already is refused
  with HTTP 429 (``too_many_sockets``).

Then the first frame is ``authenticated`` (with ``session_token`` only for a bearer
token: a cookie's value stays out of reach of page scripts), and every text frame is a
request answered by :class:`~roomz.server.requests.Requests`. Frames go out through the connection's
:class:`~roomz.server.outbox.Outbox`; a socket that falls too far behind is closed with
1013, and one whose session ended (logout, expiry) with 1008 after its last answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from roomkit.store.base import ConversationStore
from roomz import protocol as p
from roomz.errors import Reason, error_body
from roomz.server.auth import Auth, AuthError
from roomz.server.auth.sessions import SESSION_COOKIE
from roomz.server.chat import Chat
from roomz.server.outbox import Outbox, SendText
from roomz.server.requests import Requests
from roomz.server.routes import FORBIDDEN_ORIGIN
from roomz.server.settings import Settings
from roomz.server.sockets import Connection

logger = logging.getLogger(__name__)

CLOSE_POLICY = 1008  # the session ended
CLOSE_TRY_AGAIN = 1013  # too slow a reader: reconnect and catch up by history


class ChatEndpoint:
    """Serves ``/ws``: an ASGI app for WebSocket scopes (see ``roomz.server.app``).

    It is called with the server's own ``send``, ahead of Starlette's middleware: each
    frame goes to uvicorn as one ``websocket.send`` message, without the per-message state
    checks of Starlette's ``WebSocket.send`` — that is most of a fan-out's cost per socket
    after the system call itself. The handshake and closing still go through ``WebSocket``.
    """

    def __init__(
        self, chat: Chat, auth: Auth, settings: Settings, store: ConversationStore
    ) -> None:
        self._chat = chat
        self._auth = auth
        self._origins = settings.origins
        self._origin = settings.origin
        self._max_sockets = settings.max_sockets_per_user
        self._requests = Requests(chat, auth, settings, store)
        # Sockets per user, counted from the handshake check (before any await), so that
        # a burst of handshakes cannot all pass the check before one is registered.
        self._open: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def write(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        await self.serve(WebSocket(scope, receive, send), write)

    async def serve(self, ws: WebSocket, write: SendText | None = None) -> None:
        """Check the handshake, then run the connection until either side closes it;
        frames go out through ``write`` (default: ``ws.send_text``)."""
        refusal = self._origin_refusal(ws) or await self._identify(ws)
        if not isinstance(refusal, JSONResponse):
            refusal = self._count_in(refusal[1]) or refusal
        if isinstance(refusal, JSONResponse):
            self._chat.metrics.connections_refused += 1
            await ws.send_denial_response(refusal)
            return
        session, user = refusal
        try:
            await self._run(ws, write, session, user)
        finally:
            self._count_out(str(user["id"]))

    async def _run(
        self, ws: WebSocket, write: SendText | None, session: str, user: dict[str, Any]
    ) -> None:
        await ws.accept()
        self._chat.metrics.connections_opened += 1
        closing: list[asyncio.Task[None]] = []

        def too_slow() -> None:
            self._chat.metrics.slow_disconnects += 1
            closing.append(asyncio.get_running_loop().create_task(_close(ws, CLOSE_TRY_AGAIN)))

        def session_ended(reason: str) -> None:
            closing.append(asyncio.get_running_loop().create_task(_close(ws, CLOSE_POLICY, reason)))

        connection = self._chat.new_connection(
            user, session, Outbox(write or ws.send_text, too_slow, paused=True),
            close=session_ended, lifetime=await self._auth.session_remaining(session),
        )  # fmt: skip
        self._requests.limit.fill(connection)
        try:
            rooms = await self._chat.connect(connection)
            first = p.authenticated_frame(connection.user, session, rooms=rooms)
            if _by_cookie(ws):
                del first["session_token"]  # HttpOnly: page scripts never see the session
            connection.outbox.start(p.encode(first))
            if not await self._read(ws, connection):
                await connection.outbox.drained()
                await _close(ws, CLOSE_POLICY)
        finally:
            await self._chat.disconnect(connection)
            for task in closing:
                task.cancel()
            await asyncio.gather(*closing, return_exceptions=True)

    async def _read(self, ws: WebSocket, connection: Connection) -> bool:
        """Answer frames until the peer goes (True) or the session ends (False)."""
        while True:
            try:
                message = await ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return True
            if message["type"] == "websocket.disconnect":
                return True
            data = message.get("text")
            if not await self._requests.handle(connection, data or message.get("bytes")):
                return False

    def _count_in(self, user: dict[str, Any]) -> JSONResponse | None:
        """Count a socket of ``user``, or the 429 answer when they have too many."""
        user_id = str(user["id"])
        if self._open[user_id] >= self._max_sockets:
            message = (
                f"{user_id} has {self._max_sockets} sockets open already, the most "
                "allowed; close one (or reuse it) first"
            )
            return JSONResponse(error_body(Reason.TOO_MANY_SOCKETS, message), status_code=429)
        self._open[user_id] += 1
        return None

    def _count_out(self, user_id: str) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]
            self._requests.limit.forget(user_id)

    def _origin_refusal(self, ws: WebSocket) -> JSONResponse | None:
        origin = ws.headers.get("origin")
        if origin is None or origin.lower() in self._origins:
            return None
        body = {
            "error": f"WebSocket from {origin!r} refused; this site is {self._origin}",
            "code": 403,
            "reason": FORBIDDEN_ORIGIN,
        }
        return JSONResponse(body, status_code=403)

    async def _identify(self, ws: WebSocket) -> JSONResponse | tuple[str, dict[str, Any]]:
        """``(session, user)`` from the bearer token or the cookie, or the 401 answer."""
        scheme, _, token = ws.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            try:
                return await self._auth.authenticate(token)
            except AuthError as exc:
                return JSONResponse(exc.body(), status_code=401)
        cookie = ws.cookies.get(SESSION_COOKIE)
        user = await self._auth.user_for_session(cookie) if cookie else None
        if cookie and user is not None:
            return cookie, user
        reason = Reason.INVALID_TOKEN if cookie else Reason.NOT_AUTHENTICATED
        message = "the session is unknown, expired or revoked" if cookie else "no token"
        return JSONResponse(error_body(reason, message), status_code=401)


def _by_cookie(ws: WebSocket) -> bool:
    """Whether the socket was opened with the session cookie (not a bearer token)."""
    scheme, _, token = ws.headers.get("authorization", "").partition(" ")
    return not (scheme.lower() == "bearer" and token.strip())


async def _close(ws: WebSocket, code: int, reason: str | None = None) -> None:
    try:
        await ws.close(code, reason)
    except Exception as exc:  # closed already, by the peer or by the other path
        logger.debug("close(%d) failed: %r", code, exc)
