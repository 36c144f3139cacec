"""Messenger: the Send API on a loopback stand-in, webhooks and receipts as Meta sends them."""

from __future__ import annotations

import time

import pytest
from pywa.utils import webhook_updates_validator

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.event import RoomEvent
from roomkit.providers._graph import GraphAPIError
from roomkit.providers.messenger.config import MessengerConfig
from roomkit.providers.messenger.facebook import FacebookMessengerProvider
from roomkit.providers.messenger.receipts import (
    Receipt,
    SentLedger,
    parse_messenger_receipts,
)
from roomkit.providers.messenger.webhook import parse_messenger_webhook
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.meta import (
    ACCESS_TOKEN,
    APP_SECRET,
    PAGE_ID,
    GraphStandIn,
    graph_error,
    messenger_event,
    signed,
)

PSID = "6543210987654321"


def messenger(app: GraphStandIn, **fields: object) -> FacebookMessengerProvider:
    config = MessengerConfig(
        page_access_token=ACCESS_TOKEN,
        app_secret=APP_SECRET,
        graph_url=app.base_url,
        retry_policy=FAST,
        **fields,  # type: ignore[arg-type]
    )
    return FacebookMessengerProvider(config)


def tagged(content: TextContent, **metadata: str) -> RoomEvent:
    return outbound(content).model_copy(update={"metadata": metadata})


async def test_a_reply_within_24_hours_is_a_response_to_the_psid(graph: GraphStandIn) -> None:
    provider = messenger(graph, page_id=PAGE_ID)
    provider.note_inbound(PSID, int(time.time() * 1000) - 60_000)  # a minute ago
    event = outbound(TextContent(body="hello"))
    result = await provider.send(event, PSID)
    await provider.close()
    request = graph.last
    assert (request.method, request.path) == ("POST", f"/v21.0/{PAGE_ID}/messages")
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert ACCESS_TOKEN not in request.query
    assert request.headers["idempotency-key"] == f"{event.id}:{PSID}:0"
    assert request.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "hello"},
    }
    assert result.success and result.provider_message_id == "m_1"


async def test_messaging_type_follows_the_window_and_message_tags(graph: GraphStandIn) -> None:
    """No recent message: UPDATE on /me/messages; a message tag: MESSAGE_TAG with the tag."""
    provider = messenger(graph)
    await provider.send(outbound(TextContent(body="news")), PSID)
    await provider.send(tagged(TextContent(body="acct"), message_tag="ACCOUNT_UPDATE"), PSID)
    await provider.close()
    assert {r.path for r in graph.requests} == {"/v21.0/me/messages"}
    assert [(r.json["messaging_type"], r.json.get("tag")) for r in graph.requests] == [
        ("UPDATE", None),
        ("MESSAGE_TAG", "ACCOUNT_UPDATE"),
    ]


async def test_media_goes_as_attachments_after_the_text(graph: GraphStandIn) -> None:
    provider = messenger(graph)
    parts = [
        MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png", caption="look"),
        MediaContent(url="https://cdn.example.com/r.pdf", mime_type="application/pdf"),
    ]
    result = await provider.send(outbound(CompositeContent(parts=parts)), PSID)
    await provider.close()
    assert [r.json["message"] for r in graph.requests] == [
        {"text": "look"},
        {
            "attachment": {
                "type": "image",
                "payload": {"url": "https://cdn.example.com/a.png", "is_reusable": True},
            }
        },
        {
            "attachment": {
                "type": "file",
                "payload": {"url": "https://cdn.example.com/r.pdf", "is_reusable": True},
            }
        },
    ]
    assert result.metadata["mids"] == ["m_1", "m_2", "m_3"]


async def test_send_api_errors_are_typed_and_rate_limits_retried(graph: GraphStandIn) -> None:
    graph.queue(graph_error(4, "Application request limit reached"))
    graph.queue(graph_error(551, "This person isn't available right now.", subcode=1545041))
    provider = messenger(graph)
    with pytest.raises(GraphAPIError) as caught:
        await provider.send(outbound(TextContent(body="hi")), PSID)
    await provider.close()
    error = caught.value
    assert len(graph.requests) == 2  # the rate limit once, then the permanent error
    assert (error.code, error.subcode, error.retryable) == ("551", "1545041", False)
    assert ACCESS_TOKEN not in str(error) + repr(error) + repr(provider) + repr(provider.config)


async def test_empty_content_is_refused_before_any_request(graph: GraphStandIn) -> None:
    provider = messenger(graph)
    with pytest.raises(InvalidArgumentError):
        await provider.send(outbound(TextContent(body="")), PSID)
    await provider.close()
    assert graph.requests == []


def test_verify_signature_agrees_with_pywa() -> None:
    """Same scheme as WhatsApp: HMAC-SHA256 of the raw body under the app secret."""
    provider = FacebookMessengerProvider(
        MessengerConfig(page_access_token=ACCESS_TOKEN, app_secret=APP_SECRET)
    )
    body, headers = signed(messenger_event(PAGE_ID))
    good = headers["x-hub-signature-256"]
    for payload, header in [(body, good), (body + b" ", good), (body, "sha256=00")]:
        assert provider.verify_signature(payload, header) == webhook_updates_validator(
            APP_SECRET, payload, header
        )
    unsigned = FacebookMessengerProvider(MessengerConfig(page_access_token=ACCESS_TOKEN))
    assert not unsigned.verify_signature(body, good)


def test_echoes_are_not_inbound_and_receipts_are_read() -> None:
    """The page's own echo gives nothing; delivery (with mids) and read are receipts."""
    user, page = {"id": PSID}, {"id": PAGE_ID}
    payload = messenger_event(
        PAGE_ID,
        {
            "sender": user,
            "recipient": page,
            "timestamp": 5,
            "message": {"mid": "m_in", "text": "hi"},
        },
        {
            "sender": page,
            "recipient": user,
            "timestamp": 6,
            "message": {"mid": "m_1", "text": "yo", "is_echo": True},
        },
        {
            "sender": user,
            "recipient": page,
            "timestamp": 7,
            "delivery": {"mids": ["m_1"], "watermark": 6},
        },
        {"sender": user, "recipient": page, "timestamp": 8, "read": {"watermark": 7}},
    )
    assert [m.external_id for m in parse_messenger_webhook(payload, "fb")] == ["m_in"]
    assert parse_messenger_receipts(payload) == [
        Receipt(PSID, "delivered", ("m_1",), 6),
        Receipt(PSID, "read", (), 7),
    ]


def test_watermarks_cover_earlier_sends_and_never_move_back() -> None:
    ledger = SentLedger()
    ledger.record("m_1", PSID, 100)
    ledger.record("m_2", PSID, 200)
    ledger.record("m_other", "someone-else", 100)
    assert ledger.advance(Receipt(PSID, "delivered", (), 150)) == ["m_1"]
    assert ledger.advance(Receipt(PSID, "read", (), 250)) == ["m_1", "m_2"]
    assert ledger.advance(Receipt(PSID, "delivered", ("m_2",), 250)) == []  # late
    assert ledger.advance(Receipt(PSID, "read", (), 300)) == []  # repeated
