"""What people paste: a server address and a login link, read the same way by the library
and by roomz-cli.

* :func:`websocket_url` takes what a browser shows (``http://host:8000``) or a WebSocket URL
  and gives the WebSocket URL (``ws://host:8000/ws``).
* :func:`token_from` takes the whole login link from the e-mail (or the console) or the bare
  token and gives the token.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

_WS_SCHEMES = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}


def websocket_url(address: str) -> str:
    """The WebSocket URL of ``address``: ``http://h:8000`` → ``ws://h:8000/ws``.

    ``ws(s)://`` URLs are kept as given; ``http(s)://`` ones get ``/ws`` appended to their
    path unless it ends so already.

    Raises:
        ValueError: not an http, https, ws or wss URL with a host.
    """
    parts = urlsplit(address.strip())
    scheme = _WS_SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError(f"{address!r} is not a ws://, wss://, http:// or https:// URL")
    path = parts.path
    if parts.scheme.lower() in ("http", "https") and not path.rstrip("/").endswith("/ws"):
        path = path.rstrip("/") + "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def token_from(text: str) -> str:
    """The token in ``text``: the ``token`` parameter of an http(s) link, or ``text`` itself
    (surrounding blanks removed).

    Raises:
        ValueError: a link without a ``token`` parameter.
    """
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return text
    values = parse_qs(parts.query).get("token")
    if not values or not values[0]:
        raise ValueError("that link has no token parameter; paste the whole link from the e-mail")
    return values[0]
