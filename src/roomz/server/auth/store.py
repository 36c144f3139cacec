"""Users, magic links and sessions in SQL, beside roomkit's tables in the same database.

Tables are prefixed ``roomz_``. Tokens appear only as their SHA-256 (``token_hash``);
times are seconds since the epoch. The schema is created on first use, and upgraded from
an older version inside one migration transaction; ``roomz_schema`` records the version,
and a database written by a newer roomz is refused rather than misread.

The statements are written once, in the SQL that SQLite and PostgreSQL share, and run
over roomkit's drivers (:mod:`roomkit.store.drivers`).
"""

from __future__ import annotations

from roomkit.errors import StoreError
from roomkit.store.drivers import Driver, migrate, open_driver

_V1 = (
    """CREATE TABLE roomz_users (
        email TEXT PRIMARY KEY,
        display_name TEXT,
        created_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE roomz_magic_links (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX roomz_magic_links_expiry ON roomz_magic_links (expires_at)",
    """CREATE TABLE roomz_sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX roomz_sessions_expiry ON roomz_sessions (expires_at)",
)

# Added in version 2: login requests, so every process sharing the database counts them.
_V2 = (
    """CREATE TABLE roomz_login_requests (
        kind TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX roomz_login_requests_key ON roomz_login_requests (kind, key_hash, at)",
    "CREATE INDEX roomz_login_requests_at ON roomz_login_requests (at)",
)

#: ``MIGRATIONS[n - 1]`` takes the tables from version ``n - 1`` to version ``n``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
LATEST = len(MIGRATIONS)


class AuthSchemaError(StoreError):
    """The database's roomz tables were written by a newer roomz than this one."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"the roomz tables are at schema version {found}, newer than this roomz "
            f"supports ({supported}); upgrade roomz to open this database"
        )
        self.found = found
        self.supported = supported


async def ensure_schema(driver: Driver, *, target: int = LATEST) -> int:
    """Create or upgrade the roomz tables to ``target``; return the version found.

    Raises:
        AuthSchemaError: the tables are at a version newer than ``target``.
    """
    return await migrate(
        driver,
        "roomz_schema",
        lambda version: MIGRATIONS[version - 1],
        target=target,
        too_new=AuthSchemaError,
    )


class AuthStore:
    """The SQL of login. Every method is one statement; callers decide what it means."""

    def __init__(self, driver: Driver) -> None:
        self._db = driver

    @classmethod
    async def open(cls, url: str, *, schema: str = "public") -> AuthStore:
        """Connect to ``url`` (``sqlite:///…`` or ``postgresql://…``) and ensure the tables.

        Raises:
            BackendConnectionError: the database cannot be reached.
            AuthSchemaError: the tables belong to a newer roomz.
        """
        driver = await open_driver(url, schema=schema)
        try:
            await ensure_schema(driver)
        except BaseException:
            await driver.close()
            raise
        return cls(driver)

    async def close(self) -> None:
        """Release the connection or pool. Idempotent."""
        await self._db.close()

    # -- users -----------------------------------------------------------------------------

    async def ensure_user(self, email: str, now: float) -> str | None:
        """Create the user if new; return their display name."""
        # The no-op update makes RETURNING answer for an existing row too.
        rows = await self._db.fetch(
            "INSERT INTO roomz_users (email, display_name, created_at) VALUES (?, NULL, ?) "
            "ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING display_name",
            (email, now),
        )
        return _text_or_none(rows[0][0])

    async def set_display_name(self, email: str, name: str | None, now: float) -> None:
        """Store the user's display name (``None`` clears it), creating the user if new."""
        await self._db.fetch(
            "INSERT INTO roomz_users (email, display_name, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (email) DO UPDATE SET display_name = excluded.display_name",
            (email, name, now),
        )

    # -- magic links -----------------------------------------------------------------------

    async def add_link(self, token_hash: str, email: str, expires_at: float) -> None:
        """Store a magic link by its hash."""
        await self._db.fetch(
            "INSERT INTO roomz_magic_links (token_hash, email, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (token_hash) DO NOTHING",
            (token_hash, email, expires_at),
        )

    async def take_link(self, token_hash: str) -> tuple[str, float] | None:
        """Remove the link and return ``(email, expires_at)``; ``None`` if there is none.

        One statement, so of two callers racing with the same token only one gets it.
        """
        rows = await self._db.fetch(
            "DELETE FROM roomz_magic_links WHERE token_hash = ? RETURNING email, expires_at",
            (token_hash,),
        )
        return (str(rows[0][0]), float(rows[0][1])) if rows else None

    async def link_expiry(self, token_hash: str) -> float | None:
        """When the link expires, or ``None`` if there is none (used or never issued)."""
        rows = await self._db.fetch(
            "SELECT expires_at FROM roomz_magic_links WHERE token_hash = ?", (token_hash,)
        )
        return float(rows[0][0]) if rows else None

    async def purge_links(self, now: float) -> None:
        """Forget links that expired."""
        await self._db.fetch("DELETE FROM roomz_magic_links WHERE expires_at <= ?", (now,))

    # -- sessions --------------------------------------------------------------------------

    async def add_session(self, token_hash: str, email: str, now: float, expires_at: float) -> None:
        """Store a session by its token's hash."""
        await self._db.fetch(
            "INSERT INTO roomz_sessions (token_hash, email, created_at, expires_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING",
            (token_hash, email, now, expires_at),
        )

    async def session_user(self, token_hash: str, now: float) -> tuple[str, str | None] | None:
        """``(email, display_name)`` of a session that has not expired; else ``None``."""
        rows = await self._db.fetch(
            "SELECT s.email, u.display_name FROM roomz_sessions s "
            "JOIN roomz_users u ON u.email = s.email "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now),
        )
        return (str(rows[0][0]), _text_or_none(rows[0][1])) if rows else None

    async def session_expiry(self, token_hash: str) -> float | None:
        """When a stored session expires (seconds since the epoch); ``None`` if unknown."""
        rows = await self._db.fetch(
            "SELECT expires_at FROM roomz_sessions WHERE token_hash = ?", (token_hash,)
        )
        return float(rows[0][0]) if rows else None

    async def delete_session(self, token_hash: str) -> None:
        """Remove a session (nothing happens if there is none)."""
        await self._db.fetch("DELETE FROM roomz_sessions WHERE token_hash = ?", (token_hash,))

    async def purge_sessions(self, now: float) -> None:
        """Forget sessions that expired."""
        await self._db.fetch("DELETE FROM roomz_sessions WHERE expires_at <= ?", (now,))

    # -- login requests --------------------------------------------------------------------

    async def nth_newest_request(
        self, kind: str, key_hash: str, n: int, since: float
    ) -> float | None:
        """When the ``n``-th newest request of ``(kind, key_hash)`` after ``since`` was
        made; ``None`` if there were fewer than ``n``."""
        rows = await self._db.fetch(
            "SELECT at FROM roomz_login_requests WHERE kind = ? AND key_hash = ? AND at > ? "
            "ORDER BY at DESC LIMIT 1 OFFSET ?",
            (kind, key_hash, since, n - 1),
        )
        return float(rows[0][0]) if rows else None

    async def add_requests(self, requests: list[tuple[str, str]], at: float) -> None:
        """Count one request at ``at`` for each ``(kind, key_hash)``."""
        values = ", ".join("(?, ?, ?)" for _ in requests)
        args = [arg for kind, key_hash in requests for arg in (kind, key_hash, at)]
        await self._db.fetch(
            f"INSERT INTO roomz_login_requests (kind, key_hash, at) VALUES {values}",
            args,
            retry=False,
        )

    async def purge_requests(self, before: float) -> None:
        """Forget requests made at or before ``before``."""
        await self._db.fetch("DELETE FROM roomz_login_requests WHERE at <= ?", (before,))


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
