"""SQLiteStore — every ConversationStore method in one SQLite file, with no server.

The file is opened on first use in WAL mode with ``synchronous=FULL``: a write is on disk
when its call returns, and readers never wait for the writer. All statements of one store
go through one aiosqlite connection, so coroutines of one process may write concurrently;
a multi-statement transaction holds the connection until it ends. Other processes may open
the same file (SQLite lets one of them write at a time; they wait up to ``busy_timeout``).

Needs the ``sqlite`` extra: ``pip install 'roomkit[sqlite]'``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roomkit._extras import require
from roomkit.errors import BackendConnectionError, InvalidArgumentError, StoreError
from roomkit.store._schema import SQLITE, Session, UniqueViolation
from roomkit.store.sql import SQLStore

if TYPE_CHECKING:
    import aiosqlite

_URL_PREFIX = "sqlite:///"


def sqlite_path(location: str | os.PathLike[str]) -> str:
    """The file path in ``location``: a path, or a ``sqlite:///path`` URL.

    ``sqlite:///chat.db`` is relative to the working directory, ``sqlite:////var/chat.db``
    absolute, and ``:memory:`` a private in-memory database.
    """
    text = os.fspath(location)
    if text.startswith(_URL_PREFIX):
        text = text[len(_URL_PREFIX) :]
    elif "://" in text:
        raise InvalidArgumentError("path", text, "a file path or a sqlite:/// URL")
    if not text:
        raise InvalidArgumentError("path", location, "a file path or a sqlite:/// URL")
    return text


class SQLiteStore(SQLStore):
    """A ConversationStore in one SQLite file.

    Args:
        path: the database file, or a ``sqlite:///`` URL. Created if missing.
        busy_timeout: seconds to wait for another process's write to finish.
    """

    def __init__(
        self, path: str | os.PathLike[str] = "roomkit.db", *, busy_timeout: float = 5.0
    ) -> None:
        super().__init__(_SQLiteDriver(sqlite_path(path), busy_timeout))


class _SQLiteDriver:
    dialect = SQLITE

    def __init__(self, path: str, busy_timeout: float) -> None:
        self._path = path
        self._busy_ms = int(busy_timeout * 1000)
        self._conn: aiosqlite.Connection | None = None
        # Held by each statement and for the whole of a transaction, so no statement of
        # another coroutine lands inside someone else's transaction.
        self._turn = asyncio.Lock()

    @property
    def url(self) -> str:
        return _URL_PREFIX + self._path

    async def open(self) -> None:
        if self._conn is not None:
            return
        module = require("aiosqlite", "sqlite")
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await module.connect(self._path, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise BackendConnectionError(self.url, str(exc)) from exc
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=FULL",
                f"PRAGMA busy_timeout={self._busy_ms}",
            ):
                await conn.execute_fetchall(pragma)
        except sqlite3.Error as exc:
            await conn.close()
            raise BackendConnectionError(self.url, str(exc)) from exc
        self._conn = conn

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        async with self._turn:
            return await self._run(sql, args)

    async def _run(self, sql: str, args: Sequence[Any]) -> list[Sequence[Any]]:
        conn = self._conn
        if conn is None:
            raise StoreError("the SQLite store is closed")
        try:
            return list(await conn.execute_fetchall(sql, tuple(args)))
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise StoreError(f"{self.url}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"{self.url}: {exc}") from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._turn:
            await self._run("BEGIN IMMEDIATE", ())
            try:
                yield _Transaction(self)
            except BaseException:
                await self._run("ROLLBACK", ())
                raise
            await self._run("COMMIT", ())

    def migration(self) -> AbstractAsyncContextManager[Session]:
        # BEGIN IMMEDIATE already keeps every other writer out.
        return self.transaction()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


class _Transaction:
    """Statements inside a transaction: the driver's turn is already held."""

    def __init__(self, driver: _SQLiteDriver) -> None:
        self._driver = driver

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        return await self._driver._run(sql, args)
