"""The SQL schema shared by SQLiteStore and PostgresStore, and how a database gets it.

Every table is prefixed ``roomkit_`` so an application (roomz, for one) can keep its own
tables in the same database. Documents (rooms, events, bindings …) are stored as the JSON
of their pydantic model, in TEXT columns so that any text — NUL characters included —
round-trips exactly; the columns the queries filter or order on are stored beside them.

Versions: the ``roomkit_schema`` table records which migrations a database has had. A
store brings an older database up to :data:`LATEST` on first use, inside one transaction
(so an upgrade either happens whole or not at all), and refuses a database written by a
newer roomkit with :class:`~roomkit.errors.SchemaVersionError`. Rows are kept as they are;
the one exception is version 3 on SQLite, which copies the events into a rebuilt table.
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

# Version 3: every B-tree an insert touches is a page written (and, in SQLite, a WAL frame)
# per message. Most events have no idempotency key and are visible to all, so neither
# index holds those: a key is unique where there is one, and a page filtered by a
# visibility other than "all" still reads only its own events (see SQLStore.list_events).
_V3 = (
    "CREATE UNIQUE INDEX roomkit_events_key ON roomkit_events (room_id, idempotency_key) "
    "WHERE idempotency_key IS NOT NULL",
    "CREATE INDEX roomkit_events_visibility ON roomkit_events (room_id, visibility, idx) "
    "WHERE visibility <> 'all'",
)

#: ``MIGRATIONS[n - 1]`` takes a database from version ``n - 1`` to version ``n``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
LATEST = len(MIGRATIONS)

# Version 3 on SQLite: an event's index is computed from the room's own events, so the
# rooms row is no longer written with every event. SQLite cannot drop the table's UNIQUE
# (room_id, idempotency_key) constraint, so the events table is rebuilt: same columns,
# rows copied as they are (in timeline order), the old table and its indexes dropped.
_SQLITE_V3_REBUILD = (
    "DROP TRIGGER roomkit_events_last_index",
    """CREATE TABLE roomkit_events_v3 (
        room_id TEXT NOT NULL,
        idx BIGINT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        visibility TEXT NOT NULL,
        idempotency_key TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (room_id, idx))""",
    "INSERT INTO roomkit_events_v3 (room_id, idx, id, visibility, idempotency_key, data) "
    "SELECT room_id, idx, id, visibility, idempotency_key, data FROM roomkit_events "
    "ORDER BY room_id, idx",
    "DROP TABLE roomkit_events",
    "ALTER TABLE roomkit_events_v3 RENAME TO roomkit_events",
)

# Statements only one engine runs, by (dialect, version): before the shared statements of
# that version, and after them.
_BEFORE: dict[tuple[str, int], tuple[str, ...]] = {
    ("sqlite", 3): _SQLITE_V3_REBUILD,
    ("postgres", 3): (
        # The name PostgreSQL gave the version-1 constraint.
        "ALTER TABLE roomkit_events DROP CONSTRAINT roomkit_events_room_id_idempotency_key_key",
        "DROP INDEX roomkit_events_visibility",
    ),
}
_AFTER: dict[tuple[str, int], tuple[str, ...]] = {
    # Versions 1 and 2 on SQLite: the insert reads the room's last index, and this trigger
    # moves it on. PostgreSQL moves it in the insert statement itself (store/sql.py).
    ("sqlite", 1): (
        """CREATE TRIGGER roomkit_events_last_index AFTER INSERT ON roomkit_events
        BEGIN
            UPDATE roomkit_rooms SET last_index = NEW.idx WHERE id = NEW.room_id;
        END""",
    ),
    # Nothing maintains it on SQLite any more; a column left behind would read stale.
    ("sqlite", 3): ("ALTER TABLE roomkit_rooms DROP COLUMN last_index",),
}


def _statements(dialect: Dialect, version: int) -> tuple[str, ...]:
    key = (dialect.name, version)
    common = tuple(s.format(serial=dialect.serial) for s in MIGRATIONS[version - 1])
    return _BEFORE.get(key, ()) + common + _AFTER.get(key, ())


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
