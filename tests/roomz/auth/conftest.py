"""Fixtures: an Auth on each SQL engine, a clock the test moves, and a mailbox."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from roomz.server.auth import Auth, MemorySender
from roomz.server.routes import auth_routes
from roomz.server.settings import Settings
from tests.conftest import POSTGRES_DSN, fresh_pg_schema, require_service


@dataclass
class Clock:
    """Seconds since the epoch, moved only by the test."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Database:
    """Where an Auth keeps its tables: a settings URL and a PostgreSQL schema."""

    url: str
    schema: str = "public"
    opened: list[Auth] = field(default_factory=list)

    async def auth(self, mailer: MemorySender, clock: Clock, **settings: Any) -> Auth:
        """An Auth on this database (closed by the fixture if the test does not)."""
        auth = await Auth.open(
            Settings(database=self.url, **settings), mailer=mailer, schema=self.schema, clock=clock
        )
        self.opened.append(auth)
        return auth


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "sqlite":
            db = Database(f"sqlite:///{tmp_path / 'roomz.db'}")
        else:
            require_service("PostgreSQL", 5432)
            db = Database(POSTGRES_DSN, await stack.enter_async_context(fresh_pg_schema()))
        yield db
        for auth in db.opened:
            await auth.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mailbox() -> MemorySender:
    return MemorySender()


@pytest.fixture
async def auth(database: Database, mailbox: MemorySender, clock: Clock) -> Auth:
    """An Auth that lets anyone at example.com and one outside address log in."""
    return await database.auth(
        mailbox,
        clock,
        allowed_domains=("example.com",),
        allowed_emails=("guest@elsewhere.org",),
        login_requests_per_email=3,
        login_requests_per_client=5,
        login_window=60.0,
        link_ttl=900.0,
        session_ttl=3600.0,
    )


async def link_token(auth: Auth, mailbox: MemorySender, email: str) -> str:
    """Request a link for ``email`` and return the token of the link that was mailed."""
    await auth.request_link(email, "198.51.100.7")
    to, url = await mailbox.next()
    assert to == email.lower()
    return parse_qs(urlsplit(url).query)["token"][0]


def login_site(auth: Auth) -> ASGIApp:
    """The login routes serving ``auth``, handed to them as a lifespan would (its state)."""
    app = Starlette(routes=auth_routes(auth.settings))

    async def stated(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "state": {"auth": auth}}, receive, send)

    return stated


async def spend(http: httpx.AsyncClient, token: str) -> httpx.Response:
    """Press the link page's button: ``POST /auth/verify`` with the token, as its form does."""
    return await http.post("/auth/verify", data={"token": token})
