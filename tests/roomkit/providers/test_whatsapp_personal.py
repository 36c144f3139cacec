"""WhatsApp Personal through neonize: events built from neonize's own protobufs and fed
through its real event registry; outbound calls recorded at the client's Go edge with
neonize's argument types (JID and Message protobufs, its enums)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import neonize.aioze.events as neonize_events
import pytest
from neonize.exc import DownloadError, SendMessageError
from neonize.proto.Neonize_pb2 import Connected, LoggedOut
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    DocumentMessage,
    ExtendedTextMessage,
    ImageMessage,
    LocationMessage,
    Message,
    ReactionMessage,
    StickerMessage,
    VideoMessage,
)
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ReceiptType

from roomkit import RoomKit, WhatsAppPersonalChannel
from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    LocationContent,
    MediaContent,
    TextContent,
)
from roomkit.models.inbound import InboundMessage
from roomkit.providers.whatsapp.personal import (
    WhatsAppPersonalProvider,
    WhatsAppPersonalSourceProvider,
)
from roomkit.providers.whatsapp.personal_wire import parse_neonize_message, parse_neonize_receipt
from tests.conftest import UNIT
from tests.roomkit.providers.test_vendor_extras import run
from tests.roomkit.providers.test_webhook_app import Room
from tests.roomkit.providers.vendor_helpers import outbound
from tests.standins.neonize import NeonizeClientStandIn, jid, message_event, receipt_event

ADA = "15551230001@s.whatsapp.net"
CDN = "https://mmg.whatsapp.net/v/t62.7118-24/abc.enc"


@pytest.fixture
async def client() -> AsyncIterator[NeonizeClientStandIn]:
    # neonize dispatches every event onto one module-level loop, set on first connect;
    # each test runs its own loop, so point it at this one (connect() would, the first time).
    neonize_events.event_global_loop = asyncio.get_running_loop()
    yield NeonizeClientStandIn()
    neonize_events.event_global_loop = None


@pytest.fixture
def provider(client: NeonizeClientStandIn) -> WhatsAppPersonalProvider:
    return WhatsAppPersonalProvider(WhatsAppPersonalSourceProvider(client, channel_id="wa"))


async def started(client: NeonizeClientStandIn) -> tuple[WhatsAppPersonalSourceProvider, list]:
    received: list[InboundMessage] = []

    async def emit(message: InboundMessage) -> None:
        received.append(message)

    source = WhatsAppPersonalSourceProvider(client, channel_id="wa")
    await source.start(emit)
    return source, received


async def settle(condition: object, *, attempts: int = 50) -> None:
    """Let the loop run the handlers neonize scheduled until ``condition()`` holds."""
    for _ in range(attempts):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(UNIT / 100)
    raise AssertionError("the handler never ran")


def parse(message: Message, **kwargs: object) -> InboundMessage | None:
    return parse_neonize_message(message_event("3EB0AA", message, **kwargs), "wa")  # type: ignore[arg-type]


# -- inbound -------------------------------------------------------------------------


async def test_a_message_event_from_the_client_is_emitted(client: NeonizeClientStandIn) -> None:
    """Handlers are registered before connect; a MessageEv through neonize's dispatch
    becomes an InboundMessage from the E.164 sender, keyed by the message id."""
    source, received = await started(client)
    assert client.named("connect") == [{}]
    client.deliver(message_event("3EB0C1", Message(conversation="hello"), sender=ADA))
    await settle(lambda: received)
    [message] = received
    assert (message.channel_id, message.sender_id, message.content) == (
        "wa",
        "+15551230001",
        TextContent(body="hello"),
    )
    assert message.idempotency_key == message.external_id == "3EB0C1"
    assert message.metadata["chat"] == ADA
    assert message.metadata["push_name"] == "Ada"
    assert message.metadata["timestamp"] == 1_760_000_000
    assert source.messages_received == 1


async def test_connection_events_move_the_status(client: NeonizeClientStandIn) -> None:
    source, _ = await started(client)
    assert source.status == "connecting"
    client.deliver(Connected(status=True))
    await settle(lambda: source.status == "connected")
    client.deliver(LoggedOut(OnConnect=False, Reason=1))
    await settle(lambda: source.status == "error")
    await source.stop()
    await source.stop()
    assert source.status == "stopped"
    assert len(client.named("disconnect")) == 1


async def test_own_messages_and_reactions_are_not_emitted(client: NeonizeClientStandIn) -> None:
    """The account's own messages (other devices) and reactions have no room form."""
    _, received = await started(client)
    client.deliver(message_event("3EB0M1", Message(conversation="mine"), from_me=True))
    key = MessageKey(remoteJID=ADA, fromMe=True, ID="3EB0M0")
    client.deliver(message_event("3EB0R1", Message(reactionMessage=ReactionMessage(key=key))))
    client.deliver(message_event("3EB0T1", Message(conversation="after")))
    await settle(lambda: received)
    assert [m.external_id for m in received] == ["3EB0T1"]


async def test_inbound_media_are_downloaded_with_their_keys(
    client: NeonizeClientStandIn,
) -> None:
    """The CDN holds media encrypted: download_media hands the client the message itself
    (its mediaKey), and only for the media messages the source has seen."""
    source, received = await started(client)
    image = ImageMessage(URL=CDN, mimetype="image/jpeg", mediaKey=b"k1", fileLength=2)
    client.deliver(message_event("3EB0I1", Message(imageMessage=image)))
    client.deliver(message_event("3EB0T2", Message(conversation="text")))
    await settle(lambda: len(received) == 2)
    assert await source.download_media("3EB0I1") == b"decrypted:k1"
    assert client.named("download_any") == [{"message": Message(imageMessage=image)}]
    for unknown in ("3EB0T2", "3EB0NONE"):
        with pytest.raises(ProviderError, match="no recent media message"):
            await source.download_media(unknown)
    client.fail_with = DownloadError("media expired")
    with pytest.raises(ProviderError, match="media expired"):
        await source.download_media("3EB0I1")


def test_extended_text_and_captions() -> None:
    text = parse(Message(extendedTextMessage=ExtendedTextMessage(text="see https://x.io")))
    assert text is not None and text.content == TextContent(body="see https://x.io")
    image = ImageMessage(URL=CDN, mimetype="image/jpeg", caption="a cat", fileLength=2048)
    message = parse(Message(imageMessage=image))
    assert message is not None
    assert message.content == MediaContent(
        url=CDN, mime_type="image/jpeg", caption="a cat", size_bytes=2048
    )
    assert message.metadata["media_kind"] == "image"


@pytest.mark.parametrize(
    ("message", "kind", "mime"),
    [
        (Message(videoMessage=VideoMessage(URL=CDN, mimetype="video/mp4")), "video", "video/mp4"),
        (
            Message(stickerMessage=StickerMessage(URL=CDN, mimetype="image/webp")),
            "sticker",
            "image/webp",
        ),
        (
            Message(
                documentMessage=DocumentMessage(
                    URL=CDN, mimetype="application/pdf", fileName="a.pdf"
                )
            ),
            "document",
            "application/pdf",
        ),
    ],
)
def test_media_kinds(message: Message, kind: str, mime: str) -> None:
    inbound = parse(message)
    assert inbound is not None and isinstance(inbound.content, MediaContent)
    assert (inbound.metadata["media_kind"], inbound.content.mime_type) == (kind, mime)
    assert inbound.content.url == CDN
    if kind == "document":
        assert inbound.content.filename == "a.pdf"


def test_voice_notes_and_locations() -> None:
    path = "/v/t62.7117-24/voice.enc"
    voice = AudioMessage(directPath=path, mimetype="audio/ogg; codecs=opus", seconds=7, PTT=True)
    message = parse(Message(audioMessage=voice))
    assert message is not None
    assert message.content == AudioContent(
        url="https://mmg.whatsapp.net" + path,
        mime_type="audio/ogg; codecs=opus",
        duration_seconds=7.0,
    )
    where = LocationMessage(degreesLatitude=45.5, degreesLongitude=-73.6, name="Office")
    located = parse(Message(locationMessage=where))
    assert located is not None
    assert located.content == LocationContent(latitude=45.5, longitude=-73.6, label="Office")


def test_group_messages_and_hidden_senders() -> None:
    """In a group the chat is the group; a hidden ``@lid`` sender is read as the phone
    number WhatsApp gives alongside (SenderAlt), else kept as its JID."""
    group = "120363000000000001@g.us"
    message = parse(Message(conversation="hi all"), sender="8812@lid", chat=group, sender_alt=ADA)
    assert message is not None
    assert message.sender_id == "+15551230001"
    assert (message.metadata["chat"], message.metadata["is_group"]) == (group, True)
    hidden = parse(Message(conversation="hi"), sender="8812@lid")
    assert hidden is not None and hidden.sender_id == "8812@lid"
    assert parse(Message(conversation="story"), chat="status@broadcast") is None
    assert parse(Message(conversation="me"), from_me=True) is None
    mine = parse_neonize_message(
        message_event("3EB0S", Message(conversation="me"), from_me=True), "wa", self_chat=True
    )
    assert mine is not None and mine.content == TextContent(body="me")


def test_receipts_become_delivery_statuses() -> None:
    """Delivered, read and played receipts name each message; our own devices' don't count."""
    read = parse_neonize_receipt(receipt_event(["3EB0A", "3EB0B"], 4, sender=ADA), "wa")
    assert [(s.message_id, s.status, s.recipient, s.channel_id) for s in read] == [
        ("3EB0A", "read", "+15551230001", "wa"),
        ("3EB0B", "read", "+15551230001", "wa"),
    ]
    assert read[0].timestamp is not None and read[0].timestamp.timestamp() == 1_760_000_200
    played = parse_neonize_receipt(receipt_event(["3EB0C"], 6, sender=ADA), "wa")
    assert [s.status for s in played] == ["played"]
    assert parse_neonize_receipt(receipt_event(["3EB0D"], 5, sender=ADA), "wa") == []


# -- outbound ------------------------------------------------------------------------


async def test_text_goes_as_a_conversation_message(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    result = await provider.send(outbound(TextContent(body="hello")), to="+15551230001")
    [call] = client.named("send_message")
    assert call["to"] == jid(ADA)
    assert call["message"] == Message(conversation="hello")
    assert result.success and result.provider_message_id == "3EB00000000000000001"


async def test_media_by_url_with_the_text_as_caption(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    image = MediaContent(url="https://cdn.example/cat.jpg", mime_type="image/jpeg")
    pdf = MediaContent(
        url="https://cdn.example/a.pdf", mime_type="application/pdf", filename="a.pdf"
    )
    content = CompositeContent(parts=[TextContent(body="look"), image, pdf])
    result = await provider.send(outbound(content), to="120363000000000001@g.us")
    group = jid("120363000000000001@g.us")
    assert client.calls == [
        ("send_image", {"to": group, "file": "https://cdn.example/cat.jpg", "caption": "look"}),
        (
            "send_document",
            {
                "to": group,
                "file": "https://cdn.example/a.pdf",
                "caption": None,
                "filename": "a.pdf",
                "mimetype": "application/pdf",
            },
        ),
    ]
    assert result.metadata["ids"] == ["3EB00000000000000001", "3EB00000000000000002"]


async def test_audio_shows_no_caption_so_the_text_goes_first(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    voice = AudioContent(url="https://cdn.example/v.ogg")
    await provider.send(
        outbound(CompositeContent(parts=[TextContent(body="listen"), voice])), "+15551230001"
    )
    assert [name for name, _ in client.calls] == ["send_message", "send_audio"]
    assert client.calls[0][1]["message"] == Message(conversation="listen")
    assert client.calls[1][1]["file"] == "https://cdn.example/v.ogg"


async def test_an_audio_file_with_a_caption_keeps_the_caption(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    """Audio by MIME type (a MediaContent) shows no caption either: the text goes first."""
    memo = MediaContent(url="https://cdn.example/m.mp3", mime_type="audio/mpeg", caption="memo")
    await provider.send(outbound(memo), "+15551230001")
    assert client.calls == [
        ("send_message", {"to": jid(ADA), "message": Message(conversation="memo")}),
        ("send_audio", {"to": jid(ADA), "file": "https://cdn.example/m.mp3"}),
    ]


async def test_locations_go_as_location_messages(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    where = LocationContent(latitude=45.5, longitude=-73.6, label="Office", address="1 Main St")
    await provider.send(outbound(where), "+15551230001")
    [call] = client.named("send_message")
    expected = LocationMessage(
        degreesLatitude=45.5, degreesLongitude=-73.6, name="Office", address="1 Main St"
    )
    assert call["message"] == Message(locationMessage=expected)


@pytest.mark.parametrize("to", ["", "+1", "not a number", "@g.us", "+1555abc0001"])
async def test_a_bad_recipient_sends_nothing(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider, to: str
) -> None:
    with pytest.raises(InvalidArgumentError, match="phone number"):
        await provider.send(outbound(TextContent(body="hi")), to)
    assert client.calls == []


async def test_neonize_errors_are_provider_errors(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    client.fail_with = SendMessageError("server returned error 479")
    with pytest.raises(ProviderError, match="479") as caught:
        await provider.send(outbound(TextContent(body="hi")), "+15551230001")
    assert caught.value.provider == "whatsapp_personal"


async def test_typing_read_receipts_and_reactions(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    await provider.send_typing("+15551230001")
    await provider.send_typing("+15551230001", is_typing=False, media="audio")
    assert [(c["state"], c["media"]) for c in client.named("send_chat_presence")] == [
        (ChatPresence.CHAT_PRESENCE_COMPOSING, ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT),
        (ChatPresence.CHAT_PRESENCE_PAUSED, ChatPresenceMedia.CHAT_PRESENCE_MEDIA_AUDIO),
    ]
    with pytest.raises(InvalidArgumentError, match="'text' or 'audio'"):
        await provider.send_typing("+15551230001", media="video")

    await provider.mark_read(["3EB0C1", "3EB0C2"], ADA, ADA)
    await provider.mark_read([], ADA, ADA)
    assert client.named("mark_read") == [
        {
            "ids": ["3EB0C1", "3EB0C2"],
            "chat": jid(ADA),
            "sender": jid(ADA),
            "receipt": ReceiptType.READ,
        }
    ]

    await provider.send_reaction(ADA, "+15551230001", "3EB0C1", "👍")
    [built] = client.named("build_reaction")
    assert built == {"chat": jid(ADA), "sender": jid(ADA), "id": "3EB0C1", "emoji": "👍"}
    sent = client.named("send_message")[-1]["message"]
    assert sent.reactionMessage.key.ID == "3EB0C1" and sent.reactionMessage.text == "👍"


async def test_closing_the_provider_stops_the_source(
    client: NeonizeClientStandIn, provider: WhatsAppPersonalProvider
) -> None:
    await provider.source.start(lambda message: asyncio.sleep(0))
    await provider.close()
    await provider.close()
    assert len(client.named("disconnect")) == 1
    assert provider.name == "whatsapp_personal"


# -- end to end ----------------------------------------------------------------------


async def test_whatsapp_personal_end_to_end(client: NeonizeClientStandIn) -> None:
    """A message from the phone lands in the room once even when neonize hands it over
    twice; a reply from another channel goes out through the same client to the sender,
    and its read receipt reaches the kit's delivery-status handlers."""
    async with RoomKit() as kit:
        room = Room(kit)
        source = WhatsAppPersonalSourceProvider(
            client, channel_id="wa", on_status=kit.process_delivery_status
        )
        await room.bind(
            WhatsAppPersonalChannel("wa", provider=WhatsAppPersonalProvider(source)),
            recipient_id="+15551230001",
        )
        await source.start(kit.process_inbound)
        for _ in range(2):  # whatsmeow redelivers a message it could not ack
            client.deliver(message_event("3EB0E1", Message(conversation="hi"), sender=ADA))
        await settle(lambda: source.messages_received == 2)
        await room.reply("hello back")
        assert await room.bodies() == ["hi", "hello back"]
        sent_id = "3EB00000000000000001"
        client.deliver(receipt_event([sent_id], 4, sender=ADA))
        await settle(lambda: room.statuses)
    [call] = client.named("send_message")
    assert (call["to"], call["message"]) == (jid(ADA), Message(conversation="hello back"))
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        (sent_id, "read", "wa")
    ]


# -- the optional extra --------------------------------------------------------------


def test_neonize_stays_out_of_import_roomkit() -> None:
    """The root export is lazy and the provider's module imports neonize only when used."""
    code = (
        "import sys, roomkit\n"
        "from roomkit import WhatsAppPersonalProvider\n"
        "print(WhatsAppPersonalProvider.__module__, 'neonize' in sys.modules)\n"
    )
    assert run(code) == "roomkit.providers.whatsapp.personal False"


def test_without_neonize_the_error_names_the_extra() -> None:
    code = (
        "import sys, asyncio\n"
        "sys.modules['neonize'] = None  # as if not installed\n"
        "from roomkit.providers.whatsapp.personal import (\n"
        "    WhatsAppPersonalProvider, WhatsAppPersonalSourceProvider)\n"
        "source = WhatsAppPersonalSourceProvider(object())\n"
        "for attempt in (lambda: WhatsAppPersonalProvider(source),\n"
        "                lambda: asyncio.run(source.start(print))):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    lines = run(code).splitlines()
    assert len(lines) == 2
    assert all("pip install 'roomkit[whatsapp-personal]'" in line for line in lines)
