"""SQLiteStore — every ConversationStore method in one SQLite file, with no server.

The file is opened on first use in WAL mode with ``synchronous=FULL``: a write is on disk
when its call returns, and readers never wait for the writer. All statements of one store
go through one aiosqlite connection, so coroutines of one process may write concurrently;
a multi-statement transaction holds the connection until it ends. Other processes may open
the same file (SQLite lets one of them write at a time; they wait up to ``busy_timeout``).

Group commit: a statement that arrives while the connection is busy waits with the others
that arrive, and when the connection is free they all run in one transaction, so they
share one commit and its fsync instead of paying one each. Each still gets its own result
or its own error (a statement that breaks a constraint is undone alone, as it would be on
its own); if the shared commit itself fails, every statement of it fails, and none of
them is stored. A call returns only once its statement is committed, as before.

Needs the ``sqlite`` extra: ``pip install 'roomkit[sqlite]'``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roomkit._extras import require
from roomkit.errors import (
    BackendConnectionError,
    InvalidArgumentError,
    StoreError,
    UniqueViolation,
)
from roomkit.store._schema import SQLITE, Session
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
        # Statements waiting for the connection, to run together (see the module docstring),
        # and the task that will run them.
        self._waiting: list[_Waiting] | None = None
        self._flusher: asyncio.Task[None] | None = None

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
        if (self._turn.locked() or self._waiting is not None) and _shareable(sql):
            return await self._wait_with_others(sql, tuple(args))
        async with self._turn:
            return await self._run(sql, args)

    async def _wait_with_others(self, sql: str, args: tuple[Any, ...]) -> list[Sequence[Any]]:
        result: asyncio.Future[list[Sequence[Any]]] = asyncio.get_running_loop().create_future()
        if self._waiting is None:
            self._waiting = []
            self._flusher = asyncio.ensure_future(self._flush())
        self._waiting.append(_Waiting(sql, args, result))
        return await result

    async def _flush(self) -> None:
        """Run the statements that waited for the connection, in one transaction."""
        waited: list[_Waiting] | None = None
        try:
            async with self._turn:
                waited, self._waiting = self._waiting or [], None
                batch = [w for w in waited if not w.result.cancelled()]
                if len(batch) == 1:
                    batch[0].settle(*await _outcome(self._run(batch[0].sql, batch[0].args)))
                elif batch:
                    await self._run_together(batch)
        finally:
            if waited is None:  # this task was cancelled before it had the connection
                waited, self._waiting = self._waiting or [], None
            for waiting in waited:  # a no-op for every statement that has its outcome
                waiting.settle(None, StoreError(f"{self.url}: the statement was not run"))

    async def _run_together(self, batch: list[_Waiting]) -> None:
        conn = self._conn
        outcomes = []
        try:
            await self._run("BEGIN IMMEDIATE", ())
            for waiting in batch:
                outcome = await _outcome(self._run(waiting.sql, waiting.args))
                if outcome[1] is not None and (conn is None or not conn.in_transaction):
                    raise outcome[1]  # SQLite gave up the whole transaction, not just this
                outcomes.append(outcome)
            await self._run("COMMIT", ())
        except BaseException as exc:
            if conn is not None and conn.in_transaction:
                await _outcome(self._run("ROLLBACK", ()))
            failed = StoreError(f"{self.url}: a shared commit failed and stored nothing: {exc}")
            for waiting in batch:
                waiting.settle(None, failed)
            if not isinstance(exc, Exception):
                raise
            return
        for waiting, (rows, error) in zip(batch, outcomes, strict=True):
            waiting.settle(rows, error)

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
        if self._flusher is not None and not self._flusher.done():
            await self._flusher  # statements already waiting get their outcome first
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


class _Waiting:
    """One statement waiting to run with others, and where its outcome goes."""

    __slots__ = ("sql", "args", "result")

    def __init__(
        self, sql: str, args: tuple[Any, ...], result: asyncio.Future[list[Sequence[Any]]]
    ) -> None:
        self.sql = sql
        self.args = args
        self.result = result

    def settle(self, rows: list[Sequence[Any]] | None, error: BaseException | None) -> None:
        if self.result.done():
            return
        if error is not None:
            self.result.set_exception(error)
        else:
            self.result.set_result(rows or [])


async def _outcome(
    run: Awaitable[list[Sequence[Any]]],
) -> tuple[list[Sequence[Any]] | None, Exception | None]:
    """``(rows, None)`` or ``(None, error)`` for a statement's failure of its own."""
    try:
        return await run, None
    except StoreError as exc:  # UniqueViolation included
        return None, exc


# Statements that may share a transaction with others; anything else (PRAGMA, VACUUM,
# BEGIN ...) waits for the connection alone.
_SHAREABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE")


def _shareable(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_SHAREABLE)


class _Transaction:
    """Statements inside a transaction: the driver's turn is already held."""

    def __init__(self, driver: _SQLiteDriver) -> None:
        self._driver = driver

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        return await self._driver._run(sql, args)
