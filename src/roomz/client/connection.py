"""The client's two doors to the server: the HTTP API and the authenticated WebSocket.

Both map every failure onto the client's error tree: a refused token is an
:class:`~roomz.errors.AuthenticationError`, anything else that stops the exchange a
:class:`~roomz.errors.ConnectionError`.
"""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from roomz.errors import AuthenticationError, ConnectionError, ProtocolError, Reason
from roomz.protocol import MAX_SERVER_FRAME_BYTES, decode_server_frame

logger = logging.getLogger(__name__)

_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


class ConnectionState(Enum):
    """Where the client's connection stands."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"


def http_base(server_url: str) -> str:
    """The HTTP base of a WebSocket URL: ``ws://h:p/x/ws`` → ``http://h:p/x``.

    Raises:
        ValueError: the URL's scheme is not ``ws`` or ``wss``.
    """
    parts = urlsplit(server_url)
    scheme = _HTTP_SCHEMES.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"server_url must be a ws:// or wss:// URL, got {server_url!r}")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/ws")
    return urlunsplit((scheme, parts.netloc, path, "", ""))


async def post_json(
    url: str,
    body: dict[str, Any],
    timeout: float,  # noqa: ASYNC109 - handed to httpx, which applies it per operation
) -> httpx.Response:
    """POST ``body`` as JSON.

    Raises:
        ConnectionError: the request could not be completed, or the server answered 5xx.
    """
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.post(url, json=body)
    except httpx.HTTPError as exc:
        raise ConnectionError(f"POST {url} failed: {exc!r}") from exc
    if response.status_code >= 500:
        raise ConnectionError(f"POST {url} answered HTTP {response.status_code}")
    return response


async def _handshake(url: str, token: str, close_timeout: float) -> ClientConnection:
    try:
        return await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=None,  # open_session bounds the handshake and the first frame together
            close_timeout=close_timeout,
            max_size=MAX_SERVER_FRAME_BYTES,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            message = f"the server refused the token (HTTP {status})"
            raise AuthenticationError(message, code=401, reason=Reason.INVALID_TOKEN) from exc
        raise ConnectionError(f"WebSocket handshake with {url} answered HTTP {status}") from exc
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise ConnectionError(f"cannot open {url}: {exc!r}") from exc


async def _first_frame(ws: ClientConnection) -> dict[str, Any]:
    try:
        frame = decode_server_frame(await ws.recv())
    except (ConnectionClosed, ProtocolError) as exc:
        raise ConnectionError(f"no 'authenticated' frame from the server: {exc!r}") from exc
    if frame["type"] == "error" and frame.get("code") == 401:
        raise AuthenticationError(str(frame.get("error")), code=401, reason=frame.get("reason"))
    if frame["type"] != "authenticated" or not isinstance(frame.get("session_token"), str):
        raise ConnectionError(f"expected an 'authenticated' frame, got {frame['type']!r}")
    return frame


async def open_session(
    url: str,
    token: str,
    timeout: float,  # noqa: ASYNC109 - one deadline for two steps, and it also bounds close()
) -> tuple[ClientConnection, dict[str, Any]]:
    """Open the WebSocket with ``token`` and read its ``authenticated`` frame in ``timeout`` s.

    Raises:
        AuthenticationError: the server refused the token.
        ConnectionError: the socket could not be opened or did not authenticate in time.
    """
    try:
        async with asyncio.timeout(timeout):
            ws = await _handshake(url, token, timeout)
            try:
                return ws, await _first_frame(ws)
            except BaseException:
                # Also on timeout or cancellation: the socket must not outlive the call.
                await ws.close()
                raise
    except TimeoutError as exc:
        raise ConnectionError(f"no authenticated connection to {url} within {timeout:g}s") from exc
