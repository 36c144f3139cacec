"""Telnyx SMS: the v2 Messages API against a loopback stand-in; webhooks signed with PyNaCl."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.providers.telnyx.config import TelnyxConfig
from roomkit.providers.telnyx.signature import verify_telnyx_signature
from roomkit.providers.telnyx.sms import TelnyxSMSProvider
from roomkit.providers.telnyx.webhook import parse_telnyx_status, parse_telnyx_webhook
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.telnyx import (
    API_KEY,
    TelnyxSigner,
    TelnyxStandIn,
    finalized,
    received,
    telnyx_error,
)


def provider(app: TelnyxStandIn, public_key: str | None = None, **fields: Any) -> TelnyxSMSProvider:
    config = TelnyxConfig(
        api_key=API_KEY,
        from_number="+15550002222",
        base_url=app.base_url,
        retry_policy=FAST,
        **fields,
    )
    return TelnyxSMSProvider(config, public_key)


async def test_send_posts_json_with_the_bearer_key(telnyx: TelnyxStandIn) -> None:
    sms = provider(telnyx, messaging_profile_id="prof-1", webhook_url="https://h.example/t")
    result = await sms.send(outbound(TextContent(body="hello")), to="+15557654321")
    await sms.close()
    request = telnyx.last
    assert (request.method, request.path) == ("POST", "/v2/messages")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "from": "+15550002222",
        "to": "+15557654321",
        "text": "hello",
        "messaging_profile_id": "prof-1",
        "webhook_url": "https://h.example/t",
    }
    assert result.success and result.provider_message_id == request_id(1)
    assert result.metadata["status"] == "queued"


def request_id(number: int) -> str:
    return f"40317{number:08d}-0000-0000-0000-000000000000"


async def test_mms_sends_media_urls_and_an_explicit_sender(telnyx: TelnyxStandIn) -> None:
    sms = provider(telnyx)
    parts = [
        TextContent(body="see"),
        MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png"),
    ]
    await sms.send(outbound(CompositeContent(parts=parts)), to="+15557654321", from_="+15550009999")
    await sms.close()
    assert telnyx.last.json == {
        "from": "+15550009999",
        "to": "+15557654321",
        "text": "see",
        "media_urls": ["https://cdn.example.com/a.png"],
    }


async def test_errors_are_typed_and_only_rate_limits_retried(telnyx: TelnyxStandIn) -> None:
    telnyx.queue(
        telnyx_error("10011", "Too many requests", 429, {"Retry-After": "1"}),
        telnyx_error("40310", "Invalid 'to' address", 422),
    )
    sms = provider(telnyx)
    started = time.monotonic()
    with pytest.raises(VendorAPIError) as caught:
        await sms.send(outbound(TextContent(body="hi")), to="+1555")
    await sms.close()
    assert time.monotonic() - started >= 1.0  # Retry-After honoured before the second try
    assert (caught.value.code, caught.value.status_code, caught.value.retryable) == (
        "40310",
        422,
        False,
    )
    assert "Invalid 'to' address" in str(caught.value)
    assert len(telnyx.requests) == 2


async def test_bad_key_is_not_retried_and_never_shown(
    telnyx: TelnyxStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = TelnyxConfig(api_key="KEY-wrong-secret", from_number="+1555", base_url=telnyx.base_url)
    sms = TelnyxSMSProvider(config)
    with pytest.raises(VendorAPIError) as caught:
        await sms.send(outbound(TextContent(body="hi")), to="+15557654321")
    await sms.close()
    assert caught.value.code == "10009" and len(telnyx.requests) == 1
    shown = " ".join([repr(config), repr(sms), str(caught.value), repr(caught.value), caplog.text])
    assert "KEY-wrong-secret" not in shown


# --- signatures: PyNaCl signs as Telnyx does ------------------------------------------------


def test_signed_webhook_verifies_and_any_change_fails() -> None:
    signer = TelnyxSigner()
    body = received("m-1", "+15557654321", "hi")
    headers = signer.headers(body)
    sms = TelnyxSMSProvider(TelnyxConfig(api_key="k", from_number="+1555"), signer.public_key)
    signature, stamp = headers["telnyx-signature-ed25519"], headers["telnyx-timestamp"]
    assert sms.verify_signature(body, signature, stamp)
    assert not sms.verify_signature(body.replace(b"hi", b"ho"), signature, stamp)
    assert not sms.verify_signature(body, signature, str(int(stamp) + 1))
    assert not sms.verify_signature(body, signature, None)
    assert not sms.verify_signature(body, "not base64!", stamp)
    assert not verify_telnyx_signature(TelnyxSigner().public_key, body, signature, stamp)


def test_stale_or_future_timestamps_are_refused() -> None:
    signer = TelnyxSigner()
    body = received("m-1", "+15557654321", "hi")
    now = int(time.time())
    for stamp, fresh in [(now - 299, True), (now - 400, False), (now + 400, False)]:
        headers = signer.headers(body, stamp)
        verdict = verify_telnyx_signature(
            signer.public_key, body, headers["telnyx-signature-ed25519"], str(stamp), now=now
        )
        assert verdict is fresh


def test_verifying_needs_a_public_key() -> None:
    sms = TelnyxSMSProvider(TelnyxConfig(api_key="k", from_number="+1555"))
    with pytest.raises(InvalidArgumentError):
        sms.verify_signature(b"{}", "sig", "1")
    with pytest.raises(ValueError, match="Ed25519"):
        verify_telnyx_signature("bm90IGEga2V5", b"{}", "c2ln", str(int(time.time())))


# --- webhook bodies -----------------------------------------------------------------------


def test_message_received_becomes_an_inbound_message() -> None:
    payload = json.loads(received("m-1", "+15557654321", "hi"))
    payload["data"]["payload"]["media"] = [
        {"url": "https://media.telnyx.com/x.jpg", "content_type": "image/jpeg"}
    ]
    message = parse_telnyx_webhook(payload, "sms")
    assert message.sender_id == "+15557654321"
    assert message.idempotency_key == "m-1"
    assert isinstance(message.content, MediaContent) and message.content.caption == "hi"
    assert message.metadata["recipient"] == "+15550002222"


def test_finalized_is_a_status_never_an_inbound_message() -> None:
    delivered = json.loads(finalized("m-2", "+15557654321"))
    with pytest.raises(InvalidArgumentError):
        parse_telnyx_webhook(delivered, "sms")
    status = parse_telnyx_status(delivered)
    assert (status.message_id, status.status, status.recipient) == (
        "m-2",
        "delivered",
        "+15557654321",
    )
    failed = parse_telnyx_status(json.loads(finalized("m-3", "+1555", "delivery_failed")))
    assert (failed.status, failed.error_code, failed.error_message) == (
        "failed",
        "40002",
        "Blocked",
    )
    with pytest.raises(InvalidArgumentError):
        parse_telnyx_status(json.loads(received("m-1", "+1555", "x")))
    with pytest.raises(InvalidArgumentError):
        parse_telnyx_webhook({"data": "nope"}, "sms")
