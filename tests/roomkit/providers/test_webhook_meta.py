"""WebhookMeta: a vendor-neutral SMS webhook becomes a stored message or a delivery status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roomkit import (
    CompositeContent,
    InvalidArgumentError,
    MediaContent,
    RoomKit,
    SMSChannel,
    TextContent,
    WebhookMeta,
)


def _meta(**fields: object) -> WebhookMeta:
    base: dict[str, object] = {
        "provider": "twilio", "sender": "+15550199", "recipient": "+15550100",
        "body": "hello", "external_id": "SM1", "timestamp": None, "raw": {},
    }  # fmt: skip
    return WebhookMeta(**{**base, **fields})  # type: ignore[arg-type]


async def test_an_inbound_webhook_is_stored_once_in_the_channels_room(kit: RoomKit) -> None:
    """to_inbound gives a message keyed by the vendor's id: a redelivered webhook is one event."""
    kit.register_channel(SMSChannel("sms"))
    await kit.create_room("r")
    await kit.attach_channel("r", "sms", metadata={"phone_number": "+15550199"})
    meta = _meta(timestamp=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert meta.is_inbound and not meta.is_status
    first = await kit.process_inbound(meta.to_inbound("sms"))
    again = await kit.process_inbound(meta.to_inbound("sms"))
    assert first.event is not None and first.event.content == TextContent(body="hello")
    assert first.event.source.external_id == "SM1"
    assert first.event.metadata["recipient"] == "+15550100"
    assert again.event is None or again.event.id == first.event.id
    timeline = await kit.get_timeline("r")
    assert [e.id for e in timeline] == [first.event.id]


def test_media_becomes_captioned_media_or_composite_content() -> None:
    """One attachment is MediaContent with the text as caption; several are a composite."""
    one = _meta(media_urls=[{"url": "https://m.example/a.jpg", "mime_type": "image/jpeg"}])
    content = one.to_inbound("sms").content
    assert isinstance(content, MediaContent) and content.caption == "hello"
    two = _meta(
        media_urls=[{"url": "https://m.example/a.jpg", "mime_type": None},
                    {"url": "https://m.example/b.png", "mime_type": "image/png"}],
    )  # fmt: skip
    composite = two.to_inbound("sms").content
    assert isinstance(composite, CompositeContent)
    assert [p.type for p in composite.parts] == ["text", "media", "media"]
    assert composite.parts[1].mime_type == "application/octet-stream"  # type: ignore[union-attr]


def test_an_outbound_status_webhook_is_a_delivery_status_not_a_message() -> None:
    """A 'message.failed' outbound webhook converts to DeliveryStatus with its error."""
    raw = {"data": {"payload": {"errors": [{"code": 40001, "detail": "unreachable"}]}}}
    meta = _meta(direction="outbound", event_type="message.failed", raw=raw, provider="telnyx")
    assert meta.is_status and not meta.is_inbound
    status = meta.to_status()
    assert (status.status, status.message_id, status.provider) == ("failed", "SM1", "telnyx")
    assert (status.error_code, status.error_message) == ("40001", "unreachable")
    with pytest.raises(InvalidArgumentError, match="to_status"):
        meta.to_inbound("sms")
