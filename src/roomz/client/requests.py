"""Requests in flight: each waits for the ``result`` (or ``pong``) carrying its request id.

A request marked ``resend`` (a chat message with its ``client_id``) survives a dropped
connection and is written again after the reconnect; the server's idempotency on
``client_id`` makes the second copy harmless. Every other request fails with
``connection_lost`` when the connection drops.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from roomz.errors import Reason, error_body


@dataclass
class _Pending:
    text: str
    resend: bool
    future: asyncio.Future[dict[str, Any]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def answer(frame: dict[str, Any]) -> dict[str, Any]:
    """A ``result`` frame as the caller sees it: without ``type`` and ``request_id``."""
    return {k: v for k, v in frame.items() if k not in ("type", "request_id")}


class PendingRequests:
    """Request id → encoded frame and the future its answer resolves."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout  # seconds a request waits for its answer
        self._pending: dict[str, _Pending] = {}

    def add(self, request_id: str, text: str, *, resend: bool) -> None:
        """Track a request about to be written."""
        self._pending[request_id] = _Pending(text, resend)

    def resolve(self, frame: dict[str, Any]) -> bool:
        """Hand an answer frame to its request; ``False`` if no request waits for it."""
        pending = self._pending.get(str(frame.get("request_id")))
        if pending is None or pending.future.done():
            return False
        pending.future.set_result(answer(frame))
        return True

    def discard(self, request_id: str) -> None:
        """Stop tracking a request that was never written."""
        self._pending.pop(request_id, None)

    def fail(self, request_id: str, reason: Reason, message: str) -> None:
        """Answer one request locally with an error dict."""
        pending = self._pending.get(request_id)
        if pending is not None and not pending.future.done():
            pending.future.set_result(error_body(reason, message))

    def fail_all(self, reason: Reason, message: str, *, keep_resendable: bool = False) -> None:
        """Answer every request (or every non-resendable one) locally with an error dict."""
        for request_id, pending in list(self._pending.items()):
            if not (keep_resendable and pending.resend):
                self.fail(request_id, reason, message)

    def resendable(self) -> list[str]:
        """The frames to write again after a reconnect, oldest first."""
        return [p.text for p in self._pending.values() if p.resend and not p.future.done()]

    async def wait(self, request_id: str) -> dict[str, Any]:
        """The answer to ``request_id``, or a 408 ``timeout`` error dict after ``timeout`` s."""
        pending = self._pending[request_id]
        try:
            async with asyncio.timeout(self.timeout):
                return await pending.future
        except TimeoutError:
            message = f"no answer from the server within {self.timeout:g}s"
            return error_body(Reason.TIMEOUT, message)
        finally:
            self._pending.pop(request_id, None)
