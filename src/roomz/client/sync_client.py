"""SyncClient: the AsyncClient driven from blocking code through one event-loop thread.

The thread (a *portal*) starts with the first call that needs the network and stops in
``disconnect()``; each blocking method hands one coroutine to it and waits for the outcome.
Event handlers run in that thread, so a handler must not call the SyncClient's blocking
methods (the thread would wait for itself): such a call raises ``RuntimeError``. Without
the thread (before ``connect()``, after ``disconnect()``) they raise ``ConnectionError``,
as the AsyncClient does when not connected.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from roomz.client.async_client import AsyncClient
from roomz.client.connection import ConnectionState
from roomz.client.handlers import EventHandler
from roomz.errors import ConnectionError

T = TypeVar("T")


class _Portal:
    """One event loop running forever in a daemon thread, until :meth:`stop`."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(self._loop,), name="roomz-sync-client", daemon=True
        )
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` in the loop thread and wait for its result (or exception)."""
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError(
                "SyncClient methods cannot be called from an event handler: they would wait "
                "for the thread that runs the handler"
            )
        if self._loop is None:
            coroutine.close()
            raise ConnectionError("not connected (the client's loop thread is not running)")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            _close(loop)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left in ``loop``, wait for it, and close the loop."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


class SyncClient:
    """Synchronous wrapper around AsyncClient with background thread.

    Arguments as for :class:`AsyncClient`, except ``session_cache_file`` (not supported).
    """

    def __init__(
        self,
        server_url: str,
        session_token: str,
        *,
        reconnect: bool = True,
        reconnect_delay: float = 1.0,
        max_reconnect_attempts: int = 5,
        connection_timeout: float = 10.0,
    ) -> None:
        self._client = AsyncClient(
            server_url,
            session_token,
            reconnect=reconnect,
            reconnect_delay=reconnect_delay,
            max_reconnect_attempts=max_reconnect_attempts,
            connection_timeout=connection_timeout,
        )
        self._portal = _Portal()

    @property
    def connected(self) -> bool:
        """True if the WebSocket is connected and authenticated."""
        return self._client.connected

    @property
    def user(self) -> dict[str, Any] | None:
        """The authenticated user, or ``None``."""
        return self._client.user

    @property
    def connection_state(self) -> ConnectionState:
        """The current :class:`ConnectionState`."""
        return self._client.connection_state

    def on(self, event: str, handler: EventHandler) -> None:
        """Register a handler; it runs in the client's loop thread."""
        self._client.on(event, handler)

    def off(self, event: str, handler: EventHandler | None = None) -> None:
        """Unregister ``handler``, or every handler of ``event`` when ``None``."""
        self._client.off(event, handler)

    def login(self, email: str) -> bool:
        """Request a magic link; see :meth:`AsyncClient.login`."""
        was_running = self._portal.running
        self._portal.start()
        try:
            return self._portal.call(self._client.login(email))
        finally:
            if not was_running:
                self._portal.stop()

    def connect(self, session_token: str | None = None, *, token: str | None = None) -> None:
        """Connect and authenticate; see :meth:`AsyncClient.connect`."""
        self._portal.start()
        try:
            self._portal.call(self._client.connect(session_token, token=token))
        except BaseException:
            if self._client.connection_state is ConnectionState.DISCONNECTED:
                self._portal.call(self._client.disconnect())
                self._portal.stop()
            raise

    def disconnect(self) -> None:
        """Close the connection and stop the loop thread; safe to call twice."""
        if self._portal.running:
            try:
                self._portal.call(self._client.disconnect())
            finally:
                self._portal.stop()

    def clear_cached_session(self) -> None:
        """Forget the session held in memory (SyncClient has no cache file)."""
        self._client.clear_cached_session()

    def send(self, content: str, *, room: str | None = None) -> dict[str, Any]:
        """Send a chat message; see :meth:`AsyncClient.send`."""
        return self._portal.call(self._client.send(content, room=room))

    def set_display_name(self, name: str | None) -> dict[str, Any]:
        """Set or clear the display name; see :meth:`AsyncClient.set_display_name`."""
        return self._portal.call(self._client.set_display_name(name))

    def create_room(self, room: str) -> dict[str, Any]:
        """Create and join ``room``; see :meth:`AsyncClient.create_room`."""
        return self._portal.call(self._client.create_room(room))

    def list_rooms(self) -> dict[str, Any]:
        """List the rooms; see :meth:`AsyncClient.list_rooms`."""
        return self._portal.call(self._client.list_rooms())

    def join(self, room: str) -> dict[str, Any]:
        """Join ``room``; see :meth:`AsyncClient.join`."""
        return self._portal.call(self._client.join(room))

    def leave(self, room: str) -> dict[str, Any]:
        """Leave ``room``; see :meth:`AsyncClient.leave`."""
        return self._portal.call(self._client.leave(room))

    def history(
        self, room: str, since: int = 0, *, limit: int | None = None, before: int | None = None
    ) -> dict[str, Any]:
        """One page of ``room``'s messages; see :meth:`AsyncClient.history`."""
        return self._portal.call(self._client.history(room, since, limit=limit, before=before))

    def typing(self, room: str, state: bool = True) -> dict[str, Any]:
        """Start or stop typing in ``room``; see :meth:`AsyncClient.typing`."""
        return self._portal.call(self._client.typing(room, state))

    def set_presence(self, status: str) -> dict[str, Any]:
        """Announce ``"online"`` or ``"away"``; see :meth:`AsyncClient.set_presence`."""
        return self._portal.call(self._client.set_presence(status))

    def mark_read(self, room: str, index: int) -> dict[str, Any]:
        """Mark ``room`` read up to ``index``; see :meth:`AsyncClient.mark_read`."""
        return self._portal.call(self._client.mark_read(room, index))

    def who(self, room: str | None = None) -> dict[str, Any]:
        """Who is online in ``room``; see :meth:`AsyncClient.who`."""
        return self._portal.call(self._client.who(room))

    def ping(self) -> dict[str, Any]:
        """Round trip to the server; see :meth:`AsyncClient.ping`."""
        return self._portal.call(self._client.ping())

    def __enter__(self) -> SyncClient:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.disconnect()
