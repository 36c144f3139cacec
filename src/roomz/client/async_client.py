"""AsyncClient: the public face of the client library; each method hands off to a collaborator.

The collaborators: :class:`~roomz.client.link.Link` (the socket, reconnects, requests in
flight), :class:`~roomz.client.session_cache.Credentials` (which token to offer),
:class:`~roomz.client.handlers.HandlerRegistry` and its
:class:`~roomz.client.handlers.EventPump` (who hears about events, and when).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from roomz import protocol as p
from roomz.client.addresses import token_from, websocket_url
from roomz.client.connection import ConnectionState, http_base, post_json
from roomz.client.handlers import EventHandler, EventPump, HandlerRegistry
from roomz.client.link import Link, Policy
from roomz.client.retry import SEND_ATTEMPTS, Pacer, retry_delay
from roomz.client.session_cache import Credentials, SessionCache
from roomz.errors import AuthenticationError, Reason

logger = logging.getLogger(__name__)


class AsyncClient:
    """Primary async WebSocket client for Roomz real-time chat.

    Args:
        server_url: WebSocket URL, e.g. ``ws://localhost:8000/ws``, or the address a
            browser shows, ``http://localhost:8000`` (its ``/ws`` is then implied).
        session_token: magic-link (or session) token used by ``connect()`` without
            arguments; the whole login link is accepted too.
        reconnect: reconnect automatically when the connection drops.
        reconnect_delay: seconds before the first reconnection attempt; doubles after each.
        max_reconnect_attempts: attempts before giving up (then an ``error`` event, 503).
        connection_timeout: seconds allowed to open the socket, for an HTTP call, and for
            the answer to a request.
        session_cache_file: file caching the session token (mode 0600), or ``None``.

    Raises:
        ValueError: ``server_url`` is not a ws, wss, http or https URL with a host.
    """

    def __init__(
        self,
        server_url: str,
        session_token: str = "",
        *,
        reconnect: bool = True,
        reconnect_delay: float = 1.0,
        max_reconnect_attempts: int = 5,
        connection_timeout: float = 10.0,
        session_cache_file: str | Path | None = None,
    ) -> None:
        server_url = websocket_url(server_url)
        self._http = http_base(server_url)
        self._timeout = connection_timeout
        cache = None if session_cache_file is None else SessionCache(session_cache_file, server_url)
        self._credentials = Credentials(token_from(session_token), cache)
        self._handlers = HandlerRegistry()
        self._pump = EventPump(self._handlers)
        policy = Policy(reconnect, reconnect_delay, max_reconnect_attempts, connection_timeout)
        self._link = Link(server_url, self._credentials, self._pump, policy)
        self._pacer = Pacer()

    @property
    def connected(self) -> bool:
        """True if the WebSocket is connected and authenticated."""
        return self._link.state is ConnectionState.CONNECTED

    @property
    def user(self) -> dict[str, Any] | None:
        """``{"id", "email", "display_name"}`` of the authenticated user, or ``None``."""
        return None if self._link.user is None else self._link.user.to_dict()

    @property
    def connection_state(self) -> ConnectionState:
        """The current :class:`ConnectionState`."""
        return self._link.state

    def on(self, event: str, handler: EventHandler) -> None:
        """Register a handler (sync or async) for ``event``; see ``handlers.EVENTS``.

        Raises:
            ValueError: unknown event name.
        """
        self._handlers.on(event, handler)

    def off(self, event: str, handler: EventHandler | None = None) -> None:
        """Unregister ``handler``, or every handler of ``event`` when ``None``."""
        self._handlers.off(event, handler)

    async def login(self, email: str) -> bool:
        """Request a magic link for ``email``; ``False`` if the server refused the request.

        Raises:
            ConnectionError: the server could not be reached or failed (5xx).
        """
        response = await post_json(f"{self._http}/auth/login", {"email": email}, self._timeout)
        if not response.is_success:
            logger.warning("login refused (HTTP %s): %s", response.status_code, response.text)
        return response.is_success

    def clear_cached_session(self) -> None:
        """Forget the session: delete the cache file and the token held in memory."""
        self._credentials.clear()

    async def connect(self, session_token: str | None = None, *, token: str | None = None) -> None:
        """Open the WebSocket and authenticate; does nothing unless disconnected.

        Args:
            session_token: magic-link or session token, or the whole login link. Without
                one: the session of an earlier connection, else the constructor's token,
                else the cached session.
            token: another name for ``session_token``.

        Raises:
            AuthenticationError: no token (or a link without one), or the server refused
                it (a refused session is removed from the cache).
            ConnectionError: the server could not be reached.
        """
        if self._link.state is not ConnectionState.DISCONNECTED:
            return
        try:
            given = token_from(session_token or token or "") or None
        except ValueError as exc:
            raise AuthenticationError(str(exc), code=401, reason=Reason.NO_TOKEN) from None
        chosen = await self._credentials.choose(given)
        if not chosen:
            message = "no token: pass a magic-link token, or log in first"
            raise AuthenticationError(message, code=401, reason=Reason.NO_TOKEN)
        self._pump.start()
        try:
            await self._link.open(chosen)
        except BaseException:
            await self._pump.stop()
            raise

    async def disconnect(self) -> None:
        """Close the connection, stop reconnecting, and let queued events reach handlers."""
        await self._link.close()
        await self._pump.stop()

    async def __aenter__(self) -> AsyncClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.disconnect()

    async def send(self, content: str, *, room: str | None = None) -> dict[str, Any]:
        """Send a chat message to ``room`` (default: the room everyone is in).

        Returns ``{"status": "ok", "message_id", "timestamp", ...}`` or an error dict
        ``{"error", "code", "reason"}`` (408 ``timeout`` without an answer in time). A send
        survives a reconnect: it is written again with the same ``client_id``, stored once.
        A send made while RECONNECTING waits for the new connection and goes out on it; if
        reconnection gives up it returns 503 ``reconnect_failed`` (401 ``invalid_token``
        when the session was refused), and 503 ``connection_lost`` if ``disconnect()`` is
        called meanwhile. The other request methods wait the same way, except ``typing``
        and ``ping``, which are only worth sending now.

        A send refused with 429 or 503 and a ``retry_after`` is sent again after that
        wait, and one that timed out (408) at once, always with the same ``client_id``,
        up to :data:`~roomz.client.retry.SEND_ATTEMPTS` attempts; after a 429 the
        client spaces its sends as the server asks (see :mod:`roomz.client.retry`).

        Raises:
            ConnectionError: not connected (DISCONNECTED: never connected, after
                ``disconnect()`` or after reconnection gave up).
        """
        room, client_id = room or p.DEFAULT_ROOM, uuid.uuid4().hex
        return await self._patiently(
            lambda: p.Send(self._link.next_id(), content, room, client_id), resend=True
        )

    async def _patiently(
        self, make: Callable[[], p.Request], *, resend: bool = False
    ) -> dict[str, Any]:
        """Send what ``make()`` builds again while the server asks to retry (429 or 503 with
        ``retry_after``, or no answer in time): at most ``SEND_ATTEMPTS`` times."""
        attempts = 0
        while True:
            await self._pacer.turn()
            answer = await self._link.request(make(), resend=resend)
            attempts += 1
            wait = retry_delay(answer)
            if wait is None or attempts == SEND_ATTEMPTS:
                return answer
            self._pacer.refused(answer, wait)

    async def set_display_name(self, name: str | None) -> dict[str, Any]:
        """Set, or clear with ``None``, the display name: ``{"status", "display_name"}``.

        Raises:
            ConnectionError: not connected.
        """
        result = await self._link.request(p.SetDisplayName(self._link.next_id(), name))
        if "error" not in result and self._link.user is not None:
            name = result.get("display_name")
            self._link.user = replace(self._link.user, display_name=name)
        return result

    async def create_room(self, room: str) -> dict[str, Any]:
        """Create ``room`` and join it: ``{"status", "room"}``. Raises ConnectionError."""
        return await self._link.request(p.CreateRoom(self._link.next_id(), room))

    async def list_rooms(self) -> dict[str, Any]:
        """``{"status", "rooms": [{"room", "last_index", "joined"}]}``. Raises ConnectionError."""
        return await self._link.request(p.ListRooms(self._link.next_id()))

    async def join(self, room: str) -> dict[str, Any]:
        """Join ``room``: ``{"status", "room", "last_index", "history": [message, ...]}``.

        The history is returned, not emitted; the room's live ``message`` events follow.

        Raises:
            ConnectionError: not connected.
        """
        result = await self._link.request(p.Join(self._link.next_id(), room))
        if isinstance(result.get("last_index"), int):
            self._link.timeline.seed(room, result["last_index"])
        return result

    async def leave(self, room: str) -> dict[str, Any]:
        """Leave ``room``: ``{"status", "room"}``. Raises ConnectionError."""
        result = await self._link.request(p.Leave(self._link.next_id(), room))
        if "error" not in result:
            self._link.timeline.forget(room)
        return result

    async def history(
        self, room: str, since: int = 0, *, limit: int | None = None, before: int | None = None
    ) -> dict[str, Any]:
        """One page of ``room``'s messages, oldest first: ``{"status", "room", "messages",
        "has_more", "first_index", "last_index"}``.

        Without ``before``: the oldest messages after index ``since`` (ask again with the
        last index received while ``has_more``). With ``before``: the newest messages below
        that index, for reading back in time (ask again with the first index received
        while ``has_more``; ``first_index`` is where the room starts). ``limit``: messages
        per page, up to 500 (the server bounds a page's size in bytes too). A refusal
        with ``retry_after`` is waited for and asked again, as for ``send``.

        Raises:
            ConnectionError: not connected.
        """
        return await self._patiently(
            lambda: p.History(self._link.next_id(), room, since, limit, before)
        )

    async def typing(self, room: str, state: bool = True) -> dict[str, Any]:
        """Tell ``room`` the user started (or, with ``False``, stopped) typing.

        Raises:
            ConnectionError: not connected, reconnecting included (a late "typing" misleads).
        """
        return await self._link.request(p.Typing(self._link.next_id(), room, state), wait=False)

    async def set_presence(self, status: str) -> dict[str, Any]:
        """Announce ``"online"`` or ``"away"``. Raises ConnectionError."""
        return await self._link.request(p.Presence(self._link.next_id(), status))

    async def mark_read(self, room: str, index: int) -> dict[str, Any]:
        """Mark ``room`` read up to ``index``; the others get a ``read_receipt``."""
        return await self._link.request(p.Read(self._link.next_id(), room, index))

    async def ping(self) -> dict[str, Any]:
        """Round trip to the server: ``{"server_time"}``.

        Raises:
            ConnectionError: not connected, reconnecting included.
        """
        return await self._link.request(p.Ping(self._link.next_id()), wait=False)

    async def who(self, room: str | None = None) -> dict[str, Any]:
        """Who is online in ``room`` (default: the room everyone is in), in every server
        process: ``{"status", "room", "users": [{"user", "status", "connections"}]}``,
        sorted by email; ``status`` is ``"online"`` or ``"away"``.

        Raises:
            ConnectionError: not connected.
        """
        return await self._link.request(p.Who(self._link.next_id(), room or p.DEFAULT_ROOM))
