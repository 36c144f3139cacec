"""The SQL drivers under SQLiteStore and PostgresStore, for applications' own tables.

An application that keeps tables of its own beside roomkit's (roomz keeps its users and
sessions so) opens a driver on the same database URL and gets what the stores get: one
statement language for both engines (``?`` placeholders, SQL both engines share),
``UniqueViolation`` for a broken unique constraint, one retry of a harmless statement after
a lost PostgreSQL connection, and ``BackendConnectionError`` naming the URL without its
password when the database cannot be reached::

    driver = await open_driver("sqlite:///chat.db")
    rows = await driver.fetch("SELECT 1")
    async with driver.transaction() as tx:
        await tx.fetch("INSERT INTO app_notes (text) VALUES (?)", ("hi",))
    await driver.close()

``migrate(driver, "app_schema", steps, target=n, too_new=...)`` creates or upgrades the
application's tables the way the stores do theirs, with the version in a table of its own.
``safe_url(url)`` is a database or Redis URL as it may be logged or shown: its password,
in the authority or in the query, replaced by ``***``.

Each driver owns its connection (SQLite) or connections (PostgreSQL); it shares nothing with a
store opened on the same URL. Table names should carry the application's own prefix.
"""

from __future__ import annotations

from roomkit._urls import safe_url
from roomkit.errors import InvalidArgumentError, UniqueViolation
from roomkit.store._schema import (
    POSTGRES,
    SQLITE,
    Dialect,
    Driver,
    Session,
    migrate,
)
from roomkit.store.postgres import _IDENTIFIER, _PostgresDriver
from roomkit.store.sqlite import _SQLiteDriver, sqlite_path

__all__ = [
    "POSTGRES",
    "SQLITE",
    "Dialect",
    "Driver",
    "Session",
    "UniqueViolation",
    "migrate",
    "open_driver",
    "safe_url",
]


async def open_driver(
    url: str,
    *,
    schema: str = "public",
    busy_timeout: float = 5.0,
    min_size: int = 1,
    max_size: int = 10,
) -> Driver:
    """A connected driver for ``url``: ``sqlite:///PATH`` or ``postgresql://…``.

    Args:
        url: the database, as SQLiteStore or PostgresStore take it.
        schema: PostgreSQL only: the schema statements run in (created by
            ``driver.migration()`` if missing).
        busy_timeout: SQLite only: seconds to wait for another process's write.
        min_size: PostgreSQL only: connections opened on first use.
        max_size: PostgreSQL only: connections the store may have open.

    Raises:
        InvalidArgumentError: ``url`` names no engine roomkit speaks, or ``schema`` is not
            an SQL identifier.
        BackendConnectionError: the database cannot be reached or opened.
    """
    driver: Driver
    if url.startswith(("postgresql://", "postgres://")):
        if not _IDENTIFIER.fullmatch(schema):
            raise InvalidArgumentError(
                "schema", schema, "an SQL identifier ([A-Za-z_][A-Za-z0-9_]*)"
            )
        driver = _PostgresDriver(url, schema, min_size, max_size)
    elif url.startswith("sqlite:///"):
        driver = _SQLiteDriver(sqlite_path(url), busy_timeout)
    else:
        raise InvalidArgumentError("url", safe_url(url), "sqlite:///PATH or postgresql://…")
    await driver.open()
    return driver
