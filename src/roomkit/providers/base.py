"""What every transport provider returns, and the mock that records sends."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent

__all__ = ["MockProvider", "ProviderResult", "SentMessage", "TransportProvider"]


class TransportProvider(ABC):
    """Sends room events to people on one kind of network (SMS, email, WhatsApp, …)."""

    name: str = "provider"
    # True for a provider whose send does no I/O (it records, or hands data to in-process
    # code, and returns without waiting): the kit then awaits its sends in turn rather than
    # spending a task on each. Such a send is not bounded by the delivery timeout.
    inline_delivery: ClassVar[bool] = False

    @abstractmethod
    async def send(self, event: RoomEvent, to: str, **kwargs: Any) -> ProviderResult:
        """Send ``event`` to ``to``; extra keyword arguments come from the channel's defaults."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections. Idempotent."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One send recorded by a mock provider."""

    event: RoomEvent
    to: str
    kwargs: dict[str, Any] = field(default_factory=dict)


class MockProvider(TransportProvider):
    """Records every send in ``sent``; ``fail_with`` makes every send report that error."""

    name = "mock"
    inline_delivery: ClassVar[bool] = True  # it only records

    def __init__(self, *, fail_with: str | None = None) -> None:
        self.sent: list[SentMessage] = []
        self.fail_with = fail_with
        self._counter = 0

    async def send(self, event: RoomEvent, to: str, **kwargs: Any) -> ProviderResult:
        if self.fail_with is not None:
            return ProviderResult(success=False, error=self.fail_with)
        self.sent.append(SentMessage(event=event, to=to, kwargs=dict(kwargs)))
        self._counter += 1
        return ProviderResult(success=True, provider_message_id=f"{self.name}-{self._counter}")
