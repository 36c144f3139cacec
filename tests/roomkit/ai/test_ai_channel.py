"""AIChannel.on_event called directly: context, self-loop, failures, streaming, memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from roomkit.channels.ai import (
    AIChannel,
    MemoryProvider,
    MemoryResult,
    RetryPolicy,
)
from roomkit.errors import ProviderError
from roomkit.models.content import DeleteContent, SystemContent, TextContent
from roomkit.models.enums import Access, ChannelType, EventType
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext
from roomkit.providers.ai.base import AIMessage, AITool
from roomkit.providers.ai.mock import MockAIProvider
from tests.roomkit.ai.helpers import ROOM, answer, binding, body, calls, room, said, until


def unavailable() -> ProviderError:
    return ProviderError("overloaded", retryable=True, provider="mock", status_code=503)


async def test_answers_with_a_response_event() -> None:
    """The reply comes from the AI channel, one chain level deeper, with usage."""
    ai = AIChannel("ai", MockAIProvider(["Hi Alice"]), system_prompt="Be nice.")
    event = said("Hello", chain_depth=2)
    output = await answer(ai, event)
    (reply,) = output.response_events
    assert output.responded and body(output) == "Hi Alice"
    assert reply.type is EventType.MESSAGE and reply.room_id == ROOM
    assert (reply.source.channel_id, reply.source.channel_type) == ("ai", ChannelType.AI)
    assert reply.chain_depth == 3
    assert reply.metadata["in_reply_to"] == event.id
    assert reply.metadata["usage"] == {"input_tokens": 10, "output_tokens": 5}
    assert output.metadata["stop_reason"] == "completed"


async def test_sends_system_prompt_and_settings() -> None:
    """Constructor settings reach the provider; binding metadata overrides them."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider, system_prompt="Default", temperature=0.1, max_tokens=99)
    await answer(ai, said("x"))
    first = provider.calls[0]
    assert (first.system_prompt, first.temperature, first.max_tokens) == ("Default", 0.1, 99)
    meta = {"system_prompt": "Room", "temperature": 0.9, "max_tokens": 5, "thinking_budget": 64}
    await answer(ai, said("y"), bound=binding(metadata=meta))
    second = provider.calls[1]
    assert (second.system_prompt, second.temperature, second.max_tokens) == ("Room", 0.9, 5)
    assert second.thinking_budget == 64


async def test_never_answers_itself() -> None:
    """Events from its own channel are skipped without calling the provider."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider)
    output = await answer(ai, said("my own words", channel="ai"))
    assert output.response_events == [] and provider.calls == []


@pytest.mark.parametrize("case", ["system-event", "deletion", "muted", "read-only"])
async def test_stays_quiet(case: str) -> None:
    """Non-messages, content with nothing to read, a muted or read-only binding."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider)
    event = said("x", type=EventType.SYSTEM) if case == "system-event" else said("x")
    if case == "deletion":
        event = event.model_copy(update={"content": DeleteContent(target_event_id="e")})
    bound = binding(
        muted=case == "muted", access=Access.READ_ONLY if case == "read-only" else Access.READ_WRITE
    )
    output = await answer(ai, event, bound=bound)
    assert not output.responded and provider.calls == []


async def test_context_roles_visibility_and_order() -> None:
    """Own events are assistant turns; hidden events are left out; the answered event is
    last even when the room lists it elsewhere."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider)
    current = said("What now?")
    events = [
        said("first"),
        said("for transports only", visibility="transport"),
        said("for nobody", visibility="none"),
        said("for intelligence", visibility="intelligence"),
        said("for me by id", visibility="sms, ai"),
        said("for someone else", visibility="other-ai"),
        current,
        said("an earlier answer", channel="ai", visibility="transport"),
        said("joined", type=EventType.SYSTEM),
    ]
    await answer(ai, current, room(events))
    messages = [(m.role, m.content) for m in provider.calls[0].messages]
    assert messages == [
        ("user", "first\nfor intelligence\nfor me by id"),
        ("assistant", "an earlier answer"),
        ("user", "What now?"),
    ]


async def test_speakers_are_labelled_when_several() -> None:
    """With two people, each user line names its speaker (display name when known)."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider)
    current = said("And you?", by="bob")
    events = [said("I like tea", by="alice"), current]
    await answer(ai, current, room(events, participants=[("alice", "Alice")]))
    (message,) = provider.calls[0].messages
    assert message.content == "[Alice] I like tea\n[bob] And you?"


async def test_one_speaker_is_not_labelled() -> None:
    """A one-to-one conversation has no labels."""
    provider = MockAIProvider()
    await answer(AIChannel("ai", provider), said("plain"))
    assert provider.calls[0].messages[0].content == "plain"


async def test_max_context_events_window() -> None:
    """Only the newest max_context_events events are sent (plus the answered one)."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider, max_context_events=2)
    history = [said(f"m{i}", channel="ai" if i % 2 else "ws") for i in range(6)]
    current = said("now")
    await answer(ai, current, room([*history, current]))
    assert [m.content for m in provider.calls[0].messages] == ["m5", "now"]


async def test_custom_memory_messages_come_first() -> None:
    """A memory provider's messages lead; its events follow; it sees the filtered view."""

    class Summary(MemoryProvider):
        seen: list[RoomContext] = []
        closed = False

        async def retrieve(
            self, room_id: str, current_event: RoomEvent, context: RoomContext, *,
            channel_id: str | None = None,
        ) -> MemoryResult:  # fmt: skip
            self.seen.append(context)
            return MemoryResult(
                messages=[AIMessage(role="system", content="Earlier: tea.")],
                events=context.recent_events[-1:],
            )

        async def close(self) -> None:
            self.closed = True

    memory = Summary()
    provider = MockAIProvider()
    ai = AIChannel("ai", provider, memory=memory)
    current = said("more?")
    await answer(ai, current, room([said("secret", visibility="none"), said("old"), current]))
    assert [(m.role, m.content) for m in provider.calls[0].messages] == [
        ("system", "Earlier: tea."),
        ("user", "more?"),
    ]
    assert [e.content for e in memory.seen[0].recent_events] == [
        TextContent(body="old"),
        TextContent(body="more?"),
    ]
    await ai.close()
    assert memory.closed and provider.closed


async def test_retries_then_fallback() -> None:
    """Retryable failures are retried with backoff, then the fallback answers."""
    primary = MockAIProvider([unavailable()])
    fallback = MockAIProvider(["from fallback"])
    policy = RetryPolicy(max_retries=2, base_delay_seconds=0.01, max_delay_seconds=0.05)
    ai = AIChannel("ai", primary, retry_policy=policy, fallback_provider=fallback)
    output = await answer(ai, said("hi"))
    assert body(output) == "from fallback"
    assert len(primary.calls) == 3 and len(fallback.calls) == 1


async def test_error_event_when_everything_fails() -> None:
    """Retries and fallback exhausted: a SYSTEM event says so; nothing is silent."""
    primary = MockAIProvider([unavailable()])
    fallback = MockAIProvider([unavailable()])
    policy = RetryPolicy(max_retries=1, base_delay_seconds=0.001)
    ai = AIChannel("ai", primary, retry_policy=policy, fallback_provider=fallback)
    output = await answer(ai, said("hi"))
    (notice,) = output.response_events
    assert notice.type is EventType.SYSTEM
    assert isinstance(notice.content, SystemContent)
    assert notice.content.code == "ai_provider_error"
    assert "could not answer" in notice.content.body and "overloaded" in notice.content.body
    assert output.error and output.responded
    assert len(primary.calls) == 2 and len(fallback.calls) == 2


async def test_non_retryable_error_fails_at_once() -> None:
    """A refused request is neither retried nor sent to the fallback."""
    primary = MockAIProvider([ProviderError("bad request", status_code=400)])
    fallback = MockAIProvider(["unused"])
    policy = RetryPolicy(max_retries=3, base_delay_seconds=0.001)
    ai = AIChannel("ai", primary, retry_policy=policy, fallback_provider=fallback)
    output = await answer(ai, said("hi"))
    assert output.error and len(primary.calls) == 1 and fallback.calls == []


async def test_unexpected_exception_is_reported_without_its_message() -> None:
    """A bug in a provider becomes an error event naming only its type."""
    ai = AIChannel("ai", MockAIProvider([RuntimeError("password=hunter2")]))
    output = await answer(ai, said("hi"))
    assert "hunter2" not in body(output) and "RuntimeError" in body(output)


class Sink:
    """A stream sink that records what it received."""

    def __init__(self, fail: bool = False) -> None:
        self.deltas: list[str] = []
        self.drafts: list[RoomEvent] = []
        self.error: BaseException | None = None
        self.fail = fail

    async def __call__(
        self, text_stream: AsyncIterator[str], event: RoomEvent, context: RoomContext
    ) -> None:
        self.drafts.append(event)
        try:
            async for delta in text_stream:
                self.deltas.append(delta)
        except Exception as exc:
            self.error = exc
        if self.fail:
            raise RuntimeError("sink broke")


async def test_stream_sink_receives_deltas() -> None:
    """Deltas arrive progressively; the final event holds their concatenation and the
    draft's id."""
    ai = AIChannel("ai", MockAIProvider(["one two three"], streaming=True))
    sink = Sink()
    ai.set_stream_sink(sink)
    output = await answer(ai, said("count"))
    (reply,) = output.response_events
    assert sink.deltas == ["one ", "two ", "three"]
    assert body(output) == "".join(sink.deltas)
    assert sink.drafts[0].id == reply.id and sink.drafts[0].content == TextContent(body="")
    assert output.metadata["streamed"] is True


async def test_stream_covers_every_tool_round() -> None:
    """Text of each round is streamed, rounds separated by a blank line."""
    provider = MockAIProvider([calls(("noop", {}), text="Checking."), "Done."], streaming=True)

    async def handler(name: str, arguments: dict[str, object]) -> str:
        return "ok"

    ai = AIChannel("ai", provider, tool_handler=handler)
    ai.extra_tools.append(AITool(name="noop", description=""))
    sink = Sink()
    ai.set_stream_sink(sink)
    output = await answer(ai, said("go"))
    assert "".join(sink.deltas) == "Checking.\n\nDone." == body(output)


async def test_stream_failure_reaches_the_sink() -> None:
    """When the turn fails, the sink's iteration raises; the room gets an error event."""
    ai = AIChannel("ai", MockAIProvider([unavailable()], streaming=True))
    sink = Sink()
    ai.set_stream_sink(sink)
    output = await answer(ai, said("x"))
    assert isinstance(sink.error, ProviderError)
    assert output.error


async def test_broken_sink_does_not_fail_the_turn() -> None:
    """A sink that raises is logged; the answer still comes back."""
    ai = AIChannel("ai", MockAIProvider(["fine"], streaming=True))
    ai.set_stream_sink(Sink(fail=True))
    assert body(await answer(ai, said("x"))) == "fine"


async def test_no_sink_means_no_streaming() -> None:
    """Without a sink the provider is called with generate, even if it streams."""
    ai = AIChannel("ai", MockAIProvider(["plain"], streaming=True))
    output = await answer(ai, said("x"))
    assert output.metadata["streamed"] is False and body(output) == "plain"


async def test_deliver_and_inbound() -> None:
    """deliver does nothing; an AI channel has no inbound side."""
    ai = AIChannel("ai", MockAIProvider())
    event = said("x")
    assert (await ai.deliver(event, binding(), room())).response_events == []
    with pytest.raises(NotImplementedError):
        await ai.handle_inbound(None, room())  # type: ignore[arg-type]


async def test_close_is_idempotent_and_cancels_loops() -> None:
    """close() cancels running loops and closes provider, fallback and memory once."""
    primary = MockAIProvider(["late"])
    primary.delay = 5
    fallback = MockAIProvider()
    ai = AIChannel("ai", primary, fallback_provider=fallback)
    turn = asyncio.create_task(answer(ai, said("x")))
    await until(lambda: bool(ai.active_loops))
    await ai.close()
    await ai.close()
    output = await asyncio.wait_for(turn, 1)
    assert output.metadata["stop_reason"] == "cancelled"
    assert primary.closed and fallback.closed


async def test_bad_binding_metadata_is_reported() -> None:
    """Metadata that cannot become a request yields an error event, not an exception."""
    provider = MockAIProvider()
    ai = AIChannel("ai", provider)
    output = await answer(ai, said("x"), bound=binding(metadata={"temperature": "warm"}))
    assert output.error and provider.calls == []
    assert output.response_events[0].type is EventType.SYSTEM
