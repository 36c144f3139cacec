"""Connections borrowed from an asyncpg pool the caller made: ``PostgresStore(pool=...)``.

The same interface as the store's own connection set (``borrow`` / ``give_back``), over a
pool that stays the caller's: the store never closes it. ``give_back`` is synchronous on
the hot path, and a pool's ``release`` is a coroutine, so each release runs as a task this
object owns; :meth:`close` waits for the ones still running.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from roomkit.errors import StoreError

if TYPE_CHECKING:
    import asyncpg


class PoolLoans:
    """Loans of connections from a caller's asyncpg pool."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._releases: set[asyncio.Task[Any]] = set()
        self._closed = False

    async def fill(self, count: int) -> None:
        """Nothing to open: the pool sizes itself."""

    async def borrow(self) -> asyncpg.Connection:
        """A connection of the pool for the caller alone, until it is given back."""
        if self._closed:
            raise StoreError("the PostgreSQL store is closed")
        conn: asyncpg.Connection = await self._pool.acquire()
        return conn

    def give_back(self, conn: asyncpg.Connection, *, reusable: bool) -> None:
        """Return the connection to the pool; one in an unknown state is closed first."""
        if not reusable:
            conn.terminate()
        task = asyncio.ensure_future(self._pool.release(conn))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    def expire(self) -> None:
        """Nothing to do: the pool replaces the connections it finds closed."""

    async def close(self) -> None:
        """Stop lending and wait for the releases in flight; the pool stays open."""
        self._closed = True
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
