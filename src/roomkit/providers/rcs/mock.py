"""MockRCSProvider — records sends and plays the RCS-unavailable and failure cases."""

from __future__ import annotations

from typing import Any, ClassVar

from roomkit.models._base import construct
from roomkit.models.event import RoomEvent
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider

__all__ = ["MockRCSProvider"]


class MockRCSProvider(RCSProvider):
    """An RCS provider for tests.

    Every send is appended to :attr:`calls` as ``{"event", "to", "fallback"}``, failed
    ones included.

    Args:
        sender_id: the agent id reported by :attr:`sender_id`.
        simulate_fallback: recipients cannot take RCS (:meth:`check_capability` is
            False): a send with ``fallback=True`` goes out as SMS (``channel_used="sms"``,
            ``fallback=True``); one with ``fallback=False`` fails.
        simulate_failure: every send fails with ``error="simulated_failure"``.
    """

    inline_delivery: ClassVar[bool] = True  # it only records: no I/O to wait for

    def __init__(
        self,
        sender_id: str = "mock_rcs_agent",
        *,
        simulate_fallback: bool = False,
        simulate_failure: bool = False,
    ) -> None:
        self.calls: list[dict[str, Any]] = []
        self.simulate_fallback = simulate_fallback
        self.simulate_failure = simulate_failure
        self._sender_id = sender_id

    @property
    def sender_id(self) -> str:
        return self._sender_id

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        self.calls.append({"event": event, "to": to, "fallback": fallback})
        number = len(self.calls)
        if self.simulate_failure:
            return RCSDeliveryResult(success=False, error="simulated_failure")
        if not self.simulate_fallback:
            # Valid by construction: built without validating (see providers.base.record_send).
            return construct(
                RCSDeliveryResult, success=True, provider_message_id=f"mock_rcs_{number}"
            )
        if not fallback:
            return RCSDeliveryResult(
                success=False, error=f"{to} cannot receive RCS and SMS fallback is off"
            )
        return RCSDeliveryResult(
            success=True,
            provider_message_id=f"mock_sms_{number}",
            channel_used="sms",
            fallback=True,
        )

    async def check_capability(self, phone_number: str) -> bool:
        return not self.simulate_fallback
