"""The errors of login: each carries the protocol reason a client switches on.

::

    AuthError            reason + code; body() is the wire shape {"error", "code", "reason"}
    └── RateLimited      429 rate_limited; also retry_after (seconds)
"""

from __future__ import annotations

import math
from typing import Any

from roomz.errors import REASON_CODES, Reason, error_body


class AuthError(Exception):
    """A login request or token the server refuses.

    Args:
        reason: the stable reason (``invalid_email``, ``invalid_token`` ...).
        message: text for people, naming what was wrong.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = REASON_CODES[reason]

    def body(self) -> dict[str, Any]:
        """The JSON answer: ``{"error", "code", "reason"}``."""
        return error_body(self.reason, str(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason.value!r}, {str(self)!r})"


class RateLimited(AuthError):
    """Too many login requests; ``retry_after`` seconds until one more is accepted."""

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        self.retry_after = max(0.0, retry_after)
        super().__init__(
            Reason.RATE_LIMITED,
            message or f"too many login requests; try again in {math.ceil(self.retry_after)} s",
        )

    def body(self) -> dict[str, Any]:
        """The JSON answer, with ``retry_after`` in seconds."""
        return {**super().body(), "retry_after": round(self.retry_after, 3)}

    def __repr__(self) -> str:
        return f"RateLimited(retry_after={self.retry_after!r})"
