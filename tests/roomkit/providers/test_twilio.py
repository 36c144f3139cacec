"""Twilio SMS: the Messages API against a loopback stand-in, and webhooks as Twilio signs them."""

from __future__ import annotations

import base64
import logging
import random
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.policy import RetryPolicy
from roomkit.providers.twilio.config import TwilioConfig
from roomkit.providers.twilio.signature import verify_twilio_signature
from roomkit.providers.twilio.sms import TwilioSMSProvider
from roomkit.providers.twilio.webhook import parse_twilio_status, parse_twilio_webhook
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.scripted import Reply, ScriptedApp
from tests.standins.server import serve_app
from tests.standins.twilio import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, twilio_error


def provider(app: TwilioStandIn, **fields: Any) -> TwilioSMSProvider:
    config = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+15550001111",
        base_url=app.base_url,
        retry_policy=fields.pop("retry_policy", FAST),
        **fields,
    )
    return TwilioSMSProvider(config)


async def test_send_posts_the_documented_form_with_basic_auth(twilio: TwilioStandIn) -> None:
    """One form-encoded POST to the account's Messages resource, authenticated and idempotent."""
    sms = provider(twilio, status_callback="https://hooks.example.com/twilio/status")
    sent = outbound(TextContent(body="hello"))
    result = await sms.send(sent, to="+15557654321")
    await sms.close()
    request = twilio.last
    assert (request.method, request.path) == ("POST", twilio.path)
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {credentials}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["i-twilio-idempotency-token"] == f"{sent.id}:+15557654321"
    assert twilio.forms()[-1] == [
        ("To", "+15557654321"),
        ("From", "+15550001111"),
        ("Body", "hello"),
        ("StatusCallback", "https://hooks.example.com/twilio/status"),
    ]
    assert result.success and result.provider_message_id == f"SM{1:032d}"


async def test_media_goes_as_repeated_media_urls_through_a_messaging_service(
    twilio: TwilioStandIn,
) -> None:
    """MMS: the caption is the body, each image one MediaUrl; the service replaces From."""
    sms = provider(twilio, messaging_service_sid="MG" + "1" * 32)
    parts = [
        MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png", caption="look"),
        MediaContent(url="https://cdn.example.com/b.jpg", mime_type="image/jpeg"),
    ]
    await sms.send(outbound(CompositeContent(parts=parts)), to="+15557654321")
    await sms.close()
    assert twilio.forms()[-1] == [
        ("To", "+15557654321"),
        ("MessagingServiceSid", "MG" + "1" * 32),
        ("Body", "look"),
        ("MediaUrl", "https://cdn.example.com/a.png"),
        ("MediaUrl", "https://cdn.example.com/b.jpg"),
    ]


async def test_an_invalid_number_is_a_typed_permanent_error(twilio: TwilioStandIn) -> None:
    """Twilio's 400 with code 21211 raises at once, with code and more_info, and no retry."""
    twilio.queue(twilio_error(21211, "The 'To' number +1555 is not a valid phone number.", 400))
    sms = provider(twilio)
    with pytest.raises(VendorAPIError) as caught:
        await sms.send(outbound(TextContent(body="hi")), to="+1555")
    await sms.close()
    error = caught.value
    assert (error.code, error.status_code, error.retryable) == ("21211", 400, False)
    assert error.more_info == "https://www.twilio.com/docs/errors/21211"
    assert "not a valid phone number" in str(error)
    assert len(twilio.requests) == 1


async def test_rate_limit_waits_for_retry_after_then_succeeds(twilio: TwilioStandIn) -> None:
    """A 429 is retried, no sooner than Twilio's Retry-After, with the same idempotency token."""
    twilio.queue(twilio_error(20429, "Too Many Requests", 429, {"Retry-After": "1"}))
    sms = provider(twilio)
    started = time.monotonic()
    result = await sms.send(outbound(TextContent(body="hi")), to="+15557654321")
    await sms.close()
    assert time.monotonic() - started >= 1.0
    assert result.success and len(twilio.requests) == 2
    tokens = {r.headers["i-twilio-idempotency-token"] for r in twilio.requests}
    assert len(tokens) == 1


async def test_rate_limit_gives_up_after_the_policy_retries(twilio: TwilioStandIn) -> None:
    """Retries are bounded by the policy; the last 429 is raised as retryable."""
    twilio.queue(*[twilio_error(20429, "Too Many Requests", 429)] * 3)
    sms = provider(twilio, retry_policy=RetryPolicy(max_retries=1, base_delay_seconds=0.01))
    with pytest.raises(VendorAPIError) as caught:
        await sms.send(outbound(TextContent(body="hi")), to="+15557654321")
    await sms.close()
    assert caught.value.retryable and caught.value.status_code == 429
    assert len(twilio.requests) == 2


async def test_inbound_media_is_fetched_with_credentials_only_from_twilio(
    twilio: TwilioStandIn,
) -> None:
    """Basic auth goes to the Twilio API host; its redirect to storage and any other host
    are fetched without credentials."""
    storage = ScriptedApp(default=Reply.raw(b"PNG bytes", 200, "image/png"))
    async with serve_app(storage) as storage_url:
        media_path = twilio.path.removesuffix(".json") + "/MM1/Media/ME1"
        twilio.queue(Reply(307, {"location": f"{storage_url}/bucket/ME1?sig=abc"}))
        sms = provider(twilio)
        fetched = await sms.fetch_media(twilio.base_url + media_path)
        await sms.fetch_media(storage_url + "/elsewhere")
        await sms.close()
    assert fetched == (b"PNG bytes", "image/png")
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert (twilio.last.method, twilio.last.path) == ("GET", media_path)
    assert twilio.last.headers["authorization"] == f"Basic {credentials}"
    assert [(r.path, r.query) for r in storage.requests] == [
        ("/bucket/ME1", "sig=abc"),
        ("/elsewhere", ""),
    ]
    assert all("authorization" not in r.headers for r in storage.requests)


async def test_secrets_never_reach_errors_reprs_or_logs(
    twilio: TwilioStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """The auth token is in no repr, error message or log line, even when auth fails."""
    caplog.set_level(logging.DEBUG)
    sms = provider(twilio)
    twilio.queue(
        twilio_error(20500, "Internal error", 500), twilio_error(20003, "Authenticate", 401)
    )
    with pytest.raises(ProviderError) as caught:
        await sms.send(outbound(TextContent(body="hi")), to="+15557654321")
    await sms.close()
    assert caught.value.status_code == 401
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    shown = " ".join([repr(sms.config), str(sms.config), repr(sms), str(caught.value)])
    shown += repr(caught.value) + caplog.text
    assert AUTH_TOKEN not in shown and credentials not in shown
    assert "retrying" in caplog.text  # the log was written, and is clean


# --- signatures, with twilio's own RequestValidator as the signer -------------------------


class MultiDict(dict[str, list[str]]):
    """The repeated-key form a web framework hands to RequestValidator."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def multi(pairs: list[tuple[str, str]]) -> MultiDict:
    data = MultiDict()
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


FORM = [
    ("MessageSid", "SM1"),
    ("From", "+15557654321"),
    ("Body", "hi there"),
    ("MediaUrl", "https://b.example/2"),
    ("MediaUrl", "https://a.example/1"),
    ("Empty", ""),
]
VALIDATOR = RequestValidator(AUTH_TOKEN)


@pytest.mark.parametrize(
    ("signed_url", "posted_url"),
    [
        ("https://hooks.example.com/twilio/sms", "https://hooks.example.com/twilio/sms"),
        ("https://hooks.example.com:443/twilio/sms", "https://hooks.example.com/twilio/sms"),
        ("https://hooks.example.com/twilio/sms", "https://hooks.example.com:443/twilio/sms"),
        ("http://hooks.example.com:80/sms?x=1&a=2", "http://hooks.example.com/sms?x=1&a=2"),
    ],
)
def test_form_signatures_twilio_accepts_are_accepted(signed_url: str, posted_url: str) -> None:
    """Repeated keys and the URL with or without its default port verify as Twilio's do."""
    signature = VALIDATOR.compute_signature(signed_url, multi(FORM))
    assert VALIDATOR.validate(posted_url, multi(FORM), signature)
    assert verify_twilio_signature(AUTH_TOKEN, posted_url, urlencode(FORM).encode(), signature)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda form: [*form[:2], ("Body", "changed"), *form[3:]],
        lambda form: form[:-2],  # one of the repeated values dropped
        lambda form: [*form, ("Extra", "1")],
    ],
)
def test_a_tampered_form_is_rejected_like_twilio_does(tamper: Any) -> None:
    url = "https://hooks.example.com/twilio/sms"
    signature = VALIDATOR.compute_signature(url, multi(FORM))
    changed = tamper(FORM)
    assert not VALIDATOR.validate(url, multi(changed), signature)
    assert not verify_twilio_signature(AUTH_TOKEN, url, urlencode(changed).encode(), signature)


def test_wrong_key_other_url_or_no_signature_is_rejected() -> None:
    url = "https://hooks.example.com/twilio/sms"
    body = urlencode(FORM).encode()
    signature = VALIDATOR.compute_signature(url, multi(FORM))
    assert not verify_twilio_signature("other-token", url, body, signature)
    assert not verify_twilio_signature(AUTH_TOKEN, url + "x", body, signature)
    assert not verify_twilio_signature(AUTH_TOKEN, url, body, "")


def test_json_body_is_checked_against_body_sha256() -> None:
    """The bodySHA256 variant: a valid body verifies; a tampered body fails, as in Twilio's."""
    body = '{"MessageSid":"SM1","Body":"hi"}'
    url = f"https://hooks.example.com/twilio/json?bodySHA256={VALIDATOR.compute_hash(body)}"
    signature = VALIDATOR.compute_signature(url, {})
    assert VALIDATOR.validate(url, body, signature)
    assert verify_twilio_signature(AUTH_TOKEN, url, body.encode(), signature)
    tampered = body.replace("hi", "ho")
    assert not VALIDATOR.validate(url, tampered, signature)
    assert not verify_twilio_signature(AUTH_TOKEN, url, tampered.encode(), signature)


def test_shared_key_hmac_sha256_variant() -> None:
    url = "https://hooks.example.com/twilio/sms"
    signature = VALIDATOR.compute_signature(url, multi(FORM), "HMAC_SHA256")
    body = urlencode(FORM).encode()
    assert VALIDATOR.validate(url, multi(FORM), signature, "HMAC_SHA256")
    assert verify_twilio_signature(AUTH_TOKEN, url, body, signature, algorithm="HMAC_SHA256")
    assert not verify_twilio_signature(AUTH_TOKEN, url, body, signature)


def test_provider_verifies_with_its_auth_token_and_needs_the_url() -> None:
    sms = TwilioSMSProvider(
        TwilioConfig(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+1555")
    )
    url = "https://hooks.example.com/twilio/sms"
    signature = VALIDATOR.compute_signature(url, multi(FORM))
    assert sms.verify_signature(urlencode(FORM).encode(), signature, url=url)
    with pytest.raises(InvalidArgumentError):
        sms.verify_signature(urlencode(FORM).encode(), signature)


# --- webhook bodies -----------------------------------------------------------------------


INBOUND = {
    "MessageSid": "SM" + "a" * 32,
    "AccountSid": ACCOUNT_SID,
    "From": "+15557654321",
    "To": "+15550001111",
    "Body": "photo",
    "NumMedia": "2",
    "MediaUrl0": "https://api.twilio.com/media/1",
    "MediaContentType0": "image/jpeg",
    "MediaUrl1": "https://api.twilio.com/media/2",
    "MediaContentType1": "image/png",
    "SmsStatus": "received",
}


def test_inbound_message_with_media() -> None:
    message = parse_twilio_webhook(INBOUND, "sms")
    assert message.sender_id == "+15557654321"
    assert message.idempotency_key == message.external_id == INBOUND["MessageSid"]
    assert isinstance(message.content, CompositeContent)
    text, first, second = message.content.parts
    assert isinstance(text, TextContent) and text.body == "photo"
    assert isinstance(first, MediaContent) and first.mime_type == "image/jpeg"
    assert isinstance(second, MediaContent) and str(second.url).endswith("/media/2")


def test_status_callback_is_a_delivery_status_never_an_inbound_message() -> None:
    callback = {
        "MessageSid": "SM" + "b" * 32,
        "MessageStatus": "undelivered",
        "SmsStatus": "undelivered",
        "To": "+15557654321",
        "From": "+15550001111",
        "ErrorCode": "30003",
    }
    with pytest.raises(InvalidArgumentError):
        parse_twilio_webhook(callback, "sms")
    status = parse_twilio_status(callback)
    assert (status.message_id, status.status, status.error_code) == (
        "SM" + "b" * 32,
        "failed",
        "30003",
    )
    assert parse_twilio_status({**callback, "MessageStatus": "delivered"}).status == "delivered"
    with pytest.raises(InvalidArgumentError):
        parse_twilio_status(INBOUND)


def test_a_form_without_sender_is_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        parse_twilio_webhook({"MessageSid": "SM1", "Body": "x"}, "sms")


def random_form(rng: random.Random) -> list[tuple[str, str]]:
    names = ["Body", "From", "To", "MediaUrl", "ÄÖ", "a b", "x&y", "MessageSid"]
    values = ["", "hi", "hi there", "+1555", "ü ñ 漢字", "a=b&c", "%41", "  "]
    return [(rng.choice(names), rng.choice(values)) for _ in range(rng.randint(0, 8))]


def test_random_forms_and_urls_get_the_verdict_twilio_gives() -> None:
    """Our verdict equals RequestValidator's on 300 random forms, URLs and signatures."""
    rng = random.Random(16)
    urls = [
        "https://h.example.com/sms",
        "https://h.example.com:443/sms",
        "https://h.example.com:8443/sms",
        "http://h.example.com/sms?a=1&b=",
        "http://h.example.com:80/sms?a=1&b=",
    ]
    for _ in range(300):
        form = random_form(rng)
        signed_url, posted_url = rng.choice(urls), rng.choice(urls)
        signature = VALIDATOR.compute_signature(signed_url, multi(random_form(rng)))
        if rng.random() < 0.5:
            signature = VALIDATOR.compute_signature(signed_url, multi(form))
        expected = VALIDATOR.validate(posted_url, multi(form), signature)
        ours = verify_twilio_signature(AUTH_TOKEN, posted_url, urlencode(form).encode(), signature)
        assert ours == expected, (form, signed_url, posted_url)
