"""WhatsApp Cloud API: the Graph messages endpoint on a loopback stand-in, webhooks as Meta
signs them, checked against pywa (the WhatsApp library) as an independent reader."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pywa import WhatsApp
from pywa.errors import WhatsAppError
from pywa.types import Message, MessageStatus
from pywa.utils import webhook_updates_validator

from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    MediaContent,
    TemplateContent,
    TextContent,
)
from roomkit.providers._graph import GraphAPIError, hub_challenge, verify_hub_signature
from roomkit.providers.whatsapp.cloud import (
    WhatsAppCloudConfig,
    WhatsAppCloudProvider,
    WhatsAppWindowError,
)
from roomkit.providers.whatsapp.webhook import parse_whatsapp_webhook
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.meta import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    GraphStandIn,
    graph_error,
    signed,
    whatsapp_change,
    whatsapp_status,
    whatsapp_text,
)
from tests.standins.scripted import Reply, ScriptedApp
from tests.standins.server import serve_app

PHONE = "+16505551234"
URL = f"/v21.0/{PHONE_NUMBER_ID}/messages"
# pywa's client, offline (no server, no requests): the reader of webhook shapes.
PYWA = WhatsApp(phone_id=PHONE_NUMBER_ID, token="unused", server=None)


def cloud(app: GraphStandIn, *, window_open: bool = True) -> WhatsAppCloudProvider:
    config = WhatsAppCloudConfig(
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        graph_url=app.base_url,
        retry_policy=FAST,
    )
    provider = WhatsAppCloudProvider(config)
    if window_open:
        provider.note_inbound(PHONE, datetime.now(UTC) - timedelta(hours=1))
    return provider


async def test_text_is_posted_to_the_phone_numbers_messages_endpoint(graph: GraphStandIn) -> None:
    """One JSON POST with the Bearer token; the wamid comes back as the message id."""
    provider = cloud(graph)
    event = outbound(TextContent(body="hello"))
    result = await provider.send(event, PHONE)
    await provider.close()
    request = graph.last
    assert (request.method, request.path) == ("POST", URL)
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == f"{event.id}:{PHONE}:0"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "hello"},
    }
    assert result.success and result.provider_message_id == "wamid.HBgL00000001"


async def test_media_goes_by_link_with_captions_where_whatsapp_shows_them(
    graph: GraphStandIn,
) -> None:
    """An image carries the text as caption; a document keeps its filename; audio (which
    shows no caption) is preceded by the text as its own message."""
    provider = cloud(graph)
    image = MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png")
    pdf = MediaContent(
        url="https://cdn.example.com/r.pdf", mime_type="application/pdf", filename="r.pdf"
    )
    parts = [TextContent(body="look"), image, pdf]
    await provider.send(outbound(CompositeContent(parts=parts)), PHONE)
    await provider.send(
        outbound(
            CompositeContent(
                parts=[
                    TextContent(body="listen"),
                    AudioContent(url="https://cdn.example.com/v.ogg"),
                ]
            )
        ),
        PHONE,
    )
    await provider.close()
    kinds = [
        {k: v for k, v in r.json.items() if k in ("type", "image", "document", "audio", "text")}
        for r in graph.requests
    ]
    assert kinds == [
        {"type": "image", "image": {"link": "https://cdn.example.com/a.png", "caption": "look"}},
        {
            "type": "document",
            "document": {"link": "https://cdn.example.com/r.pdf", "filename": "r.pdf"},
        },
        {"type": "text", "text": {"preview_url": False, "body": "listen"}},
        {"type": "audio", "audio": {"link": "https://cdn.example.com/v.ogg"}},
    ]


async def test_outside_the_24_hour_window_only_templates_go(graph: GraphStandIn) -> None:
    """A free-form send to a customer who has not written for 25 hours is refused before any
    request; templates (TemplateContent or send_template) still go."""
    provider = cloud(graph, window_open=False)
    provider.note_inbound(PHONE, datetime.now(UTC) - timedelta(hours=25))
    with pytest.raises(WhatsAppWindowError, match="template"):
        await provider.send(outbound(TextContent(body="late")), PHONE)
    assert graph.requests == []
    template = TemplateContent(
        template_id="order_update", language="en_US", parameters={"1": "Kerry", "2": "42"}
    )
    await provider.send(outbound(template), PHONE)
    await provider.send_template(PHONE, "welcome", {"language": "fr", "name": "Kerry"})
    await provider.close()
    assert [r.json["template"] for r in graph.requests] == [
        {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Kerry"},
                        {"type": "text", "text": "42"},
                    ],
                }
            ],
        },
        {
            "name": "welcome",
            "language": {"code": "fr"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "parameter_name": "name", "text": "Kerry"}],
                }
            ],
        },
    ]


async def test_graphs_re_engagement_error_is_the_window_error(graph: GraphStandIn) -> None:
    """Graph's 131047 (window closed on Meta's side) is a WhatsAppWindowError, not retried;
    pywa reads the same body as its ReEngagementMessage error."""
    reply = graph_error(131047, "Re-engagement message", 400)
    graph.queue(reply)
    provider = cloud(graph)
    with pytest.raises(WhatsAppWindowError) as caught:
        await provider.send(outbound(TextContent(body="hi")), PHONE)
    await provider.close()
    assert len(graph.requests) == 1
    assert isinstance(caught.value.__cause__, GraphAPIError)
    pywa_error = WhatsAppError.from_dict(json.loads(reply.chunks[0])["error"])
    assert type(pywa_error).__name__ == "ReEngagementMessage"


@pytest.mark.parametrize("code", [4, 80007, 130429])
async def test_rate_limits_are_retried_even_on_http_400(graph: GraphStandIn, code: int) -> None:
    graph.queue(graph_error(code, "rate limited", 400))
    provider = cloud(graph)
    result = await provider.send(outbound(TextContent(body="hi")), PHONE)
    await provider.close()
    assert len(graph.requests) == 2 and result.provider_message_id == "wamid.HBgL00000002"


async def test_a_permanent_error_is_typed_and_sent_once(
    graph: GraphStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Code 100 (bad parameter) with its subcode and trace id, after one retried rate limit;
    the token is in no error, repr or log line."""
    caplog.set_level(logging.DEBUG)
    graph.queue(
        graph_error(130429, "Rate limit hit", 400),
        graph_error(100, "Invalid parameter", 400, subcode=2494010),
    )
    provider = cloud(graph)
    with pytest.raises(GraphAPIError) as caught:
        await provider.send(outbound(TextContent(body="hi")), PHONE)
    await provider.close()
    error = caught.value
    assert (error.code, error.subcode, error.fbtrace_id) == ("100", "2494010", "AbCdEfGhIjK")
    assert not error.retryable and len(graph.requests) == 2
    shown = str(error) + repr(error) + repr(provider) + repr(provider.config) + caplog.text
    assert "retrying" in caplog.text and ACCESS_TOKEN not in shown


async def test_a_wrong_token_is_an_auth_error(graph: GraphStandIn) -> None:
    provider = cloud(graph)
    graph.token = "another"
    with pytest.raises(GraphAPIError) as caught:
        await provider.send(outbound(TextContent(body="hi")), PHONE)
    await provider.close()
    assert (caught.value.status_code, caught.value.code) == (401, "190")


async def test_content_without_text_media_or_template_is_refused(graph: GraphStandIn) -> None:
    provider = cloud(graph)
    with pytest.raises(InvalidArgumentError):
        await provider.send(outbound(TextContent(body="")), PHONE)
    await provider.close()
    assert graph.requests == []


async def test_reactions_reference_the_customers_message(graph: GraphStandIn) -> None:
    provider = cloud(graph)
    await provider.send_reaction(PHONE, PHONE, "wamid.IN1", "\N{THUMBS UP SIGN}")
    await provider.close()
    assert graph.last.json["type"] == "reaction"
    assert graph.last.json["reaction"] == {"message_id": "wamid.IN1", "emoji": "\N{THUMBS UP SIGN}"}


@pytest.mark.parametrize("trusted", [True, False])
async def test_inbound_media_is_fetched_with_the_token_only_from_metas_hosts(
    graph: GraphStandIn, trusted: bool
) -> None:
    """Graph's media object names a download URL: the token goes there only when that host
    is one of Meta's media hosts; the bytes are checked against the object's sha256."""
    image = b"\xff\xd8jpeg bytes"
    storage = ScriptedApp(Reply.raw(image, content_type="image/jpeg"))
    async with serve_app(storage) as host:
        provider = WhatsAppCloudProvider(
            WhatsAppCloudConfig(
                access_token=ACCESS_TOKEN,
                phone_number_id=PHONE_NUMBER_ID,
                graph_url=graph.base_url,
                media_hosts=(host,) if trusted else (),
            )
        )
        graph.queue(
            Reply.json(
                {
                    "url": f"{host}/whatsapp_business/attachments/?mid=1",
                    "mime_type": "image/jpeg",
                    "sha256": hashlib.sha256(image).hexdigest(),
                    "file_size": len(image),
                    "id": "MEDIA1",
                }
            )
        )
        content, mime = await provider.fetch_media("MEDIA1")
        await provider.close()
    assert (content, mime) == (image, "image/jpeg")
    assert (graph.last.method, graph.last.path) == ("GET", "/v21.0/MEDIA1")
    assert graph.last.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert storage.last.query == "mid=1"
    assert storage.last.headers.get("authorization") == (
        f"Bearer {ACCESS_TOKEN}" if trusted else None
    )


async def test_media_that_does_not_match_its_sha256_is_refused(graph: GraphStandIn) -> None:
    storage = ScriptedApp(Reply.raw(b"tampered", content_type="image/jpeg"))
    async with serve_app(storage) as host:
        provider = cloud(graph)
        graph.queue(Reply.json({"url": f"{host}/m", "sha256": "00" * 32, "id": "M2"}))
        with pytest.raises(ProviderError, match="sha256"):
            await provider.fetch_media("M2")
        await provider.close()


def test_inbound_text_agrees_with_pywa() -> None:
    """Sender normalised to E.164, the BSUID kept, the wamid as idempotency key — the same
    fields pywa reads from the same payload."""
    payload = whatsapp_text("wamid.IN1", "16505551234", "hi there", 1_760_000_000)
    (message,), statuses = parse_whatsapp_webhook(payload, "wa")
    theirs = Message.from_update(client=PYWA, update=payload)
    assert statuses == []
    assert message.sender_id == "+" + str(theirs.from_user.wa_id) == PHONE
    assert message.metadata["user_id"] == theirs.from_user.bsuid == "US.13491208655302741918"
    assert message.content == TextContent(body=theirs.text)
    assert message.idempotency_key == message.external_id == theirs.id == "wamid.IN1"


def test_a_username_only_customer_is_known_by_the_business_scoped_id() -> None:
    contact = {"profile": {"name": "Kim"}, "user_id": "US.777"}
    image = {"id": "MEDIA1", "mime_type": "image/jpeg", "caption": "pic"}
    raw = {
        "from_user_id": "US.777",
        "id": "wamid.IN2",
        "timestamp": "1",
        "type": "image",
        "image": image,
    }
    (message,), _ = parse_whatsapp_webhook(
        whatsapp_change({"contacts": [contact], "messages": [raw]}), "wa"
    )
    assert message.sender_id == "US.777"
    assert isinstance(message.content, MediaContent) and message.content.caption == "pic"
    assert message.metadata["media_id"] == "MEDIA1"


def test_statuses_agree_with_pywa() -> None:
    payload = whatsapp_status("wamid.OUT1", "delivered", "16505551234", 1_760_000_100)
    _, (status,) = parse_whatsapp_webhook(payload, "wa")
    theirs = MessageStatus.from_update(client=PYWA, update=payload)
    assert (status.message_id, status.status) == (theirs.id, theirs.status.value)
    assert status.timestamp == theirs.timestamp


@pytest.mark.parametrize(
    "payload", [{"object": "page"}, {"object": "whatsapp_business_account", "entry": "x"}]
)
def test_a_body_that_is_not_a_whatsapp_webhook_is_malformed(payload: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_whatsapp_webhook(payload, "wa")


def _cases() -> list[tuple[bytes, str]]:
    body, headers = signed(whatsapp_text("wamid.S", "1650", "hi", 1))
    good = headers["x-hub-signature-256"]
    other = "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()
    return [
        (body, good),
        (body.replace(b"hi", b"ho"), good),
        (body, other),
        (body, good.removeprefix("sha256=")),
        (body, good.upper().replace("SHA256=", "sha256=")),
        (body, "sha1=" + good.removeprefix("sha256=")),
        (body, ""),
    ]


@pytest.mark.parametrize(("body", "header"), _cases())
def test_signature_check_accepts_exactly_what_pywa_accepts(body: bytes, header: str) -> None:
    """pywa's validator ignores the sha256= prefix being absent; Meta always sends it, so we
    require it — everything else is the same verdict."""
    ours = verify_hub_signature(APP_SECRET, body, header)
    theirs = webhook_updates_validator(APP_SECRET, body, header) and header.startswith("sha256=")
    assert ours == theirs


def test_the_verify_handshake_echoes_the_challenge_only_for_our_token() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    assert hub_challenge(query, VERIFY_TOKEN) == "1158201444"
    assert hub_challenge({**query, "hub.verify_token": "guess"}, VERIFY_TOKEN) is None
    assert hub_challenge({**query, "hub.mode": "unsubscribe"}, VERIFY_TOKEN) is None


def test_a_failed_status_carries_graphs_error() -> None:
    payload = whatsapp_status("wamid.OUT2", "failed", "16505551234", 1_760_000_200)
    item = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    error = {"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable"}
    item["errors"] = [{**error, "error_data": {"details": "Unable to deliver"}}]
    _, (status,) = parse_whatsapp_webhook(payload, "wa")
    theirs = MessageStatus.from_update(client=PYWA, update=payload)
    assert (status.status, status.error_code) == ("failed", "131026")
    assert theirs.error is not None and str(theirs.error.code) == status.error_code
    assert status.error_message == "Message undeliverable"


async def test_parse_webhook_opens_the_window_it_reads(graph: GraphStandIn) -> None:
    """The documented parse_webhook: the first message, and a reply may now go free-form."""
    provider = cloud(graph, window_open=False)
    now = int(datetime.now(UTC).timestamp())
    message = await provider.parse_webhook(whatsapp_text("wamid.P", PHONE[1:], "hey", now))
    await provider.send(outbound(TextContent(body="hi")), PHONE)
    await provider.close()
    assert (message.sender_id, message.content) == (PHONE, TextContent(body="hey"))
    with pytest.raises(ValueError, match="no message"):
        await provider.parse_webhook(whatsapp_status("wamid.X", "sent", PHONE[1:], now))
