"""The generic HTTP webhook: Standard Webhooks signing, checked by the standardwebhooks library."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from roomkit.models.content import TextContent
from roomkit.providers.http.config import HTTPProviderConfig
from roomkit.providers.http.provider import WebhookHTTPProvider
from roomkit.providers.http.signature import signing_key, verify_webhook
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.scripted import Reply, ScriptedApp
from tests.standins.server import serve_app

SECRET = "whsec_" + base64.b64encode(b"a shared secret of 32 bytes!!!!!").decode()


@pytest.fixture
async def receiver() -> AsyncIterator[ScriptedApp]:
    app = ScriptedApp(default=Reply.raw(b"", 204))
    async with serve_app(app) as url:
        app.base_url = url
        yield app


def provider(app: ScriptedApp, **fields: Any) -> WebhookHTTPProvider:
    config = HTTPProviderConfig(
        webhook_url=f"{app.base_url}/hooks/room", retry_policy=FAST, **fields
    )
    return WebhookHTTPProvider(config)


async def test_send_is_a_signed_json_post_standardwebhooks_accepts(receiver: ScriptedApp) -> None:
    hook = provider(receiver, secret=SECRET, headers={"X-Tenant": "t1"})
    sent = outbound(TextContent(body="hello"))
    result = await hook.send(sent, to="user-7")
    await hook.close()
    request = receiver.last
    assert (request.method, request.path) == ("POST", "/hooks/room")
    assert request.headers["x-tenant"] == "t1"
    assert request.headers["content-type"] == "application/json"
    payload = Webhook(SECRET).verify(request.body, request.headers)
    assert payload["recipient_id"] == "user-7" and payload["event_id"] == sent.id
    assert payload["content"] == {"type": "text", "body": "hello", "language": None}
    assert result.provider_message_id == request.headers["webhook-id"]


async def test_without_a_secret_nothing_is_signed(receiver: ScriptedApp) -> None:
    hook = provider(receiver)
    await hook.send(outbound(TextContent(body="hello")), to="user-7")
    await hook.close()
    assert not {"webhook-id", "webhook-signature"} & set(receiver.last.headers)


async def test_5xx_is_retried_with_the_same_id_and_4xx_is_not(receiver: ScriptedApp) -> None:
    receiver.queue(Reply.raw(b"busy", 503), Reply.raw(b"", 204), Reply.raw(b"no such user", 404))
    hook = provider(receiver, secret=SECRET)
    await hook.send(outbound(TextContent(body="hello")), to="user-7")
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    with pytest.raises(VendorAPIError) as caught:
        await hook.send(outbound(TextContent(body="hello")), to="user-8")
    await hook.close()
    assert (caught.value.status_code, caught.value.retryable) == (404, False)
    assert "no such user" in str(caught.value) and len(receiver.requests) == 3


def test_secret_and_headers_stay_out_of_reprs() -> None:
    config = HTTPProviderConfig(
        webhook_url="https://example.com/h", secret=SECRET, headers={"Authorization": "Bearer zz9"}
    )
    shown = repr(config) + str(config) + repr(WebhookHTTPProvider(config))
    assert SECRET not in shown and "zz9" not in shown


# --- inbound verification, signed by the standardwebhooks library --------------------------


def signed(body: bytes, msg_id: str = "msg_1", when: datetime | None = None) -> dict[str, str]:
    when = when or datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(msg_id, when, body),
    }


def test_library_signed_requests_verify_and_changes_fail() -> None:
    key = signing_key(SECRET)
    body = b'{"sender_id":"u1","body":"hi"}'
    headers = signed(body)
    assert verify_webhook(key, body, headers)
    assert not verify_webhook(key, body + b" ", headers)
    assert not verify_webhook(key, body, {**headers, "webhook-id": "msg_2"})
    assert not verify_webhook(signing_key("whsec_" + "QUJD"), body, headers)
    for missing in headers:
        assert not verify_webhook(key, body, {k: v for k, v in headers.items() if k != missing})


def test_rotated_secrets_any_listed_signature_verifies() -> None:
    body = b"{}"
    headers = signed(body)
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert verify_webhook(signing_key(SECRET), body, headers)
    Webhook(SECRET).verify(body, headers)


def test_replays_outside_the_window_are_refused_like_the_library() -> None:
    body = b"{}"
    old = signed(body, when=datetime.fromtimestamp(time.time() - 600, UTC))
    assert not verify_webhook(signing_key(SECRET), body, old)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, old)
    fresh = signed(body, when=datetime.fromtimestamp(time.time() - 200, UTC))
    assert verify_webhook(signing_key(SECRET), body, fresh)
    Webhook(SECRET).verify(body, fresh)
