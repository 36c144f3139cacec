"""Backend URLs as they may be shown to people: never with a password in them."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from roomkit.errors import BackendConnectionError


def safe_url(url: str) -> str:
    """``url`` with its password, in the authority or the query, replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None and "password=" not in parts.query:
        return url  # nothing to hide (and sqlite:///path keeps its three slashes)
    netloc = parts.netloc
    if parts.password is not None:
        credentials, _, host = netloc.rpartition("@")
        netloc = f"{credentials.partition(':')[0]}:***@{host}"
    query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*")))


def connection_error(url: str, exc: BaseException) -> BackendConnectionError:
    """The BackendConnectionError for ``exc``, naming ``url`` without its password."""
    return BackendConnectionError(safe_url(url), str(exc) or type(exc).__name__)
