"""PostgresStore — every ConversationStore method on PostgreSQL, through an asyncpg pool.

Several processes may share one database: per-room indexes are assigned under the room
row's lock, in the same statement as the insert, and idempotency keys are a unique
constraint. The schema (``public`` unless given) is created or upgraded on first use, by
one process at a time.

A statement that is safe to run twice is retried once when its connection was lost (a
server restart, say); the pool replaces dead connections. An unreachable server gives
:class:`~roomkit.errors.BackendConnectionError` naming the DSN without its password.

Needs the ``postgres`` extra: ``pip install 'roomkit[postgres]'``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from roomkit._extras import require
from roomkit._urls import connection_error
from roomkit.errors import InvalidArgumentError, StoreError
from roomkit.store._schema import POSTGRES, Session, UniqueViolation
from roomkit.store.sql import SQLStore

if TYPE_CHECKING:
    import asyncpg

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Any constant works; it only has to be the same in every process.
_MIGRATION_LOCK = 0x726F6F6D6B6974


class PostgresStore(SQLStore):
    """A ConversationStore on PostgreSQL.

    Args:
        dsn: ``postgresql://user:password@host:port/database``.
        schema: the schema holding roomkit's tables; created if missing.
        min_size: connections the pool keeps open.
        max_size: connections the pool may open.
    """

    def __init__(
        self, dsn: str, *, schema: str = "public", min_size: int = 1, max_size: int = 10
    ) -> None:
        if not _IDENTIFIER.fullmatch(schema):
            raise InvalidArgumentError(
                "schema", schema, "an SQL identifier ([A-Za-z_][A-Za-z0-9_]*)"
            )
        if not 0 <= min_size <= max_size or max_size < 1:
            raise InvalidArgumentError("max_size", max_size, "at least 1 and at least min_size")
        super().__init__(_PostgresDriver(dsn, schema, min_size, max_size))


async def _nothing_to_reset(connection: object) -> None:
    """The store leaves no session state behind (no LISTEN, cursors, SET or session locks),
    so a connection goes back to the pool as it is. asyncpg's default reset would cost one
    more round trip to the server for every statement. (Open transactions are still
    rolled back by the pool.)"""


def _numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, …``."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


class _PostgresDriver:
    dialect = POSTGRES

    def __init__(self, dsn: str, schema: str, min_size: int, max_size: int) -> None:
        self._dsn = dsn
        self._schema = schema
        self._sizes = (min_size, max_size)
        self._pool: asyncpg.Pool | None = None
        self._sql: dict[str, str] = {}
        self._asyncpg: Any = None
        self._lost: tuple[type[BaseException], ...] = ()

    async def open(self) -> None:
        if self._pool is not None:
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
        try:
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=self._sizes[0],
                max_size=self._sizes[1],
                server_settings={"search_path": self._schema, "application_name": "roomkit"},
                reset=_nothing_to_reset,
            )
        except (*self._lost, asyncpg.PostgresError) as exc:
            raise connection_error(self._dsn, exc) from exc

    def _text(self, sql: str) -> str:
        found = self._sql.get(sql)
        if found is None:
            found = self._sql[sql] = _numbered(sql)
        return found

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        pool = self._pool
        if pool is None:
            raise StoreError("the PostgreSQL store is closed")
        text = self._text(sql)
        try:
            return await self._call(pool.fetch, text, args)
        except self._lost as exc:
            # When one connection was cut (a server restart, say), the others were too:
            # have the pool replace them all rather than find out one by one.
            await pool.expire_connections()
            if not retry:
                raise connection_error(self._dsn, exc) from exc
        try:
            return await self._call(pool.fetch, text, args)
        except self._lost as exc:
            raise connection_error(self._dsn, exc) from exc

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
        pool = self._pool
        if pool is None:
            raise StoreError("the PostgreSQL store is closed")
        try:
            async with pool.acquire() as conn, conn.transaction():
                yield _Transaction(self, conn)
        except self._lost as exc:
            await pool.expire_connections()
            raise connection_error(self._dsn, exc) from exc

    @asynccontextmanager
    async def migration(self) -> AsyncIterator[Session]:
        async with self.transaction() as tx:
            await tx.fetch("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            await tx.fetch(f'CREATE SCHEMA IF NOT EXISTS "{self._schema}"')
            yield tx

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


class _Transaction:
    """Statements on the connection a transaction holds."""

    def __init__(self, driver: _PostgresDriver, conn: asyncpg.Connection) -> None:
        self._driver = driver
        self._conn = conn

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        return await self._driver._call(self._conn.fetch, self._driver._text(sql), args)
