"""Identity resolution in the pipeline, including the exact snippets of the identity page."""

from __future__ import annotations

import asyncio

from roomkit import (
    ChannelDirection,
    ChannelType,
    HookTrigger,
    IdentificationStatus,
    Identity,
    IdentityHookResult,
    IdentityResolver,
    IdentityResult,
    InboundMessage,
    MockIdentityResolver,
    RoomContext,
    RoomKit,
    SMSChannel,
    WebSocketChannel,
)
from tests.roomkit.helpers import text

ALICE = Identity(id="id-alice", display_name="Alice")
BOB = Identity(id="id-bob", display_name="Bob")


async def _kit(resolver: IdentityResolver, **kwargs: object) -> RoomKit:
    kit = RoomKit(identity_resolver=resolver, **kwargs)  # type: ignore[arg-type]
    for channel in (SMSChannel("sms-support"), SMSChannel("sms-other"), WebSocketChannel("ws")):
        kit.register_channel(channel)
    await kit.create_room("r", metadata={"phone_number": "+15550001"})
    for name in ("sms-support", "sms-other", "ws"):
        await kit.attach_channel("r", name)
    return kit


async def test_identified_sender_becomes_a_participant() -> None:
    """An identified sender is recorded as a participant and named on the event."""
    kit = await _kit(MockIdentityResolver(mapping={"+1555": ALICE}))
    result = await kit.process_inbound(text("+1555", "hi", channel_id="sms-support"))
    assert result.event is not None and result.event.source.participant_id == "id-alice"
    participant = await kit.store.get_participant("r", "id-alice")
    assert participant is not None and participant.identification is IdentificationStatus.IDENTIFIED
    await kit.close()


async def test_a_resolved_sender_is_announced_and_an_unknown_one_is_not() -> None:
    kit = await _kit(MockIdentityResolver(mapping={"+1555": ALICE}))
    resolved: list[tuple[str | None, object]] = []
    kit.on("identity_resolved")(lambda fe: resolved.append((fe.channel_id, fe.data)))
    await kit.process_inbound(text("+1555", "hi", channel_id="sms-support"))
    await kit.process_inbound(text("+1999", "who?", channel_id="sms-support"))
    assert resolved == [("sms-support", {"identity_id": "id-alice", "sender_id": "+1555"})]
    await kit.close()


async def test_seed_snippet_ambiguous_hook_resolves_single_candidate() -> None:
    """The documented ON_IDENTITY_AMBIGUOUS hook resolves when one candidate remains."""
    kit = await _kit(MockIdentityResolver(ambiguous={"+1555": [BOB]}))

    @kit.identity_hook(HookTrigger.ON_IDENTITY_AMBIGUOUS)
    async def resolve_ambiguous(event, ctx, id_result):  # type: ignore[no-untyped-def]
        # Custom logic to resolve ambiguous identity
        if len(id_result.candidates) == 1:
            return IdentityHookResult.resolved(id_result.candidates[0])
        return IdentityHookResult.pending(candidates=id_result.candidates)

    result = await kit.process_inbound(text("+1555", "hi", channel_id="sms-support"))
    assert result.event is not None and result.event.source.participant_id == "id-bob"
    await kit.close()


async def test_seed_snippet_filtered_hooks() -> None:
    """The documented filtered hooks: SMS-inbound pending with room metadata; per-id reject."""
    kit = await _kit(MockIdentityResolver(ambiguous={"+1555": [ALICE, BOB]}))
    calls: list[str] = []

    # Only run for SMS inbound messages
    @kit.identity_hook(
        HookTrigger.ON_IDENTITY_AMBIGUOUS,
        channel_types={ChannelType.SMS},
        directions={ChannelDirection.INBOUND},
    )
    async def resolve_sms_identity(event, ctx, id_result):  # type: ignore[no-untyped-def]
        # Only called for SMS inbound events
        calls.append(event.source.channel_id)
        return IdentityHookResult.pending(
            display_name=ctx.room.metadata.get("phone_number"),
            candidates=id_result.candidates,
        )

    # Only run for specific channel IDs
    @kit.identity_hook(
        HookTrigger.ON_IDENTITY_UNKNOWN,
        channel_ids={"sms-support", "sms-sales"},
    )
    async def handle_unknown_support(event, ctx, id_result):  # type: ignore[no-untyped-def]
        # Only called for support/sales SMS channels
        return IdentityHookResult.reject("Unknown sender not allowed")

    ambiguous = await kit.process_inbound(text("+1555", "hi", channel_id="sms-support"))
    assert not ambiguous.blocked and calls == ["sms-support"]
    participant = await kit.store.get_participant("r", "+1555")
    assert participant is not None and participant.display_name == "+15550001"
    assert participant.candidates == ["id-alice", "id-bob"]

    rejected = await kit.process_inbound(text("+1999", "who?", channel_id="sms-support"))
    assert rejected.blocked and rejected.reason == "Unknown sender not allowed"
    other = await kit.process_inbound(text("+1999", "who?", channel_id="sms-other"))
    assert not other.blocked  # the hook's channel_ids filter did not match
    assert await kit.store.get_event_count("r") == 2
    await kit.close()


async def test_identity_channel_types_limit_resolution() -> None:
    """With identity_channel_types={SMS}, WebSocket messages skip the resolver."""
    resolver = MockIdentityResolver(mapping={"u": ALICE})
    kit = await _kit(resolver, identity_channel_types={ChannelType.SMS})
    await kit.process_inbound(text("u", "hi", channel_id="ws"))
    assert resolver.calls == []
    await kit.process_inbound(text("u", "hi", channel_id="sms-support"))
    assert len(resolver.calls) == 1
    await kit.close()


async def test_slow_resolver_is_cut_at_identity_timeout() -> None:
    """A resolver slower than identity_timeout is reported and the message goes on as unknown."""

    class Slow(IdentityResolver):
        async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
            await asyncio.sleep(30)
            raise AssertionError("unreachable")

    kit = await _kit(Slow(), identity_timeout=0.2)
    timeouts: list[str] = []
    kit.on("identity_timeout")(lambda fe: timeouts.append(fe.data["reason"]))
    result = await kit.process_inbound(text("+1", "hi", channel_id="sms-support"))
    assert not result.blocked and result.event is not None
    assert timeouts and "identity_timeout" in timeouts[0]
    await kit.close()


async def test_rejecting_resolver_blocks_and_stores_nothing() -> None:
    """A REJECTED result stops the message before it is stored."""
    kit = await _kit(MockIdentityResolver(unknown_status=IdentificationStatus.REJECTED))
    result = await kit.process_inbound(text("+1", "spam", channel_id="sms-support"))
    assert result.blocked and await kit.store.get_event_count("r") == 0
    await kit.close()
