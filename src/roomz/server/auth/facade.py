"""Auth: the one object the rest of the server logs people in through.

It composes the parts of this package — the allow-list, the rate limits, magic links,
sessions, the mail sender and the SQL they live in — and every method hands off to them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from roomz.errors import Reason
from roomz.protocol import user_info
from roomz.server.auth.errors import AuthError
from roomz.server.auth.magic_links import MagicLinks
from roomz.server.auth.mailer import MailSender, sender_for
from roomz.server.auth.policy import LoginPolicy, normalize_email
from roomz.server.auth.ratelimit import LoginLimits
from roomz.server.auth.sessions import Sessions
from roomz.server.auth.store import AuthStore
from roomz.server.settings import Settings

log = logging.getLogger(__name__)

_USER_PREFIX = "user:"
_CLOSE_GRACE = 10.0  # seconds close() waits for links still being sent


class Auth:
    """Magic-link login and server-side sessions.

    Users are the dicts of :func:`roomz.protocol.user_info`. Build one with :meth:`open`.

    Args:
        settings: the server's configuration (allow-list, TTLs, limits, public URL).
        store: the SQL tables.
        mailer: how links reach people.
        clock: the time in seconds since the epoch (tests pass their own).
    """

    def __init__(
        self,
        settings: Settings,
        store: AuthStore,
        mailer: MailSender,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.policy = LoginPolicy(settings)
        self._store = store
        self._mailer = mailer
        self._clock = clock
        self._links = MagicLinks(store, settings.link_ttl, clock)
        self._sessions = Sessions(store, settings.session_ttl, clock)
        self._limits = LoginLimits(
            store,
            per_email=settings.login_requests_per_email,
            per_client=settings.login_requests_per_client,
            window=settings.login_window,
            clock=clock,
        )
        # Links being issued and sent; owned here and awaited by close().
        self._mailing: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        mailer: MailSender | None = None,
        schema: str = "public",
        clock: Callable[[], float] = time.time,
    ) -> Auth:
        """Open the tables in ``settings.database`` (created on first use).

        Args:
            mailer: defaults to SMTP when ``settings.smtp_host`` is set, else the console.
            schema: PostgreSQL only: the schema holding the tables.

        Raises:
            BackendConnectionError: the database cannot be reached.
        """
        store = await AuthStore.open(settings.database, schema=schema)
        auth = cls(settings, store, mailer or sender_for(settings), clock=clock)
        if auth.policy.admits_nobody:
            log.warning(
                "nobody may log in: set ROOMZ_ALLOWED_EMAILS, ROOMZ_ALLOWED_DOMAINS "
                "or ROOMZ_OPEN_SIGNUP=1"
            )
        return auth

    async def request_link(self, email: str, client: str) -> None:
        """Mail a login link to ``email`` if it may log in; otherwise do nothing visible.

        Both cases return at once: the link is issued and sent in the background, so the
        time to answer does not tell whether the address is allowed.

        Raises:
            AuthError: ``invalid_email``.
            RateLimited: too many requests for this address or from ``client``.
        """
        address = normalize_email(email)
        await self._limits.admit(address, client)
        if self.policy.allows(address):
            self._own(self._send_link(address))

    async def exchange(self, token: str) -> tuple[str, dict[str, Any]]:
        """Spend a magic-link token on a new session: ``(session_token, user)``.

        Raises:
            AuthError: ``invalid_token`` — unknown, used or expired.
        """
        email = await self._links.consume(token)
        if email is None or not self.policy.allows(email):
            raise AuthError(Reason.INVALID_TOKEN, "the login link is unknown, used or expired")
        display_name = await self._store.ensure_user(email, self._clock())
        return await self._sessions.issue(email), user_info(email, display_name)

    async def link_usable(self, token: str) -> bool:
        """Whether a login link's ``token`` is unused and unexpired; it stays unused."""
        return await self._links.usable(token)

    @property
    def delivery(self) -> str:
        """Where login links go: ``"console"`` (printed by the server) or ``"email"``."""
        return self._mailer.delivery

    async def authenticate(self, token: str) -> tuple[str, dict[str, Any]]:
        """A session token (returned as it is) or an unused magic-link token (spent on a
        new session) -> ``(session_token, user)``.

        Raises:
            AuthError: ``invalid_token`` — unknown, used, expired, revoked or tampered.
        """
        user = await self.user_for_session(token)
        if user is not None:
            return token, user
        return await self.exchange(token)

    async def user_for_session(self, session_token: str) -> dict[str, Any] | None:
        """The user of a live session, or ``None``."""
        found = await self._sessions.verify(session_token)
        if found is None or not self.policy.allows(found[0]):
            return None
        return user_info(*found)

    async def session_remaining(self, session_token: str) -> float | None:
        """Seconds until the session expires (``None``: no such session), so its open
        sockets can be closed when it does."""
        expires = await self._sessions.expires_at(session_token)
        return None if expires is None else expires - self._clock()

    async def logout(self, session_token: str) -> None:
        """Revoke the session: the token stops working everywhere at once."""
        await self._sessions.revoke(session_token)

    async def set_display_name(self, user_id: str, name: str | None) -> dict[str, Any]:
        """Store the display name of ``user_id`` (``None`` clears it); the updated user.

        Raises:
            AuthError: ``invalid_field`` — ``user_id`` is not ``user:<email>``.
        """
        email = user_id.removeprefix(_USER_PREFIX)
        if email == user_id or not email:
            raise AuthError(Reason.INVALID_FIELD, f"{user_id!r} is not a user id")
        await self._store.set_display_name(email, name, self._clock())
        return user_info(email, name)

    async def close(self) -> None:
        """Finish sending links (briefly), then release the mailer and the database.
        Idempotent."""
        if self._mailing:
            _, late = await asyncio.wait(self._mailing, timeout=_CLOSE_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._mailer.close()
        await self._store.close()

    async def __aenter__(self) -> Auth:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _send_link(self, email: str) -> None:
        try:
            token = await self._links.issue(email)
            url = f"{self.settings.public_url}/auth/verify?token={token}"
            await self._mailer.send_login_link(email, url)
        except Exception:
            # Nobody waits on this task: the log is where a failed delivery shows.
            log.exception("could not send a login link to %s", email)

    def _own(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._mailing.add(task)
        task.add_done_callback(self._mailing.discard)
