"""RCSChannel with MockRCSProvider: fallback to SMS, refusal without fallback, failures."""

from __future__ import annotations

from roomkit import (
    ChannelBinding,
    ChannelType,
    MockRCSProvider,
    RCSChannel,
    RCSDeliveryResult,
    Room,
    RoomContext,
    RoomKit,
    WebSocketChannel,
)
from tests.roomkit.helpers import text


async def _room(kit: RoomKit, channel: object) -> list[tuple[str | None, str]]:
    failures: list[tuple[str | None, str]] = []
    kit.on("delivery_failed")(lambda fe: failures.append((fe.channel_id, fe.data["error"])))
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(channel)  # type: ignore[arg-type]
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "rcs", metadata={"phone_number": "+15550199"})
    return failures


async def test_fallback_on_by_default_reaches_a_phone_without_rcs_by_sms(kit: RoomKit) -> None:
    """RCSChannel(fallback=True) asks for fallback; the result says SMS was used."""
    provider = MockRCSProvider(simulate_fallback=True)
    channel = RCSChannel("rcs", provider=provider)
    failures = await _room(kit, channel)
    result = await kit.process_inbound(text("web-user", "your order shipped", channel_id="ws"))
    assert failures == []
    assert [(c["to"], c["fallback"]) for c in provider.calls] == [("+15550199", True)]
    assert provider.calls[0]["event"].id == result.event.id  # type: ignore[union-attr]
    assert await provider.check_capability("+15550199") is False

    # What the channel hands back for that delivery names the channel used.
    binding = ChannelBinding(
        channel_id="rcs",
        room_id="r",
        channel_type=ChannelType.RCS,
        metadata={"phone_number": "+15550199"},
    )
    assert result.event is not None
    output = await channel.deliver(result.event, binding, RoomContext(room=Room(id="r")))
    sent = output.metadata["provider_result"]
    assert output.delivered and isinstance(sent, RCSDeliveryResult)
    assert (sent.channel_used, sent.fallback) == ("sms", True)
    assert output.metadata["provider_message_id"] == sent.provider_message_id


async def test_a_phone_with_rcs_gets_rcs(kit: RoomKit) -> None:
    """Without simulate_fallback the message goes out as RCS, no fallback taken."""
    provider = MockRCSProvider("agent-7")
    channel = RCSChannel("rcs", provider=provider)
    binding = ChannelBinding(
        channel_id="rcs", room_id="r", channel_type=ChannelType.RCS,
        metadata={"phone_number": "+15550199"},
    )  # fmt: skip
    await _room(kit, channel)
    result = await kit.process_inbound(text("web-user", "hi", channel_id="ws"))
    assert result.event is not None
    output = await channel.deliver(result.event, binding, RoomContext(room=Room(id="r")))
    sent = output.metadata["provider_result"]
    assert (sent.channel_used, sent.fallback) == ("rcs", False)
    assert provider.sender_id == "agent-7" and provider.supports_fallback
    assert await provider.check_capability("+15550199") is True


async def test_without_fallback_a_phone_without_rcs_is_a_failed_delivery(kit: RoomKit) -> None:
    """RCSChannel(fallback=False) passes fallback=False; the send fails, reported as such."""
    provider = MockRCSProvider(simulate_fallback=True)
    failures = await _room(kit, RCSChannel("rcs", provider=provider, fallback=False))
    await kit.process_inbound(text("web-user", "hi", channel_id="ws"))
    assert [c["fallback"] for c in provider.calls] == [False]
    assert failures == [("rcs", "+15550199 cannot receive RCS and SMS fallback is off")]


async def test_simulated_failure_is_delivery_failed(kit: RoomKit) -> None:
    """simulate_failure makes every send fail with 'simulated_failure'; the call is recorded."""
    provider = MockRCSProvider(simulate_failure=True)
    failures = await _room(kit, RCSChannel("rcs", provider=provider))
    result = await kit.process_inbound(text("web-user", "hi", channel_id="ws"))
    assert result.event is not None
    assert failures == [("rcs", "simulated_failure")]
    assert len(provider.calls) == 1
