"""The HTTP endpoints of login, as docs/protocol.md describes them.

=========================  ====================================================================
``POST /auth/login``       ``{"email"}`` (JSON or a form) -> 202 ``{"status": "ok", "delivery"}``
                           the same whether or not the address may log in (``delivery`` is
                           ``"console"`` or ``"email"``: where this server sends links); 400
                           ``invalid_email``; 429 ``rate_limited`` with ``retry_after``
``POST /auth/token``       ``{"token"}`` -> 200 ``{"session_token", "user"}`` (and the session
                           cookie); 401 ``invalid_token``
``GET /auth/verify``       the emailed link: a page whose button spends the token (GET and
                           HEAD spend nothing, so mail scanners that fetch links do not burn
                           them); a styled page (400) when the link is used or expired
``POST /auth/verify``      ``token`` (the page's form): sets the session cookie and redirects
                           (303) to ``/``; the used-link page (400) otherwise
``POST /auth/logout``      revokes the session of the cookie or bearer token, clears the cookie
``GET /auth/me``           ``{"user"}``; 401 ``not_authenticated``
=========================  ====================================================================

The endpoints find the open :class:`~roomz.server.auth.Auth` in the application's lifespan
state (``request.state.auth``). Every POST whose ``Origin`` header names another site is
refused with 403 (``forbidden_origin``): a page elsewhere cannot log a visitor out or spend
their link. Requests without ``Origin`` (programs, not browsers) are served. Rate limits
count the client address of :class:`~roomz.server.peers.Peers`: the peer's, unless it is a
configured proxy (``ROOMZ_TRUSTED_PROXIES``).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from roomz.errors import Reason, error_body
from roomz.server.auth import Auth, AuthError, RateLimited
from roomz.server.auth.sessions import SESSION_COOKIE, clearing_cookie, session_cookie
from roomz.server.pages import confirm_page, used_link_page
from roomz.server.peers import Peers
from roomz.server.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 8192  # a login or token request is a few dozen bytes
FORBIDDEN_ORIGIN = Reason.FORBIDDEN_ORIGIN

Endpoint = Callable[[Request], Awaitable[Response]]


def auth_routes(settings: Settings) -> list[BaseRoute]:
    """The login endpoints, configured by ``settings``; they serve ``request.state.auth``."""
    endpoints = _Endpoints(settings)
    return [
        Route("/auth/login", _answering(endpoints.login), methods=["POST"]),
        Route("/auth/token", _answering(endpoints.token), methods=["POST"]),
        Route("/auth/verify", _answering(endpoints.confirm), methods=["GET"]),  # and HEAD
        Route("/auth/verify", _answering(endpoints.verify), methods=["POST"]),
        Route("/auth/logout", _answering(endpoints.logout), methods=["POST"]),
        Route("/auth/me", _answering(endpoints.me), methods=["GET"]),
    ]


def session_token_of(conn: HTTPConnection) -> str | None:
    """The session a request or WebSocket handshake presents: ``Authorization: Bearer``
    first, then the ``roomz_session`` cookie."""
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return conn.cookies.get(SESSION_COOKIE) or None


def _auth(request: Request) -> Auth:
    auth: Auth = request.state.auth
    return auth


class _Endpoints:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._origins = settings.origins
        self._origin = settings.origin
        self._peers = Peers(settings.trusted_proxies)

    async def login(self, request: Request) -> Response:
        self._check_origin(request)
        fields = await _fields(request)
        if "email" not in fields:
            raise AuthError(Reason.INVALID_EMAIL, "the request has no email")
        auth = _auth(request)
        await auth.request_link(fields["email"], self._peers.client(request))
        return JSONResponse({"status": "ok", "delivery": auth.delivery}, status_code=202)

    async def token(self, request: Request) -> Response:
        self._check_origin(request)
        token = (await _fields(request)).get("token")
        if not isinstance(token, str):
            raise AuthError(Reason.INVALID_TOKEN, "the request has no token")
        session, user = await _auth(request).exchange(token)
        response = JSONResponse({"session_token": session, "user": user})
        return self._with_session(response, session)

    async def confirm(self, request: Request) -> Response:
        """The link's page: a button that spends it. Nothing is spent here."""
        token = request.query_params.get("token", "")
        if await _auth(request).link_usable(token):
            # strict-origin, not no-referrer: with no-referrer, browsers send the form's
            # POST with "Origin: null", which the origin check must refuse. Referers still
            # name the origin only, never this URL with its token.
            return _private(HTMLResponse(confirm_page(token)), referrer="strict-origin")
        return _private(HTMLResponse(used_link_page(), status_code=400))

    async def verify(self, request: Request) -> Response:
        """The confirm page's button: spend the token on a session."""
        self._check_origin(request)
        token = (await _fields(request)).get("token")
        try:
            session, _ = await _auth(request).exchange(token if isinstance(token, str) else "")
        except AuthError:
            return _private(HTMLResponse(used_link_page(), status_code=400))
        return _private(self._with_session(RedirectResponse("/", status_code=303), session))

    async def logout(self, request: Request) -> Response:
        self._check_origin(request)
        token = session_token_of(request)
        if token is not None:
            await _auth(request).logout(token)
        response = JSONResponse({"status": "ok"})
        response.headers.append("set-cookie", clearing_cookie(secure=self._settings.secure_cookies))
        return response

    async def me(self, request: Request) -> Response:
        token = session_token_of(request)
        user = await _auth(request).user_for_session(token) if token else None
        if user is None:
            raise AuthError(Reason.NOT_AUTHENTICATED, "no valid session cookie or bearer token")
        return JSONResponse({"user": user})

    def _with_session(self, response: Response, session: str) -> Response:
        cookie = session_cookie(
            session,
            max_age=self._settings.session_ttl,
            secure=self._settings.secure_cookies,
        )
        response.headers.append("set-cookie", cookie)
        return response

    def _check_origin(self, request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin.lower() not in self._origins:
            raise _Refused(
                403,
                {
                    "error": f"requests from {origin!r} are refused; this site is "
                    f"{self._settings.origin}",
                    "code": 403,
                    "reason": FORBIDDEN_ORIGIN,
                },
            )


def _private(response: Response, referrer: str = "no-referrer") -> Response:
    """``response`` kept out of caches, and its URL out of Referer headers: it concerns a
    token."""
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = referrer
    return response


class _Refused(Exception):
    """An answer that is not an AuthError: a status and a body in the error shape."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["error"])
        self.status = status
        self.body = body


def _answering(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with every refusal and failure answered in the JSON error shape."""

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except RateLimited as exc:
            retry = {"retry-after": str(math.ceil(exc.retry_after))}
            return JSONResponse(exc.body(), status_code=exc.code, headers=retry)
        except AuthError as exc:
            return JSONResponse(exc.body(), status_code=exc.code)
        except _Refused as exc:
            return JSONResponse(exc.body, status_code=exc.status)
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            body = error_body(Reason.INTERNAL_ERROR, "the server failed; try again later")
            return JSONResponse(body, status_code=500)

    return answer


async def _fields(request: Request) -> dict[str, Any]:
    """The request's JSON object, or its URL-encoded form.

    Raises:
        _Refused: the body is too large (413), or neither an object nor a form (400).
    """
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _Refused(
                413,
                error_body(Reason.FRAME_TOO_LARGE, f"request body over {MAX_BODY_BYTES} bytes"),
            )
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace")))
    try:
        fields = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
        raise _Refused(400, error_body(Reason.INVALID_JSON, "the body is not JSON")) from None
    if not isinstance(fields, dict):
        raise _Refused(400, error_body(Reason.INVALID_FRAME, "the body is not a JSON object"))
    return fields
