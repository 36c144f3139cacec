"""The SQL schema shared by SQLiteStore and PostgresStore, and how a database gets it.

Every table is prefixed ``roomkit_`` so an application (roomz, for one) can keep its own
tables in the same database. Documents (rooms, events, bindings …) are stored as the JSON
of their pydantic model, in TEXT columns so that any text — NUL characters included —
round-trips exactly; the columns the queries filter or order on are stored beside them.

Versions: the ``roomkit_schema`` table records which migrations a database has had. A
store brings an older database up to :data:`LATEST` on first use, inside one transaction
(so an upgrade either happens whole or not at all, and no row is rewritten), and refuses a
database written by a newer roomkit with :class:`~roomkit.errors.SchemaVersionError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from roomkit.errors import SchemaVersionError


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the SQL engines we speak."""

    name: str
    serial: str  # an auto-numbered primary key column, numbered in insertion order
    greatest: str  # the two-argument maximum function


SQLITE = Dialect("sqlite", "INTEGER PRIMARY KEY AUTOINCREMENT", "max")
POSTGRES = Dialect("postgres", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "GREATEST")


class UniqueViolation(Exception):
    """A statement broke a unique constraint (raised by drivers, handled by the store)."""


class Session(Protocol):
    """Somewhere to run statements: a driver (each statement commits) or a transaction."""

    async def fetch(
        self, sql: str, args: Sequence[Any] = (), *, retry: bool = True
    ) -> list[Sequence[Any]]:
        """Run ``sql`` (``?`` placeholders) and return its rows.

        ``retry`` says whether running the statement twice is harmless, so the driver may
        run it again once after losing its connection.
        """
        ...


class Driver(Session, Protocol):
    """One database connection (SQLite) or pool (PostgreSQL), as the SQL store uses it."""

    dialect: Dialect

    async def open(self) -> None:
        """Connect, if not connected yet.

        Raises:
            BackendConnectionError: the database cannot be reached or opened.
        """
        ...

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        ...

    def migration(self) -> AbstractAsyncContextManager[Session]:
        """A transaction that no other process migrates in at the same time."""
        ...

    async def close(self) -> None:
        """Release the connection or pool. Idempotent."""
        ...


_V1 = (
    """CREATE TABLE roomkit_rooms (
        seq {serial},
        id TEXT NOT NULL UNIQUE,
        organization_id TEXT,
        status TEXT NOT NULL,
        created_us BIGINT NOT NULL,
        last_index BIGINT NOT NULL DEFAULT 0,
        data TEXT NOT NULL)""",
    "CREATE INDEX roomkit_rooms_created ON roomkit_rooms (created_us, id)",
    "CREATE INDEX roomkit_rooms_org ON roomkit_rooms (organization_id, status)",
    """CREATE TABLE roomkit_events (
        room_id TEXT NOT NULL,
        idx BIGINT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        visibility TEXT NOT NULL,
        idempotency_key TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (room_id, idx),
        UNIQUE (room_id, idempotency_key))""",
    """CREATE TABLE roomkit_bindings (
        seq {serial},
        room_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        channel_type TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (room_id, channel_id))""",
    "CREATE INDEX roomkit_bindings_channel ON roomkit_bindings (channel_id)",
    """CREATE TABLE roomkit_participants (
        seq {serial},
        room_id TEXT NOT NULL,
        id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (room_id, id))""",
    "CREATE INDEX roomkit_participants_id ON roomkit_participants (id)",
    "CREATE TABLE roomkit_identities (id TEXT PRIMARY KEY, data TEXT NOT NULL)",
    """CREATE TABLE roomkit_addresses (
        channel_type TEXT NOT NULL,
        address TEXT NOT NULL,
        identity_id TEXT NOT NULL,
        PRIMARY KEY (channel_type, address))""",
    """CREATE TABLE roomkit_tasks (
        seq {serial},
        id TEXT NOT NULL UNIQUE,
        room_id TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL)""",
    "CREATE INDEX roomkit_tasks_room ON roomkit_tasks (room_id, seq)",
    """CREATE TABLE roomkit_observations (
        seq {serial},
        room_id TEXT NOT NULL,
        data TEXT NOT NULL)""",
    "CREATE INDEX roomkit_observations_room ON roomkit_observations (room_id, seq)",
    """CREATE TABLE roomkit_read_marks (
        room_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        idx BIGINT NOT NULL,
        PRIMARY KEY (room_id, channel_id))""",
)

# Added in version 2: timeline pages filtered by visibility read an index, not the room.
_V2 = ("CREATE INDEX roomkit_events_visibility ON roomkit_events (room_id, visibility, idx)",)

#: ``MIGRATIONS[n - 1]`` takes a database from version ``n - 1`` to version ``n``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
LATEST = len(MIGRATIONS)

# Statements only one engine runs, by (dialect, version). SQLite inserts an event in one
# statement that reads the room's last index; this trigger moves that index on.
_ONLY: dict[tuple[str, int], tuple[str, ...]] = {
    ("sqlite", 1): (
        """CREATE TRIGGER roomkit_events_last_index AFTER INSERT ON roomkit_events
        BEGIN
            UPDATE roomkit_rooms SET last_index = NEW.idx WHERE id = NEW.room_id;
        END""",
    ),
}


def _statements(dialect: Dialect, version: int) -> tuple[str, ...]:
    common = tuple(s.format(serial=dialect.serial) for s in MIGRATIONS[version - 1])
    return common + _ONLY.get((dialect.name, version), ())


async def ensure_schema(driver: Driver, *, target: int = LATEST) -> int:
    """Create or upgrade the schema to ``target``; return the version found before.

    Raises:
        SchemaVersionError: the database has a version newer than ``target``.
    """
    return await migrate(
        driver,
        "roomkit_schema",
        lambda version: _statements(driver.dialect, version),
        target=target,
        too_new=SchemaVersionError,
    )


async def migrate(
    driver: Driver,
    version_table: str,
    statements: Callable[[int], Sequence[str]],
    *,
    target: int,
    too_new: Callable[[int, int], Exception],
) -> int:
    """Bring a set of tables to version ``target``; return the version found before.

    ``version_table`` records the version (created if missing); ``statements(n)`` are the
    statements that take the tables from version ``n - 1`` to ``n``. Everything runs in
    one migration transaction (one process at a time), so an upgrade is all or nothing.

    Raises:
        Exception: ``too_new(found, target)`` when the tables are at a newer version than
            ``target``; nothing is changed then.
    """
    async with driver.migration() as tx:
        await tx.fetch(
            f"CREATE TABLE IF NOT EXISTS {version_table} "
            "(id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"
        )
        rows = await tx.fetch(f"SELECT version FROM {version_table} WHERE id = 1")
        found = int(rows[0][0]) if rows else 0
        if found > target:
            raise too_new(found, target)
        for version in range(found + 1, target + 1):
            for statement in statements(version):
                await tx.fetch(statement)
        if found < target:
            await tx.fetch(
                f"INSERT INTO {version_table} (id, version) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                (target,),
            )
    return found
