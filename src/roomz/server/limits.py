"""Request rate limits of sockets: a token bucket per connection and one per user.

A request goes ahead only when both the connection's bucket and its user's bucket hold a
token, and then takes one from each: a user who opens many sockets gets more sockets, not
more requests. Buckets refill continuously at their rate and hold at most one second's
worth (at least one request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from roomz.server.sockets import Connection


@dataclass(slots=True)
class Bucket:
    """Tokens and when they were last counted (``time.monotonic``)."""

    tokens: float
    stamp: float

    def refilled(self, now: float, rate: float, burst: float) -> float:
        """The tokens at ``now``; counted into the bucket."""
        self.tokens = min(burst, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        return self.tokens


class RateLimit:
    """``rate`` requests a second per connection and ``per_user`` per user (bursts of up to
    one second's worth each)."""

    def __init__(self, rate: float, per_user: float | None = None) -> None:
        self.rate = rate
        self.burst = max(rate, 1.0)
        self.per_user = per_user if per_user is not None else rate
        self._user_burst = max(self.per_user, 1.0)
        self._users: dict[str, Bucket] = {}

    def fill(self, connection: Connection) -> None:
        """Give a new connection a full bucket (its user keeps theirs)."""
        now = time.monotonic()
        connection.tokens, connection.stamp = self.burst, now
        self._users.setdefault(connection.user_id, Bucket(self._user_burst, now))

    def forget(self, user_id: str) -> None:
        """Drop the bucket of a user who has no socket left."""
        self._users.pop(user_id, None)

    def wait(self, connection: Connection) -> float:
        """0 when the request may go ahead (and it is counted), else seconds to wait."""
        now = time.monotonic()
        own = Bucket(connection.tokens, connection.stamp)
        user = self._users.setdefault(connection.user_id, Bucket(self._user_burst, now))
        mine = own.refilled(now, self.rate, self.burst)
        theirs = user.refilled(now, self.per_user, self._user_burst)
        wait = max((1.0 - mine) / self.rate, (1.0 - theirs) / self.per_user, 0.0)
        if wait == 0.0:
            own.tokens -= 1.0
            user.tokens -= 1.0
        connection.tokens, connection.stamp = own.tokens, own.stamp
        return wait

    def describe(self) -> str:
        """The limits, for refusal messages."""
        return (
            f"more than {self.rate:g} requests a second on one socket or "
            f"{self.per_user:g} for one user; slow down"
        )
