"""PostgresStore — every ConversationStore method on PostgreSQL, through asyncpg.

Several processes may share one database: per-room indexes are assigned under the room
row's lock, in the same statement as the insert, and idempotency keys are a unique
index. The schema (``public`` unless given) is created or upgraded on first use, by one
process at a time.

A statement that is safe to run twice is retried once when its connection was lost (a
server restart, say); lost connections are replaced. An unreachable server gives
:class:`~roomkit.errors.BackendConnectionError` naming the DSN without its password.

Needs the ``postgres`` extra: ``pip install 'roomkit[postgres]'``.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from roomkit._extras import require
from roomkit._urls import connection_error
from roomkit.errors import InvalidArgumentError, StoreError, UniqueViolation
from roomkit.store._pg_pool import PoolLoans
from roomkit.store._schema import POSTGRES, Session
from roomkit.store.sql import SQLStore

if TYPE_CHECKING:
    import asyncpg

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Any constant works; it only has to be the same in every process.
_MIGRATION_LOCK = 0x726F6F6D6B6974


class PostgresStore(SQLStore):
    """A ConversationStore on PostgreSQL.

    Connects on first use, on :meth:`init`, or on entering ``async with``.

    Args:
        dsn: ``postgresql://user:password@host:port/database``.
        pool: an asyncpg pool of your own to borrow connections from, instead of ``dsn``.
            It stays yours: :meth:`close` does not close it, and the tables live in its
            connections' ``search_path``.
        schema: the schema holding roomkit's tables (with ``dsn``); created if missing.
        min_size: connections opened on connecting (more are opened as calls overlap).
        max_size: connections the store may have open; further calls wait their turn.
    """

    def __init__(
        self,
        dsn: str | None = None,
        pool: Any = None,
        *,
        schema: str = "public",
        min_size: int = 1,
        max_size: int = 10,
    ) -> None:
        if (dsn is None) == (pool is None):
            raise InvalidArgumentError("dsn", dsn, "a DSN or a pool (exactly one of them)")
        if not _IDENTIFIER.fullmatch(schema):
            raise InvalidArgumentError(
                "schema", schema, "an SQL identifier ([A-Za-z_][A-Za-z0-9_]*)"
            )
        _check_sizes(min_size, max_size)
        self._pg = _PostgresDriver(dsn, schema, min_size, max_size, pool)
        super().__init__(self._pg)

    async def init(self, min_size: int = 2, max_size: int = 10) -> None:
        """Connect now, with ``min_size`` connections open and at most ``max_size``.

        Does nothing when already connected (the sizes stay those it connected with);
        with a ``pool``, the pool's own sizes apply.

        Raises:
            BackendConnectionError: PostgreSQL cannot be reached.
        """
        _check_sizes(min_size, max_size)
        if not self._ready:
            self._pg.resize(min_size, max_size)
        await self._db()

    async def __aenter__(self) -> PostgresStore:
        await self._db()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _check_sizes(min_size: int, max_size: int) -> None:
    if not 0 <= min_size <= max_size or max_size < 1:
        raise InvalidArgumentError("max_size", max_size, "at least 1 and at least min_size")


class _Connections:
    """Up to ``max_size`` connections to one server, each lent to one caller at a time.

    asyncpg's Pool does this with more machinery per acquire (a proxy object, a shielded
    release task, an idle timer set and cancelled): measured, it doubled the event loop's
    time per statement (about 80 µs against 36 µs), and the event loop is what limits a
    busy process. Here a connection goes back straight to the first waiter, or to a list.

    A connection is lent again only after a statement or transaction that ended, well or
    with an error PostgreSQL sent; one whose caller was cancelled, or that was lost, is
    closed (its protocol state is unknown) and its place given to the next waiter. The
    store leaves no session state behind (no LISTEN, cursors, SET or session locks), so
    nothing is reset between callers. Connections stay open until :meth:`close`.
    """

    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]], max_size: int) -> None:
        self._connect = connect
        self._max_size = max_size
        self._idle: list[asyncpg.Connection] = []
        # Callers waiting for a connection, first come first served. A waiter is handed
        # a connection, or None: one was closed, so the waiter may open another.
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._size = 0  # connections idle, lent, or being opened
        self._closed = False

    async def fill(self, count: int) -> None:
        """Open connections until ``count`` are open."""
        while self._size < count:
            self._hand_on(await self._open())

    async def borrow(self) -> asyncpg.Connection:
        """A connection for the caller alone, until it is given back."""
        while True:
            if self._closed:
                raise StoreError("the PostgreSQL store is closed")
            while self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():
                    return conn
                self._size -= 1  # the server ended it while it was idle
            if self._size < self._max_size:
                return await self._open()
            waiter: asyncio.Future[asyncpg.Connection | None]
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                handed = await waiter
            except BaseException:
                # Cancelled; if something was handed over just before, pass it on.
                if waiter.done() and not waiter.cancelled():
                    self._hand_on(waiter.result())
                raise
            if handed is not None:
                return handed

    def give_back(self, conn: asyncpg.Connection, *, reusable: bool) -> None:
        """End a loan; ``reusable`` says the connection is in a known, idle state."""
        if reusable and not self._closed and not conn.is_closed():
            self._hand_on(conn)
            return
        conn.terminate()
        self._size -= 1
        self._hand_on(None)

    def expire(self) -> None:
        """Close the idle connections: one was found cut, so they likely were too."""
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.terminate()
        self._size -= len(idle)

    async def close(self) -> None:
        """Close the idle connections now and the lent ones when they come back."""
        self._closed = True
        idle, self._idle = self._idle, []
        self._size -= len(idle)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # it wakes, sees the store closed, and raises
        await asyncio.gather(*(conn.close() for conn in idle), return_exceptions=True)

    async def _open(self) -> asyncpg.Connection:
        self._size += 1
        try:
            return await self._connect()
        except BaseException:
            self._size -= 1
            raise

    def _hand_on(self, conn: asyncpg.Connection | None) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self._idle.append(conn)


def _numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, …``."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


class _PostgresDriver:
    dialect = POSTGRES

    def __init__(
        self, dsn: str | None, schema: str, min_size: int, max_size: int, pool: Any = None
    ) -> None:
        self._dsn = dsn or "the given asyncpg pool"
        self._pool = pool
        self._schema = schema
        self._sizes = (min_size, max_size)
        self._connections: _Connections | PoolLoans | None = None
        self._sql: dict[str, str] = {}
        self._asyncpg: Any = None
        self._lost: tuple[type[BaseException], ...] = ()

    async def open(self) -> None:
        if self._connections is not None:
            return
        asyncpg = self._asyncpg = require("asyncpg", "postgres")
        self._lost = (
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.exceptions.InternalClientError,  # a cut connection caught mid-statement
            asyncpg.exceptions.OperatorInterventionError,
            OSError,
            TimeoutError,
        )
        connections: _Connections | PoolLoans
        if self._pool is not None:
            connections = PoolLoans(self._pool)
        else:
            connections = _Connections(self._connect, self._sizes[1])
        try:
            await connections.fill(self._sizes[0])
        except BaseException:
            await connections.close()
            raise
        self._connections = connections

    async def _connect(self) -> asyncpg.Connection:
        try:
            conn: asyncpg.Connection = await self._asyncpg.connect(
                self._dsn,
                server_settings={"search_path": self._schema, "application_name": "roomkit"},
            )
        except (*self._lost, self._asyncpg.PostgresError) as exc:
            raise connection_error(self._dsn, exc) from exc
        return conn

    def resize(self, min_size: int, max_size: int) -> None:
        """The sizes to connect with (before connecting)."""
        self._sizes = (min_size, max_size)

    def _open_connections(self) -> _Connections | PoolLoans:
        if self._connections is None:
            raise StoreError("the PostgreSQL store is closed")
        return self._connections

    def _text(self, sql: str) -> str:
        found = self._sql.get(sql)
        if found is None:
            found = self._sql[sql] = _numbered(sql)
        return found

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        connections = self._open_connections()
        text = self._text(sql)
        try:
            return await self._lend(connections, text, args)
        except self._lost as exc:
            # When one connection was cut (a server restart, say), the others were too:
            # replace them all rather than find out one by one.
            connections.expire()
            if not retry:
                raise connection_error(self._dsn, exc) from exc
        try:
            return await self._lend(connections, text, args)
        except self._lost as exc:
            raise connection_error(self._dsn, exc) from exc

    async def _lend(
        self, connections: _Connections | PoolLoans, text: str, args: Sequence[Any]
    ) -> list[Sequence[Any]]:
        conn = await connections.borrow()
        reusable = False
        try:
            rows = await self._call(conn.fetch, text, args)
            reusable = True
            return rows
        except StoreError:  # UniqueViolation included
            reusable = True  # the server refused the statement; the connection is fine
            raise
        finally:
            connections.give_back(conn, reusable=reusable)

    async def _call(self, run: Any, text: str, args: Sequence[Any]) -> list[Sequence[Any]]:
        try:
            rows: list[Sequence[Any]] = await run(text, *args)
        except self._asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc
        except self._asyncpg.PostgresError as exc:
            if isinstance(exc, self._lost):
                raise
            raise StoreError(f"PostgreSQL refused a statement: {exc}") from exc
        return rows

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        connections = self._open_connections()
        conn = await connections.borrow()
        reusable = False
        try:
            async with conn.transaction():
                yield _Transaction(self, conn)
            reusable = True
        except self._lost as exc:
            connections.expire()
            raise connection_error(self._dsn, exc) from exc
        except Exception:
            # Rolled back: the connection is idle again unless the rollback failed.
            reusable = not conn.is_in_transaction()
            raise
        finally:
            connections.give_back(conn, reusable=reusable)

    @asynccontextmanager
    async def migration(self) -> AsyncIterator[Session]:
        async with self.transaction() as tx:
            await tx.fetch("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            await tx.fetch(f'CREATE SCHEMA IF NOT EXISTS "{self._schema}"')
            yield tx

    async def close(self) -> None:
        connections, self._connections = self._connections, None
        if connections is not None:
            await connections.close()


class _Transaction:
    """Statements on the connection a transaction holds."""

    def __init__(self, driver: _PostgresDriver, conn: asyncpg.Connection) -> None:
        self._driver = driver
        self._conn = conn

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        return await self._driver._call(self._conn.fetch, self._driver._text(sql), args)
