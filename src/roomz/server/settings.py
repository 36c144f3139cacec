"""roomz configuration: read once from the environment at start, validated, then frozen.

Every variable is optional; the defaults run one process on one SQLite file, printing
login links to the console.

=============================  ==========================================================
``ROOMZ_PUBLIC_URL``           the address users reach (links in emails are built on it;
                               ``https://`` makes cookies ``Secure``); default
                               ``http://HOST:PORT`` from the two below
``ROOMZ_HOST`` / ``ROOMZ_PORT``  where to listen; default ``127.0.0.1`` / ``8000``
``ROOMZ_DATABASE``             ``sqlite:///roomz.db`` (default) or ``postgresql://…``
``ROOMZ_REDIS_URL``            with PostgreSQL: share locks and live events between
                               processes through Redis
``ROOMZ_LOCK_LEASE``           with Redis: seconds a crashed process's room locks block
                               their rooms (renewed every third of it while it lives); 2.5
``ROOMZ_ALLOWED_EMAILS``       comma-separated addresses allowed to log in
``ROOMZ_ALLOWED_DOMAINS``      comma-separated domains allowed to log in
``ROOMZ_OPEN_SIGNUP``          ``1`` to let any address log in
``ROOMZ_SMTP_HOST`` …          ``_PORT``, ``_USERNAME``, ``_PASSWORD``, ``_FROM``,
                               ``_STARTTLS``, ``_TLS``: send links by SMTP instead of
                               printing them
``ROOMZ_MAX_MESSAGE_LENGTH``   characters per message; default 4000
``ROOMZ_LINK_TTL``             seconds a login link stays valid; default 900
``ROOMZ_SESSION_TTL``          seconds a session lasts; default 30 days
``ROOMZ_LOGIN_REQUESTS_PER_EMAIL``   login links one address may request per window; 5
``ROOMZ_LOGIN_REQUESTS_PER_CLIENT``  login links one client address may request; 20
``ROOMZ_LOGIN_WINDOW``         the window of those two limits, in seconds; 900
``ROOMZ_MESSAGES_PER_SECOND``  requests one connection may make per second; 20
``ROOMZ_USER_MESSAGES_PER_SECOND``  requests one user may make per second, all their
                               sockets together; 40
``ROOMZ_MAX_SOCKETS_PER_USER``  sockets one user may have open in one process; 20
``ROOMZ_TRUSTED_PROXIES``      comma-separated addresses or networks (``10.0.0.0/8``) of
                               reverse proxies whose ``X-Forwarded-For`` is believed;
                               default none: the peer address is the client's
``ROOMZ_ACCESS_LOG``           ``1`` to log each HTTP request (JSON on stderr, login
                               tokens redacted); off by default, so the console's login
                               links stand alone
``ROOMZ_HISTORY_LIMIT``        messages a join returns; 50
``ROOMZ_ROSTER_HEARTBEAT``     with Redis: seconds between two "still here" messages of a
                               process; one silent for 3 of them is taken for dead and
                               its users leave ``who``; 5
=============================  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from ipaddress import ip_network
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class SettingsError(ValueError):
    """The environment holds a value roomz cannot use; the message names the variable."""


class Settings(BaseModel):
    """Everything a roomz process is configured with."""

    model_config = ConfigDict(frozen=True)

    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database: str = "sqlite:///roomz.db"
    redis_url: str | None = None
    lock_lease: float = Field(default=2.5, ge=0.3, le=300.0)
    allowed_emails: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    open_signup: bool = False
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "roomz@localhost"
    smtp_starttls: bool = False
    smtp_tls: bool = False
    max_message_length: int = Field(default=4000, ge=1, le=100_000)
    link_ttl: float = Field(default=900.0, gt=0)
    session_ttl: float = Field(default=30 * 24 * 3600.0, gt=0)
    login_requests_per_email: int = Field(default=5, ge=1)
    login_requests_per_client: int = Field(default=20, ge=1)
    login_window: float = Field(default=900.0, gt=0)
    messages_per_second: float = Field(default=20.0, gt=0)
    user_messages_per_second: float = Field(default=40.0, gt=0)
    max_sockets_per_user: int = Field(default=20, ge=1)
    trusted_proxies: tuple[str, ...] = ()
    access_log: bool = False
    history_limit: int = Field(default=50, ge=1, le=1000)
    roster_heartbeat: float = Field(default=5.0, gt=0)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        try:
            return tuple(str(ip_network(item, strict=False)) for item in value)
        except ValueError as exc:
            raise ValueError(f"must list IP addresses or networks: {exc}") from None

    @field_validator("database")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///PATH or postgresql://…")
        return value

    @property
    def max_frame_bytes(self) -> int:
        """The largest client frame, in bytes: the protocol's 64 KiB, or more when a
        message may be longer than 4,000 characters (8 bytes each, escaped, and the rest)."""
        return max(64 * 1024, 8 * self.max_message_length + 1024)

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when users reach the service over HTTPS."""
        return self.public_url.startswith("https://")

    @property
    def origin(self) -> str:
        """The one Origin a browser page of this service sends."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def origins(self) -> frozenset[str]:
        """The Origins accepted from browsers (lower-case): the public URL's, and when that
        names this machine's loopback, the same port under its other loopback names (a
        person who opens ``http://localhost:8000`` reaches the same server)."""
        parts = urlsplit(self.public_url)
        if parts.hostname not in _LOOPBACK:
            return frozenset({self.origin.lower()})
        port = f":{parts.port}" if parts.port else ""
        return frozenset(f"{parts.scheme}://{host}{port}" for host in _LOOPBACK_NAMES)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``ROOMZ_*`` variables.

        Raises:
            SettingsError: a variable holds an unusable value (named in the message).
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = env.get(f"ROOMZ_{name.upper()}")
            if raw is None or raw == "":
                continue
            if name in ("allowed_emails", "allowed_domains", "trusted_proxies"):
                values[name] = tuple(p.strip().lower() for p in raw.split(",") if p.strip())
            else:
                values[name] = raw
        if "public_url" not in values:
            values["public_url"] = _local_url(values.get("host"), values.get("port"))
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"ROOMZ_{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors()
            )
            raise SettingsError(problems) from None


def _local_url(host: object, port: object) -> str:
    """The public URL of a server nobody configured one for: where it listens, with a
    wildcard address (``0.0.0.0``, ``::``) read as this machine's loopback."""
    name = str(host or Settings.model_fields["host"].default)
    if name in ("0.0.0.0", "::", ""):
        name = "127.0.0.1"
    elif ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port or Settings.model_fields['port'].default}"
