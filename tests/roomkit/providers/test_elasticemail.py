"""ElasticEmailProvider against a loopback stand-in of Elastic Email's v2 API."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator

import pytest

from roomkit import EmailChannel, InboundMessage, RoomKit, WebSocketChannel
from roomkit.models.content import CompositeContent, MediaContent, RichContent, TextContent
from roomkit.providers.elasticemail.config import ElasticEmailConfig
from roomkit.providers.elasticemail.email import ElasticEmailProvider
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.elasticemail import API_KEY, PATH, ElasticEmailStandIn
from tests.standins.scripted import Reply

_open: list[ElasticEmailProvider] = []


@pytest.fixture(autouse=True)
async def close_providers() -> AsyncIterator[None]:
    yield
    while _open:
        await _open.pop().close()


def provider_for(app: ElasticEmailStandIn, key: str = API_KEY) -> ElasticEmailProvider:
    """A provider of the stand-in, closed when the test ends."""
    config = ElasticEmailConfig(
        api_key=key,
        from_email="news@example.com",
        from_name="Example",
        base_url=app.base_url + PATH,
        retry_policy=FAST,
    )
    _open.append(ElasticEmailProvider(config))
    return _open[-1]


async def test_text_is_a_form_post_with_the_key_and_documented_fields(
    elastic: ElasticEmailStandIn,
) -> None:
    provider = provider_for(elastic)
    result = await provider.send(
        outbound(TextContent(body="Hello")), "alice@example.com", subject="Hi"
    )
    assert result.success
    assert result.provider_message_id == "msg-1"
    request = elastic.last
    assert (request.method, request.path) == ("POST", PATH)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert elastic.forms()[-1] == {
        "apikey": API_KEY,
        "from": "news@example.com",
        "to": "alice@example.com",
        "subject": "Hi",
        "isTransactional": "true",
        "fromName": "Example",
        "bodyText": "Hello",
    }


async def test_html_and_an_attachment_go_as_multipart(elastic: ElasticEmailStandIn) -> None:
    image = MediaContent(
        url="data:image/png;base64," + base64.b64encode(b"png-bytes").decode(),
        mime_type="image/png",
        filename="a.png",
    )
    rich = RichContent(body="<p>Hi <b>there</b></p>", format="html")
    await provider_for(elastic).send(
        outbound(CompositeContent(parts=[rich, image])), "alice@example.com", from_="me@x.org"
    )
    assert elastic.last.headers["content-type"].startswith("multipart/form-data")
    form = elastic.forms()[-1]
    assert form["bodyHtml"] == "<p>Hi <b>there</b></p>"
    assert form["bodyText"] == "Hi there"
    assert form["from"] == "me@x.org"
    assert form["subject"] == "Message from room r1"
    assert form["attachment1"] == ("a.png", "image/png", b"png-bytes")


async def test_a_refusal_is_a_typed_error_that_never_shows_the_key(
    elastic: ElasticEmailStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    provider = provider_for(elastic, key="wrong-" + API_KEY)
    with caplog.at_level(logging.DEBUG), pytest.raises(VendorAPIError) as caught:
        await provider.send(outbound(TextContent(body="x")), "alice@example.com")
    assert "Incorrect apikey" in str(caught.value)
    assert caught.value.retryable is False
    assert len(elastic.requests) == 1  # a permanent refusal is not retried
    shown = str(caught.value) + repr(caught.value) + repr(provider) + caplog.text
    assert API_KEY not in shown
    assert API_KEY not in repr(provider.config)


async def test_rate_limit_waits_for_retry_after_then_sends(elastic: ElasticEmailStandIn) -> None:
    elastic.queue(Reply.json({"success": False, "error": "Too many"}, 429, {"Retry-After": "0"}))
    result = await provider_for(elastic).send(outbound(TextContent(body="x")), "a@example.com")
    assert result.provider_message_id == "msg-2"
    assert len(elastic.requests) == 2


async def test_end_to_end_a_room_reply_goes_out_through_elasticemail(
    elastic: ElasticEmailStandIn,
) -> None:
    async with RoomKit() as kit:
        channel = EmailChannel("mail", provider=provider_for(elastic))
        kit.register_channel(channel)
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r1")
        await kit.attach_channel(
            "r1", "mail", metadata={"email_address": "alice@example.com", "subject": "Your order"}
        )
        await kit.attach_channel("r1", "ws")
        message = InboundMessage(
            channel_id="ws", sender_id="agent", content=TextContent(body="Shipped")
        )
        await kit.process_inbound(message, room_id="r1")
    form = elastic.forms()[-1]
    assert (form["to"], form["subject"], form["bodyText"]) == (
        "alice@example.com",
        "Your order",
        "Shipped",
    )
