"""Who is on the other end of a request: the peer address, or, behind a trusted reverse
proxy, the client address the proxy reports.

``X-Forwarded-For`` is a list each proxy appends to; anyone can write its first entries.
So it is read only when the peer is one of the configured proxies
(``ROOMZ_TRUSTED_PROXIES``), from the right, skipping addresses of trusted proxies: the
first other address is the one the nearest trusted proxy saw. With no proxy configured,
the header is ignored and a client cannot choose the address its rate limit counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network


class Peers:
    """Finds the client address of requests, trusting ``proxies`` (addresses or networks)."""

    def __init__(self, proxies: Iterable[str] = ()) -> None:
        self._proxies: tuple[Network, ...] = tuple(ip_network(p, strict=False) for p in proxies)

    def trusted(self, address: str) -> bool:
        """Whether ``address`` is one of the configured proxies."""
        try:
            ip = ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self._proxies)

    def client(self, conn: HTTPConnection) -> str:
        """The address rate limits count for ``conn``."""
        peer = conn.client.host if conn.client else "unknown"
        if not self._proxies or not self.trusted(peer):
            return peer
        forwarded = ",".join(conn.headers.getlist("x-forwarded-for"))
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            if not self.trusted(hop):
                return hop
        return peer
