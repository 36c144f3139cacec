"""A room bridging a WebSocket user, an SMS user (mock provider) and a scripted AI.

Run it with ``python -m roomkit.demo``: it prints what each channel receives.
"""

from __future__ import annotations

import asyncio

from roomkit import (
    Channel,
    ChannelBinding,
    ChannelCategory,
    ChannelOutput,
    ChannelType,
    EventSource,
    HookResult,
    HookTrigger,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    SMSChannel,
    TextContent,
    WebSocketChannel,
)
from roomkit.providers.sms.mock import MockSMSProvider


class ScriptedAI(Channel):
    """An intelligence channel that answers from a script — a stand-in for AIChannel."""

    channel_type = ChannelType.AI
    category = ChannelCategory.INTELLIGENCE

    def __init__(self, channel_id: str, script: dict[str, str]) -> None:
        super().__init__(channel_id)
        self.script = script

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        raise NotImplementedError("the AI only answers")

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        return ChannelOutput.empty()

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        body = getattr(event.content, "body", "")
        answer = self.script.get(body.lower().strip("?!. "))
        if event.source.channel_id == self.channel_id or answer is None:
            return ChannelOutput.empty()
        reply = RoomEvent(
            room_id=event.room_id,
            source=EventSource(channel_id=self.channel_id, channel_type=ChannelType.AI),
            content=TextContent(body=answer),
        )
        return ChannelOutput(responded=True, response_events=[reply])


async def main() -> None:
    sms_provider = MockSMSProvider()
    async with RoomKit() as kit:
        websocket = WebSocketChannel("ws-web")
        kit.register_channel(websocket)
        kit.register_channel(SMSChannel("sms", provider=sms_provider, from_number="+15550100"))
        kit.register_channel(ScriptedAI("ai", {"opening hours": "We are open 9:00-17:00."}))

        async def browser(connection_id: str, event: RoomEvent) -> None:
            print(
                f"  [websocket {connection_id}] #{event.index} {event.source.channel_id}: "
                f"{getattr(event.content, 'body', event.content)}"
            )

        await kit.connect_websocket("ws-web", "browser-1", browser)

        @kit.hook(HookTrigger.BEFORE_BROADCAST, name="no-secrets")
        async def no_secrets(event: RoomEvent, context: RoomContext) -> HookResult:
            if "password" in getattr(event.content, "body", "").lower():
                return HookResult.block("messages may not contain passwords")
            return HookResult.allow()

        room = await kit.create_room("support")
        await kit.attach_channel(room.id, "ws-web")
        await kit.attach_channel(room.id, "sms", metadata={"phone_number": "+15550199"})
        await kit.attach_channel(room.id, "ai")

        print("SMS user writes 'Opening hours?'")
        await kit.process_inbound(
            InboundMessage(
                channel_id="sms", sender_id="+15550199", content=TextContent(body="Opening hours?")
            )
        )
        print("WebSocket user writes 'Thanks, my password is hunter2'")
        result = await kit.process_inbound(
            InboundMessage(
                channel_id="ws-web",
                sender_id="web-user",
                content=TextContent(body="Thanks, my password is hunter2"),
            )
        )
        print(f"  blocked: {result.blocked} ({result.reason})")
        print("SMS provider sent:")
        for sent in sms_provider.sent:
            print(f"  [sms to {sent['to']}] {getattr(sent['event'].content, 'body', '')}")
        print("Timeline:")
        for event in await kit.get_timeline(room.id):
            print(
                f"  #{event.index} {event.status:9} {event.source.channel_id:6} "
                f"{getattr(event.content, 'body', '')}"
            )


if __name__ == "__main__":
    asyncio.run(main())
