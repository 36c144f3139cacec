"""Small channels and builders the pipeline tests share, written against the public API."""

from __future__ import annotations

from roomkit import (
    Channel,
    ChannelBinding,
    ChannelCategory,
    ChannelOutput,
    ChannelType,
    EventSource,
    InboundMessage,
    RoomContext,
    RoomEvent,
    TextContent,
)


def text(sender: str, body: str, channel_id: str = "sms", **fields: object) -> InboundMessage:
    """An inbound text message."""
    return InboundMessage(
        channel_id=channel_id, sender_id=sender, content=TextContent(body=body), **fields
    )


class EchoBot(Channel):
    """A user-written intelligence channel: answers every event with a scripted line."""

    channel_type = ChannelType.AI
    category = ChannelCategory.INTELLIGENCE

    def __init__(self, channel_id: str, replies: list[str] | None = None) -> None:
        super().__init__(channel_id)
        self.replies = list(replies or [])
        self.seen: list[RoomEvent] = []

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        raise NotImplementedError("an AI channel takes no inbound messages")

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        return ChannelOutput.empty()

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        if event.source.channel_id == self.channel_id:
            return ChannelOutput.empty()  # never answer itself
        self.seen.append(event)
        body = (
            self.replies.pop(0) if self.replies else f"echo: {getattr(event.content, 'body', '')}"
        )
        reply = RoomEvent(
            room_id=event.room_id,
            source=EventSource(channel_id=self.channel_id, channel_type=ChannelType.AI),
            content=TextContent(body=body),
        )
        return ChannelOutput(responded=True, response_events=[reply])
