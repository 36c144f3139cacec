"""Link: one authenticated WebSocket to a roomz server, kept alive across drops.

Tasks and who owns them: :meth:`Link.open` starts the *supervisor*, which reads frames and,
when the socket drops, reconnects with exponential backoff; after each reconnect the
supervisor starts a *catch-up* task. :meth:`Link.close` cancels both and closes the socket.
Events go to an :class:`~roomz.client.handlers.EventPump`, never to handlers directly.

After every connection but the first (a reconnect, or ``open`` after a drop or a close):
chat messages still waiting for their ``result`` are written again with the same
``client_id`` (the server stores each ``client_id`` once), and each room's missed messages
are fetched with ``history`` since the last index handed to handlers while the room's live
messages are held back — see :mod:`roomz.client.timeline`. A live message whose index skips
ahead of its room's mark starts the same catch-up for that room alone. A catch-up reads
page after page (each reply is bounded by the server) until a reply says ``has_more`` is
false, handing each page to handlers as it arrives.

A request made while RECONNECTING waits for the outcome (unless made with ``wait=False``),
then goes out once on the new connection; if reconnection gives up, or :meth:`Link.close`
is called meanwhile, it is answered locally with ``reconnect_failed`` / ``invalid_token`` /
``connection_lost``. The wait is bounded by the policy (:meth:`Policy.reconnect_budget`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from roomz import protocol as p
from roomz.client.connection import ConnectionState, open_session
from roomz.client.handlers import EventPump
from roomz.client.requests import PendingRequests
from roomz.client.retry import SEND_ATTEMPTS, retry_delay
from roomz.client.session_cache import Credentials
from roomz.client.timeline import Timeline
from roomz.errors import AuthenticationError, ConnectionError, ProtocolError, Reason, error_body

logger = logging.getLogger(__name__)

MAX_RECONNECT_DELAY = 60.0
"""Backoff doubles from ``reconnect_delay`` after each failed attempt, up to this many seconds."""


@dataclass(frozen=True)
class Policy:
    """How a :class:`Link` times out and reconnects."""

    reconnect: bool = True
    reconnect_delay: float = 1.0
    max_reconnect_attempts: int = 5
    timeout: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before reconnection attempt ``attempt`` (from 0)."""
        return min(self.reconnect_delay * 2.0**attempt, MAX_RECONNECT_DELAY)

    def reconnect_budget(self) -> float:
        """The longest a reconnection can take: every backoff plus every attempt's timeout
        (and one more timeout for the catch-up of the resent requests)."""
        attempts = range(self.max_reconnect_attempts)
        return sum(self.backoff(a) + self.timeout for a in attempts) + self.timeout


class Link:
    """The socket, its supervisor, the requests in flight and the rooms' timelines."""

    def __init__(self, url: str, credentials: Credentials, pump: EventPump, policy: Policy) -> None:
        self.url = url
        self.state = ConnectionState.DISCONNECTED
        self.user: p.User | None = None
        self.timeline = Timeline()
        self._credentials = credentials
        self._pump = pump
        self._policy = policy
        self._pending = PendingRequests(policy.timeout)
        self._ws: ClientConnection | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._catch_up: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._settled = asyncio.Event()  # cleared while RECONNECTING
        self._settled.set()
        self._down: dict[str, Any] = error_body(Reason.CONNECTION_LOST, "not connected")

    def next_id(self) -> str:
        """A fresh request id."""
        return f"r{next(self._ids)}"

    async def open(self, token: str) -> None:
        """Connect with ``token`` and start the supervisor.

        Raises:
            AuthenticationError: the server refused ``token`` (forgotten by the credentials).
            ConnectionError: the server could not be reached.
        """
        self.state = ConnectionState.CONNECTING
        try:
            ws, frame = await open_session(self.url, token, self._policy.timeout)
        except AuthenticationError:
            self.state = ConnectionState.DISCONNECTED
            await self._credentials.reject(token)
            raise
        except BaseException:
            self.state = ConnectionState.DISCONNECTED
            raise
        marks = self.timeline.marks()  # empty on the first connection: nothing to catch up
        await self._authenticated(ws, frame)
        if marks:
            await self._resume(ws, marks)
        self._supervisor = asyncio.create_task(self._supervise(ws), name="roomz-supervisor")

    async def close(self) -> None:
        """Stop reconnecting, close the socket, fail the requests still waiting."""
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            await asyncio.wait([supervisor])
        await self._stop_catch_up()
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
            self._pump.emit("disconnect", {})
        self._pending.fail_all(Reason.CONNECTION_LOST, "disconnected by the client")
        self.state = ConnectionState.DISCONNECTED
        self._settle(error_body(Reason.CONNECTION_LOST, "disconnected by the client"))

    async def request(
        self, request: p.Request, *, resend: bool = False, wait: bool = True
    ) -> dict[str, Any]:
        """Write ``request`` and wait for its answer (a 408 error dict after the timeout).

        While RECONNECTING it first waits for the reconnection (unless ``wait`` is false);
        if that fails, the answer is the error dict saying why.

        Raises:
            ConnectionError: not connected (and not reconnecting).
        """
        if wait and self.state is ConnectionState.RECONNECTING:
            failed = await self._until_reconnected()
            if failed is not None:
                return failed
        ws = self._ws
        if ws is None or self.state is not ConnectionState.CONNECTED:
            raise ConnectionError(f"not connected (state: {self.state.value})")
        text = p.encode(request.to_frame())
        if len(text.encode()) > p.MAX_FRAME_BYTES:
            return error_body(Reason.FRAME_TOO_LARGE, f"frame over {p.MAX_FRAME_BYTES} bytes")
        self._pending.add(request.request_id, text, resend=resend)
        try:
            await ws.send(text)
        except ConnectionClosed:
            # Resendable requests go out again after the reconnect; the rest fail now.
            if not resend:
                self._pending.fail(request.request_id, Reason.CONNECTION_LOST, "connection lost")
        except BaseException:
            self._pending.discard(request.request_id)
            raise
        return await self._pending.wait(request.request_id)

    async def _until_reconnected(self) -> dict[str, Any] | None:
        """Wait while RECONNECTING: ``None`` once connected, else the error dict of why not."""
        try:
            async with asyncio.timeout(self._policy.reconnect_budget()):
                while self.state is ConnectionState.RECONNECTING:
                    await self._settled.wait()
        except TimeoutError:
            return error_body(Reason.RECONNECT_FAILED, "still reconnecting; gave up waiting")
        return None if self.state is ConnectionState.CONNECTED else dict(self._down)

    def _settle(self, down: dict[str, Any] | None = None) -> None:
        """Reconnecting is over: wake the requests waiting for it."""
        if down is not None:
            self._down = down
        self._settled.set()

    # -- one connection -------------------------------------------------------------------

    async def _authenticated(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        self._ws = ws
        self.user = _user(frame)
        for entry in frame.get("rooms") or []:
            if isinstance(entry, dict) and isinstance(entry.get("last_index"), int):
                self.timeline.seed(str(entry.get("room")), entry["last_index"])
        await self._credentials.accept(frame["session_token"])
        self.state = ConnectionState.CONNECTED
        self._pump.emit("authenticated", p.event_data(frame))

    async def _supervise(self, ws: ClientConnection | None) -> None:
        while ws is not None:
            try:
                async for text in ws:
                    self._on_frame(text)
            except ConnectionClosed:
                pass  # an abnormal close is handled like a normal one, below
            ws = await self._after_drop()

    def _on_frame(self, text: str | bytes) -> None:
        try:
            frame = p.decode_server_frame(text)
        except ProtocolError as exc:
            logger.warning("ignoring a frame from the server: %s", exc)
            return
        kind = frame["type"]
        if kind in ("result", "pong"):
            self._pending.resolve(frame)
        elif kind == "message":
            self._on_message(p.event_data(frame))
        elif kind in p.SERVER_FRAME_TYPES and kind != "authenticated":
            self._note_display_name(frame)
            self._pump.emit(kind, p.event_data(frame))
        else:
            logger.debug("ignoring a %r frame", kind)

    def _on_message(self, message: dict[str, Any]) -> None:
        since = self.timeline.gap(message)
        if since is not None:  # messages between are missing: fetch them, hold this one
            room = str(message.get("room"))
            self.timeline.hold([room])
            self._start_catch_up(self._fetch_room(room, since))
        for admitted in self.timeline.accept(message):
            self._pump.emit("message", admitted)

    def _note_display_name(self, frame: dict[str, Any]) -> None:
        if frame["type"] != "display_name_changed" or self.user is None:
            return
        renamed = _user(frame)
        if renamed is not None and renamed.id == self.user.id:
            name = frame.get("display_name")
            self.user = replace(self.user, display_name=name if isinstance(name, str) else None)

    # -- drops and reconnects -------------------------------------------------------------

    async def _after_drop(self) -> ClientConnection | None:
        """The socket closed without close(): report it, then reconnect or stop."""
        self._ws = None
        reconnect = self._policy.reconnect
        if reconnect:  # from now on, new requests wait for the outcome
            self.state = ConnectionState.RECONNECTING
            self._settled.clear()
        await self._stop_catch_up()
        lost = "the connection dropped"
        self._pending.fail_all(Reason.CONNECTION_LOST, lost, keep_resendable=reconnect)
        self._pump.emit("disconnect", {})
        if not reconnect:
            self._give_up(None)
            return None
        return await self._reconnect()

    async def _reconnect(self) -> ClientConnection | None:
        self.state = ConnectionState.RECONNECTING
        marks = self.timeline.marks()
        attempts, token = self._policy.max_reconnect_attempts, self._credentials.token
        for attempt in range(attempts):
            # Jitter spreads the clients of a restarted server over the backoff window.
            await asyncio.sleep(self._policy.backoff(attempt) * random.uniform(0.5, 1.0))
            try:
                ws, frame = await open_session(self.url, token, self._policy.timeout)
            except AuthenticationError as exc:
                await self._credentials.reject(token)
                self._give_up(error_body(Reason.INVALID_TOKEN, str(exc)))
                return None
            except ConnectionError as exc:
                logger.info("reconnect %d/%d failed: %s", attempt + 1, attempts, exc)
                continue
            await self._authenticated(ws, frame)
            await self._resume(ws, marks)
            self._settle()  # after the resends: requests that waited go out behind them
            return ws
        self._give_up(error_body(Reason.RECONNECT_FAILED, f"{attempts} reconnections failed"))
        return None

    def _give_up(self, error: dict[str, Any] | None) -> None:
        self.state = ConnectionState.DISCONNECTED
        self._supervisor = None  # open() may start afresh; this task ends without awaiting
        down = error or error_body(Reason.CONNECTION_LOST, "the connection dropped")
        self._pending.fail_all(Reason(down["reason"]), str(down["error"]))
        self._settle(down)
        if error is not None:
            self._pump.emit("error", error)

    async def _resume(self, ws: ClientConnection, marks: dict[str, int]) -> None:
        for text in self._pending.resendable():
            try:
                await ws.send(text)
            except ConnectionClosed:
                break  # the supervisor sees the close next; these go out after that reconnect
        self.timeline.hold(marks)
        self._start_catch_up(self._fetch_missed(marks))

    def _start_catch_up(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work, name="roomz-catch-up")
        self._catch_up.add(task)
        task.add_done_callback(self._catch_up.discard)

    async def _fetch_missed(self, marks: dict[str, int]) -> None:
        for room, since in marks.items():
            await self._fetch_room(room, since)

    async def _fetch_room(self, room: str, since: int) -> None:
        """Deliver ``room``'s messages after ``since`` page by page, then the held ones.

        A dropped connection ends it silently: the next catch-up starts from what was
        delivered. Other failures are reported as an ``error`` event.
        """
        refusals = 0
        while True:
            request = p.History(self.next_id(), room, since)
            try:
                result = await self.request(request, wait=False)
            except ConnectionError:
                return  # dropped again: the supervisor cancels us; the next catch-up retries
            messages = result.get("messages")
            wait = retry_delay(result)
            if not isinstance(messages, list) and wait is not None and refusals < SEND_ATTEMPTS:
                refusals += 1  # rate-limited, or the server is briefly unable: ask again
                await asyncio.sleep(wait)
                continue
            if not isinstance(messages, list):
                self._pump.emit("error", result)
                break
            page = [p.event_data(m) for m in messages if isinstance(m, dict)]
            for message in self.timeline.admit(room, page):
                self._pump.emit("message", message)
            indexes = [m["index"] for m in page if isinstance(m.get("index"), int)]
            if result.get("has_more") is not True or not indexes or max(indexes) <= since:
                break  # the last page (servers that do not page send only one)
            since = max(indexes)
        for message in self.timeline.release(room, []):
            self._pump.emit("message", message)

    async def _stop_catch_up(self) -> None:
        tasks, self._catch_up = self._catch_up, set()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)  # unlike `await task`, never swallows our own cancel
        self.timeline.abandon()


def _user(frame: dict[str, Any]) -> p.User | None:
    """The frame's ``user`` object, or None when it has none the protocol allows."""
    try:
        return p.User.of(frame["user"]) if isinstance(frame.get("user"), dict) else None
    except ProtocolError:
        return None
