"""The session cache: a small JSON file holding the session token for one server, and the
credentials (in-memory token, cache file behind it) that `connect()` offers.

The file is created with mode 0600 (owner read/write only) and replaced atomically, so a
reader never sees half a token. It records the server URL too: a session cached for one
server is never sent to another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_MODE = 0o600


class SessionCache:
    """Load, save and clear the cached session token of ``server_url`` in ``path``."""

    def __init__(self, path: str | Path, server_url: str) -> None:
        self.path = Path(path).expanduser()
        self.server_url = server_url

    def load(self) -> str | None:
        """The cached session token, or ``None`` if absent, unreadable or for another server."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable session cache %s: %s", self.path, exc)
            return None
        if not isinstance(data, dict) or data.get("server_url") != self.server_url:
            return None
        token = data.get("session_token")
        return token if isinstance(token, str) and token else None

    def save(self, session_token: str) -> None:
        """Write the token, replacing the file atomically; the file's mode is 0600."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"server_url": self.server_url, "session_token": session_token})
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        # O_EXCL: never write through a file (or link) someone else placed at that name.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(body)
            os.chmod(temporary, FILE_MODE)  # the umask may have removed bits, never added
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        """Delete the file; a missing file is already clear."""
        self.path.unlink(missing_ok=True)


class Credentials:
    """The token ``connect()`` offers: held in memory, backed by an optional cache file.

    File I/O runs in a worker thread, so the event loop never blocks on the disk.
    """

    def __init__(self, token: str, cache: SessionCache | None) -> None:
        self.token = token  # a magic link at first; the session once authenticated
        self.cache = cache

    async def choose(self, explicit: str | None) -> str | None:
        """``explicit``, else the token in memory, else the cached session."""
        return explicit or self.token or await self._load()

    async def accept(self, session_token: str) -> None:
        """The server issued ``session_token``: keep it, and cache it."""
        self.token = session_token
        if self.cache is None:
            return
        try:
            await asyncio.to_thread(self.cache.save, session_token)
        except OSError as exc:
            logger.warning("cannot write session cache %s: %s", self.cache.path, exc)

    async def reject(self, token: str) -> None:
        """The server refused ``token``: never offer it again (from memory or the cache)."""
        if self.token == token:
            self.token = ""
        if self.cache is not None and await self._load() == token:
            await asyncio.to_thread(self.cache.clear)

    def clear(self) -> None:
        """Forget the session, in memory and in the cache file."""
        self.token = ""
        if self.cache is not None:
            self.cache.clear()

    async def _load(self) -> str | None:
        return None if self.cache is None else await asyncio.to_thread(self.cache.load)
