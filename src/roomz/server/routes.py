"""The HTTP endpoints of login, as docs/protocol.md describes them.

=========================  ====================================================================
``POST /auth/login``       ``{"email"}`` (JSON or a form) -> 202 ``{"status": "ok"}``, the same
                           whether or not the address may log in; 400 ``invalid_email``;
                           429 ``rate_limited`` with ``retry_after`` and ``Retry-After``
``POST /auth/token``       ``{"token"}`` -> 200 ``{"session_token", "user"}`` (and the session
                           cookie); 401 ``invalid_token``
``GET /auth/verify``       the emailed link: sets the session cookie and redirects (303) to
                           ``/``; an HTML page (400) when the link is invalid or expired
``POST /auth/logout``      revokes the session of the cookie or bearer token, clears the cookie
``GET /auth/me``           ``{"user"}``; 401 ``not_authenticated``
=========================  ====================================================================

Every POST whose ``Origin`` header names another site is refused with 403
(``forbidden_origin``): a page elsewhere cannot log a visitor out or spend their link.
Requests without ``Origin`` (programs, not browsers) are served. Rate limits count the
peer address of the connection (``request.client.host``); behind a proxy that is the
proxy's, so run the proxy with its own limits or give uvicorn ``--forwarded-allow-ips``.
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
from roomz.server.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 8192  # a login or token request is a few dozen bytes
FORBIDDEN_ORIGIN = Reason.FORBIDDEN_ORIGIN

Endpoint = Callable[[Request], Awaitable[Response]]

_INVALID_LINK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roomz: link expired</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>This login link is invalid or has expired</h1>
<p>Each link works once and only for a short while. Ask for a new one.</p>
<p><a href="/">Back to roomz</a></p></main></body></html>
"""


def auth_routes(auth: Auth, settings: Settings) -> list[BaseRoute]:
    """The login endpoints, served by ``auth`` and configured by ``settings``."""
    endpoints = _Endpoints(auth, settings)
    return [
        Route("/auth/login", _answering(endpoints.login), methods=["POST"]),
        Route("/auth/token", _answering(endpoints.token), methods=["POST"]),
        Route("/auth/verify", _answering(endpoints.verify), methods=["GET"]),
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


class _Endpoints:
    def __init__(self, auth: Auth, settings: Settings) -> None:
        self._auth = auth
        self._settings = settings
        self._origins = settings.origins
        self._origin = settings.origin

    async def login(self, request: Request) -> Response:
        self._check_origin(request)
        fields = await _fields(request)
        if "email" not in fields:
            raise AuthError(Reason.INVALID_EMAIL, "the request has no email")
        client = request.client.host if request.client else "unknown"
        await self._auth.request_link(fields["email"], client)
        return JSONResponse({"status": "ok"}, status_code=202)

    async def token(self, request: Request) -> Response:
        self._check_origin(request)
        token = (await _fields(request)).get("token")
        if not isinstance(token, str):
            raise AuthError(Reason.INVALID_TOKEN, "the request has no token")
        session, user = await self._auth.exchange(token)
        response = JSONResponse({"session_token": session, "user": user})
        return self._with_session(response, session)

    async def verify(self, request: Request) -> Response:
        try:
            session, _ = await self._auth.exchange(request.query_params.get("token", ""))
        except AuthError:
            response: Response = HTMLResponse(_INVALID_LINK_PAGE, status_code=400)
        else:
            response = self._with_session(RedirectResponse("/", status_code=303), session)
        # The token is in this URL: keep it out of caches and of any Referer header.
        response.headers["cache-control"] = "no-store"
        response.headers["referrer-policy"] = "no-referrer"
        return response

    async def logout(self, request: Request) -> Response:
        self._check_origin(request)
        token = session_token_of(request)
        if token is not None:
            await self._auth.logout(token)
        response = JSONResponse({"status": "ok"})
        response.headers.append("set-cookie", clearing_cookie(secure=self._settings.secure_cookies))
        return response

    async def me(self, request: Request) -> Response:
        token = session_token_of(request)
        user = await self._auth.user_for_session(token) if token else None
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
    except ValueError:
        raise _Refused(400, error_body(Reason.INVALID_JSON, "the body is not JSON")) from None
    if not isinstance(fields, dict):
        raise _Refused(400, error_body(Reason.INVALID_FRAME, "the body is not a JSON object"))
    return fields
