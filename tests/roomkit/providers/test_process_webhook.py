"""extract_sms_meta + RoomKit.process_webhook: one verified SMS webhook into the room."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    DeliveryStatus,
    InvalidArgumentError,
    RoomKit,
    SMSChannel,
    WebhookMeta,
)
from roomkit.providers.sms.meta import extract_sms_meta
from roomkit.providers.sms.mock import MockSMSProvider

TWILIO_MESSAGE = {
    "MessageSid": "SM1",
    "From": "+15550100",
    "To": "+15550199",
    "Body": "hello",
    "NumMedia": "1",
    "MediaUrl0": "https://api.twilio.com/media/ME1",
    "MediaContentType0": "image/png",
}
TWILIO_STATUS = {
    "MessageSid": "SM9",
    "MessageStatus": "undelivered",
    "From": "+15550199",
    "To": "+15550100",
    "ErrorCode": "30003",
}
TELNYX_RECEIVED = {
    "data": {
        "event_type": "message.received",
        "occurred_at": "2026-01-01T00:00:00Z",
        "payload": {
            "id": "tx-1",
            "from": {"phone_number": "+15550100"},
            "to": [{"phone_number": "+15550199"}],
            "text": "hi from telnyx",
        },
    }
}


async def _kit() -> RoomKit:
    kit = RoomKit()
    kit.register_channel(SMSChannel("sms", provider=MockSMSProvider()))
    await kit.create_room("r")
    await kit.attach_channel("r", "sms", metadata={"phone_number": "+15550100"})
    return kit


def test_a_twilio_message_reads_as_inbound_with_its_media() -> None:
    meta = extract_sms_meta("twilio", TWILIO_MESSAGE)
    assert isinstance(meta, WebhookMeta)
    assert (meta.is_inbound, meta.is_status) == (True, False)
    assert (meta.sender, meta.body, meta.external_id) == ("+15550100", "hello", "SM1")
    assert meta.media_urls == [
        {"url": "https://api.twilio.com/media/ME1", "mime_type": "image/png"}
    ]


def test_a_twilio_status_callback_keeps_the_vendors_error_code() -> None:
    meta = extract_sms_meta("Twilio", TWILIO_STATUS)
    assert (meta.is_inbound, meta.is_status) == (False, True)
    status = meta.to_status()
    assert (status.message_id, status.error_code) == ("SM9", "30003")


def test_an_unknown_vendor_is_refused_by_name() -> None:
    with pytest.raises(InvalidArgumentError, match="acme"):
        extract_sms_meta("acme", {})


async def test_process_webhook_stores_a_message_once_and_reports_a_status() -> None:
    """The same message webhook twice is one event; a status reaches on_delivery_status."""
    kit = await _kit()
    statuses: list[DeliveryStatus] = []
    kit.on_delivery_status(statuses.append)
    payloads: list[tuple[str, dict[str, Any]]] = [
        ("twilio", TWILIO_MESSAGE),
        ("twilio", TWILIO_MESSAGE),
        ("telnyx", TELNYX_RECEIVED),
        ("twilio", TWILIO_STATUS),
    ]
    for provider, payload in payloads:
        await kit.process_webhook(extract_sms_meta(provider, payload), "sms")
    timeline = await kit.get_timeline("r")
    await kit.close()
    assert [e.metadata.get("provider") for e in timeline] == ["twilio", "telnyx"]
    assert [(s.channel_id, s.message_id, s.status) for s in statuses] == [
        ("sms", "SM9", "failed")  # Twilio's undelivered is a failed delivery
    ]
