"""create_app(settings): the roomz ASGI application, and everything it opens at start.

The request path::

    /auth/...     login, sessions, logout (roomz.server.routes)
    /ws           the chat socket (roomz.server.ws → requests → chat → roomkit)
    /health       {"status": "ok"} once everything below is open
    /metrics      Prometheus text (roomz.server.metrics)
    /, /static/   the web UI (roomz/server/web/), /favicon.ico

Every HTTP answer carries ``Content-Security-Policy`` (with ``frame-ancestors 'none'``) and
``X-Frame-Options: DENY``.

At start the lifespan opens, in order: the store (SQLite for ``sqlite:///``, PostgreSQL for
``postgresql://``), Redis locks and realtime when ``redis_url`` is set (else in-process
ones), the RoomKit, the chat core and the auth tables; at shutdown it closes them in
reverse. The PostgreSQL schema is the DSN's ``search_path`` query parameter (``public`` by
default); Redis keys and channels are prefixed with it, so deployments on one Redis that
use different schemas do not hear each other.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roomkit import InMemoryRealtime, PostgresStore, RoomKit, SQLiteStore
from roomkit.locks.base import RoomLockManager
from roomkit.realtime.base import RealtimeBackend
from roomkit.store.base import ConversationStore
from roomkit.store.drivers import safe_url
from roomz.server.auth import Auth, MailSender
from roomz.server.chat import Chat
from roomz.server.metrics import Metrics
from roomz.server.routes import auth_routes
from roomz.server.settings import Settings
from roomz.server.ws import ChatEndpoint

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
PENDING_EPHEMERAL = 20_000  # events a realtime subscription may queue (relayed messages too)
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
]


class LiveAuth(Auth):
    """Auth whose logout also tells the chat, so the session's open sockets end at once."""

    on_logout: Callable[[str], Awaitable[None]] | None = None

    async def logout(self, session_token: str) -> None:
        await super().logout(session_token)
        if self.on_logout is not None:
            await self.on_logout(session_token)


@dataclass
class Services:
    """What one process runs on."""

    kit: RoomKit
    chat: Chat
    auth: Auth


def pg_schema(database: str) -> str:
    """The schema a ``postgresql://`` DSN names with ``?search_path=``; ``public`` if none."""
    values = parse_qs(urlsplit(database).query).get("search_path")
    return values[0] if values else "public"


def _store(settings: Settings) -> ConversationStore:
    if settings.database.startswith("sqlite:///"):
        return SQLiteStore(settings.database)
    return PostgresStore(settings.database, schema=pg_schema(settings.database))


def _backends(settings: Settings) -> tuple[RoomLockManager | None, RealtimeBackend]:
    if settings.redis_url is None:
        return None, InMemoryRealtime(max_queue_size=PENDING_EPHEMERAL)
    from roomkit import RedisLockManager, RedisRealtime  # redis only when configured

    prefix = f"roomz:{pg_schema(settings.database)}:"
    locks = RedisLockManager(
        settings.redis_url, key_prefix=prefix + "lock:", expiry=settings.lock_lease
    )
    realtime = RedisRealtime(
        settings.redis_url, channel_prefix=prefix + "live:", max_queue_size=PENDING_EPHEMERAL
    )
    return locks, realtime


async def open_services(
    settings: Settings, metrics: Metrics, stack: AsyncExitStack, mailer: MailSender | None
) -> Services:
    """Open everything in order; ``stack`` closes it in reverse."""
    locks, realtime = _backends(settings)
    kit = RoomKit(store=_store(settings), lock_manager=locks, realtime=realtime)
    stack.push_async_callback(kit.close)  # closes the store, locks and realtime too
    chat = Chat(
        kit,
        max_message_length=settings.max_message_length,
        history_limit=settings.history_limit,
        distributed=settings.redis_url is not None,
        metrics=metrics,
        roster_heartbeat=settings.roster_heartbeat,
    )
    await chat.open()
    stack.push_async_callback(chat.close)
    schema = pg_schema(settings.database) if settings.database.startswith("postgres") else "public"
    auth = await LiveAuth.open(settings, mailer=mailer, schema=schema)
    assert isinstance(auth, LiveAuth)  # Auth.open builds the class it is called on
    auth.on_logout = chat.session_ended
    stack.push_async_callback(auth.close)
    return Services(kit, chat, auth)


class _ChatSocketFirst:
    """ASGI middleware: WebSocket handshakes on ``/ws`` go straight to the chat endpoint
    that the lifespan put in the state (``scope["state"]["socket"]``); everything else goes
    on to the app. Skipping Starlette's routing and exception wrappers keeps each frame a
    bare ``websocket.send`` (see :class:`~roomz.server.ws.ChatEndpoint`)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = scope.get("state", {}).get("socket")
        if scope["type"] == "websocket" and scope["path"] == "/ws" and endpoint is not None:
            await endpoint(scope, receive, send)
        else:
            await self._app(scope, receive, send)


class _NoFraming:
    """ASGI middleware: every HTTP answer carries the page policy (no frames, no outside
    scripts or styles), so no other site can show roomz in a frame and trick a click."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self._app(scope, receive, with_headers)


class _WebFolder:
    """``/static/...`` from the web folder; 404 while it does not exist."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files = StaticFiles(directory=folder, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._folder.is_dir():
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self._files(scope, receive, send)


async def _index(request: Request) -> Response:
    page = WEB / "index.html"
    if not page.is_file():
        return PlainTextResponse("the web UI is not installed", status_code=404)
    return FileResponse(page, headers={"cache-control": "no-cache"})


async def _favicon(request: Request) -> Response:
    icon = WEB / "favicon.ico"
    if not icon.is_file():
        return Response(status_code=204)  # no web folder: nothing to show, nothing wrong
    return FileResponse(icon, media_type="image/x-icon", headers={"cache-control": "max-age=86400"})


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _metrics(request: Request) -> Response:
    metrics: Metrics = request.state.metrics
    return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")


def create_app(settings: Settings, *, mailer: MailSender | None = None) -> Starlette:
    """The roomz application for ``settings``; ``mailer`` replaces the configured sender.

    The routes are fixed here; what they serve is opened by the lifespan and handed to
    them as its state: ``request.state.auth``, ``.metrics`` and, for ``/ws``, ``.socket``.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        async with AsyncExitStack() as stack:
            metrics = Metrics()
            services = await open_services(settings, metrics, stack, mailer)
            socket = ChatEndpoint(services.chat, services.auth, settings, services.kit.store)
            logger.info("roomz started", extra={"database": safe_url(settings.database)})
            yield {"auth": services.auth, "metrics": metrics, "socket": socket}
            logger.info("roomz stopping")

    return Starlette(
        routes=[
            *auth_routes(settings),
            Route("/health", _health),
            Route("/metrics", _metrics),
            Route("/", _index),
            Route("/favicon.ico", _favicon),
            Mount("/static", app=_WebFolder(WEB)),
        ],
        middleware=[Middleware(_NoFraming), Middleware(_ChatSocketFirst)],
        lifespan=lifespan,
    )
