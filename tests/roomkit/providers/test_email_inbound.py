"""Inbound email: raw RFC 822 and SendGrid's signed Inbound Parse form, threaded into rooms."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator
from email.message import EmailMessage

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhook
from urllib3.filepost import encode_multipart_formdata

from roomkit import EmailChannel, InboundMessage, InMemoryStore, RoomKit, WebSocketChannel
from roomkit.errors import InvalidArgumentError
from roomkit.models.content import CompositeContent, MediaContent, RichContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.providers.email.events import SendGridEventWebhook, parse_sendgrid_events
from roomkit.providers.email.inbound import parse_email
from roomkit.providers.email.receiver import (
    SendGridInboundParseWebhook,
    verify_sendgrid_signature,
)
from roomkit.providers.email.smtp import SMTPEmailConfig, SMTPEmailProvider
from roomkit.providers.email.threading import EmailThreadRouter
from roomkit.webhooks import create_webhook_app
from tests.standins.server import serve_app
from tests.standins.smtp import Inbox, smtp_server

DOMAIN = "support.example.com"
THREAD_KEY = "thread-key-0123456789"
PRIVATE = ec.generate_private_key(ec.SECP256R1())
PUBLIC = base64.b64encode(
    PRIVATE.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()


def mail(body: str = "Where is my order?", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Alice <Alice@Example.com>")
    message["To"] = f"help@{DOMAIN}"
    message["Subject"] = headers.pop("Subject", "Order question")
    message["Message-ID"] = headers.pop("Message_ID", "<alice-1@mail.example.com>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def sign(body: bytes, stamp: str | None = None) -> dict[str, str]:
    stamp = stamp or str(int(time.time()))
    signature = PRIVATE.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "x-twilio-email-event-webhook-signature": base64.b64encode(signature).decode(),
        "x-twilio-email-event-webhook-timestamp": stamp,
    }


def form(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None
) -> tuple[bytes, dict[str, str]]:
    """A multipart form as SendGrid posts it, encoded by urllib3 (not by the code under test)."""
    body, content_type = encode_multipart_formdata({**fields, **(files or {})})
    return body, {"content-type": content_type}


def test_raw_mail_with_html_and_attachment() -> None:
    message = mail("Photo attached", References="<root@x> <mid@x>", In_Reply_To="<mid@x>")
    message.add_alternative("<p>Photo attached</p>", subtype="html")
    message.add_attachment(b"\x89PNG-bytes", maintype="image", subtype="png", filename="a.png")
    inbound = parse_email(message.as_bytes(), "email")
    assert inbound.sender_id == "alice@example.com"
    assert inbound.external_id == inbound.idempotency_key == "<alice-1@mail.example.com>"
    assert inbound.thread_id == "<root@x>"
    assert inbound.metadata["email"]["references"] == ["<root@x>", "<mid@x>"]
    assert inbound.metadata["email"]["in_reply_to"] == "<mid@x>"
    assert isinstance(inbound.content, CompositeContent)
    text, image = inbound.content.parts
    assert text == TextContent(body="Photo attached")
    assert isinstance(image, MediaContent) and image.filename == "a.png"
    assert image.url == "data:image/png;base64," + base64.b64encode(b"\x89PNG-bytes").decode()


def test_html_only_mail_is_rich_content_and_a_mail_without_sender_is_refused() -> None:
    message = mail()
    message.set_content("<p>Hi</p>", subtype="html")
    content = parse_email(message.as_bytes(), "email").content
    assert isinstance(content, RichContent) and content.format == "html"
    assert "<p>Hi</p>" in content.body
    del message["From"]
    with pytest.raises(InvalidArgumentError, match="From"):
        parse_email(message.as_bytes(), "email")


def test_our_check_agrees_with_sendgrids_event_webhook() -> None:
    """The sendgrid library is the peer: every variant gets the verdict it gives."""
    body = b'--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--b--\r\n'
    stamp = str(int(time.time()))
    good = sign(body, stamp)["x-twilio-email-event-webhook-signature"]
    other = sign(body + b"x", stamp)["x-twilio-email-event-webhook-signature"]
    peer = EventWebhook(PUBLIC)
    cases = [(body, good, stamp), (body + b" ", good, stamp), (body, other, stamp)]
    cases.append((body, good, str(int(stamp) + 1)))
    for payload, signature, when in cases:
        expected = peer.verify_signature(payload.decode(), signature, when)
        assert verify_sendgrid_signature(PUBLIC, payload, signature, when) is expected
    assert [peer.verify_signature(p.decode(), s, w) for p, s, w in cases] == [
        True,
        False,
        False,
        False,
    ]
    stale = str(int(time.time()) - 3600)
    signature = sign(body, stale)["x-twilio-email-event-webhook-signature"]
    assert peer.verify_signature(body.decode(), signature, stale)
    assert not verify_sendgrid_signature(PUBLIC, body, signature, stale)  # a replay


@contextlib.asynccontextmanager
async def webhook_client(
    kit: RoomKit, *receivers: SendGridInboundParseWebhook
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the webhook app serving ``receivers`` under uvicorn on loopback."""
    app = create_webhook_app(kit, receivers)
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base) as client:
        yield client


class Desk:
    """A kit routing email by thread; room r1 binds Alice's email and a WebSocket agent."""

    def __init__(self, kit: RoomKit, store: InMemoryStore, inbox: Inbox) -> None:
        self.kit, self.store, self.inbox = kit, store, inbox

    async def texts(self, room_id: str) -> list[str]:
        timeline = await self.kit.get_timeline(room_id)
        return [getattr(e.content, "body", "") for e in timeline]

    async def reply(self, body: str) -> None:
        message = InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body=body))
        await self.kit.process_inbound(message, room_id="r1")


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    inbox = Inbox()
    store = InMemoryStore()
    async with (
        smtp_server(inbox) as port,
        RoomKit(store=store, inbound_router=EmailThreadRouter(store, DOMAIN, THREAD_KEY)) as kit,
    ):
        config = SMTPEmailConfig(
            host="127.0.0.1",
            port=port,
            start_tls=False,
            from_address=f"help@{DOMAIN}",
            thread_key=THREAD_KEY,
        )
        provider = SMTPEmailProvider(config, store=store)
        kit.register_channel(
            EmailChannel("email", provider=provider, from_address=f"help@{DOMAIN}")
        )
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "email", metadata={"email_address": "alice@example.com"})
        await kit.attach_channel("r1", "ws")
        yield Desk(kit, store, inbox)


async def test_email_end_to_end_threads_into_one_room(desk: Desk) -> None:
    """Signed Inbound Parse → r1; the reply goes out threaded and its Event Webhook statuses
    are recorded; Alice's answer comes back to r1 although another room now has the email
    channel attached."""
    receiver = SendGridInboundParseWebhook("email", PUBLIC)
    first = mail()
    headers_block = "".join(f"{k}: {v}\r\n" for k, v in first.items())
    fields = {"headers": headers_block, "text": "Where is my order?", "from": first["From"]}
    png = ("label.png", b"\x89PNG-label", "image/png")
    body, headers = form(fields, {"attachment1": png})
    events = SendGridEventWebhook("email", PUBLIC)
    statuses: list[DeliveryStatus] = []
    desk.kit.on_delivery_status(statuses.append)
    async with webhook_client(desk.kit, receiver, events) as client:
        for _ in range(2):  # SendGrid retries; the store keeps one event
            answer = await client.post(receiver.path, content=body, headers=sign(body) | headers)
            assert answer.status_code == 200
        [event] = await desk.kit.get_timeline("r1")
        assert isinstance(event.content, CompositeContent)
        assert event.content.parts[0] == TextContent(body="Where is my order?")
        assert isinstance(event.content.parts[1], MediaContent)

        await desk.reply("It ships today.")
        envelope, sent = await desk.inbox.next()
        assert envelope.rcpt_tos == ["alice@example.com"]
        assert sent["Subject"] == "Re: Order question"
        assert sent["In-Reply-To"] == "<alice-1@mail.example.com>"
        assert sent["References"] == "<alice-1@mail.example.com>"
        ours = str(sent["Message-ID"])
        news = [
            {"event": "processed", "smtp-id": ours, "email": "alice@example.com"},
            {"event": "click", "smtp-id": ours, "url": "https://x"},
            {"event": "delivered", "smtp-id": ours, "email": "alice@example.com"},
        ]
        body = json.dumps(news).encode()
        answer = await client.post(events.path, content=body, headers=sign(body))
        assert answer.status_code == 200
        assert [(s.message_id, s.status, s.channel_id) for s in statuses] == [
            (ours, "queued", "email"),
            (ours, "delivered", "email"),
        ]

        await desk.kit.create_room("r2")
        await desk.kit.attach_channel("r2", "email", metadata={"email_address": "x@y.z"})
        answer_mail = mail(
            "Thanks!",
            Message_ID="<alice-2@mail.example.com>",
            In_Reply_To=ours,
            References=f"<alice-1@mail.example.com> {ours}",
            Subject="Re: Order question",
        )
        body, headers = form({"email": answer_mail.as_string()})
        answer = await client.post(receiver.path, content=body, headers=sign(body) | headers)
        assert answer.status_code == 200
        nonce, room, _ = ours.strip("<>").split("@")[0].split(".")
        forged = mail(
            "let me in",
            Message_ID="<eve-1@evil.example>",
            From="eve@evil.example",
            References=f"<{nonce}.{room}.{'0' * 20}@{DOMAIN}>",
        )
        body, headers = form({"email": forged.as_string()})
        answer = await client.post(receiver.path, content=body, headers=sign(body) | headers)
        assert answer.status_code == 200
        fresh = mail("New topic", Message_ID="<bob-1@mail.example.com>", From="bob@b.example")
        body, headers = form({"email": fresh.as_string()})
        answer = await client.post(receiver.path, content=body, headers=sign(body) | headers)
        assert answer.status_code == 200
    assert await desk.texts("r1") == ["", "It ships today.", "Thanks!"]
    assert await desk.texts("r2") == ["let me in", "New topic"]  # a forged tag routes nowhere


async def test_unsigned_forged_stale_or_malformed_posts_never_reach_a_room(desk: Desk) -> None:
    receiver = SendGridInboundParseWebhook("email", PUBLIC)
    body, headers = form({"email": mail().as_string()})
    stale = sign(body, str(int(time.time()) - 3600))
    forged = sign(body) | {
        "x-twilio-email-event-webhook-signature": base64.b64encode(b"x").decode()
    }
    async with webhook_client(desk.kit, receiver) as client:
        statuses = [
            (await client.post(receiver.path, content=body, headers=h)).status_code
            for h in (headers, forged | headers, stale | headers, sign(body + b"x") | headers)
        ]
        junk = b"not a form"
        malformed = await client.post(
            receiver.path, content=junk, headers=sign(junk) | {"content-type": "text/plain"}
        )
    assert statuses == [401, 403, 403, 403]
    assert malformed.status_code == 400
    assert await desk.texts("r1") == []


def test_a_bad_public_key_fails_at_configuration() -> None:
    with pytest.raises(ValueError, match="base64 DER"):
        SendGridInboundParseWebhook("email", "bm90IGEga2V5")


def test_bounces_are_failures_with_the_reason_and_engagement_is_skipped() -> None:
    bounce = {
        "event": "bounce",
        "smtp-id": "<m1@x>",
        "email": "a@b.c",
        "status": "5.1.1",
        "reason": "550 no such user",
        "timestamp": 1700000000,
    }
    [status] = parse_sendgrid_events([bounce, {"event": "unsubscribe", "smtp-id": "<m1@x>"}])
    assert (status.status, status.error_code, status.error_message) == (
        "failed",
        "5.1.1",
        "550 no such user",
    )
    assert status.timestamp is not None and status.timestamp.year == 2023
    with pytest.raises(ValueError, match="JSON array"):
        parse_sendgrid_events({"event": "delivered"})
