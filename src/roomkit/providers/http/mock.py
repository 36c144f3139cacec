"""MockHTTPProvider — records what it would have sent."""

from __future__ import annotations

from typing import Any, ClassVar

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, record_send
from roomkit.providers.http.base import HTTPProvider

__all__ = ["MockHTTPProvider"]


class MockHTTPProvider(HTTPProvider):
    """A HTTP webhook provider for tests.

    Every send is appended to :attr:`sent` as ``{"event", "to"}``. Set :attr:`fail_with`
    to an error message to make every send fail with it instead (nothing is recorded then).
    """

    inline_delivery: ClassVar[bool] = True  # it only records: no I/O to wait for

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_with: str | None = None

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return record_send(self.sent, {"event": event, "to": to}, self.fail_with)
