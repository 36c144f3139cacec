"""SendGrid's Inbound Parse webhook: signed ``multipart/form-data`` mail into a room.

SendGrid posts each received email as a form: with "POST the raw, full MIME message" one
``email`` field holds it; otherwise ``headers`` (the raw header block), ``text``, ``html``
and files ``attachment1`` … ``attachmentN``. Under a signature security policy the request
carries ``X-Twilio-Email-Event-Webhook-Signature`` (base64 ECDSA P-256 / SHA-256 over
``timestamp + body``) and ``X-Twilio-Email-Event-Webhook-Timestamp``, checked here against
the policy's public key and a freshness window, before the body is read.
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import time
from collections.abc import Mapping
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from roomkit._extras import require
from roomkit.models.content import MediaContent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.email.inbound import attachment_content, mail_to_inbound, parse_email
from roomkit.providers.http.signature import DEFAULT_TOLERANCE
from roomkit.webhooks import Intake, WebhookReceiver, WebhookSignatureError

__all__ = ["SendGridInboundParseWebhook", "verify_sendgrid_signature"]

SIGNATURE = "x-twilio-email-event-webhook-signature"
TIMESTAMP = "x-twilio-email-event-webhook-timestamp"
_PARSER = BytesParser(policy=email.policy.default)


def verify_sendgrid_signature(
    public_key: str,
    body: bytes,
    signature: str,
    timestamp: str | None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` signs ``timestamp + body`` under ``public_key`` (base64 DER).

    A timestamp further than ``tolerance`` seconds from now is refused (a replay).
    """
    try:
        stamp = float(timestamp or "")
        raw_signature = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    ec = require("cryptography.hazmat.primitives.asymmetric.ec", "email")
    hashes = require("cryptography.hazmat.primitives.hashes", "email")
    exceptions = require("cryptography.exceptions", "email")
    key = _public_key(public_key)
    try:
        key.verify(raw_signature, str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    except exceptions.InvalidSignature:
        return False
    return True


def _public_key(public_key: str) -> Any:
    serialization = require("cryptography.hazmat.primitives.serialization", "email")
    key: Any = serialization.load_der_public_key(base64.b64decode(public_key))
    return key


class SendGridInboundParseWebhook(WebhookReceiver):
    """Inbound Parse posts, verified with the security policy's public key.

    Args:
        public_key: the policy's verification key (base64 DER, as SendGrid shows it).
        tolerance: seconds the signed timestamp may be from now.

    Raises:
        ValueError: ``public_key`` is not a base64 EC public key.
    """

    vendor = "sendgrid"
    signature_header = SIGNATURE

    def __init__(
        self,
        channel_id: str,
        public_key: str,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, path)
        self.public_key = public_key
        self.tolerance = tolerance
        try:
            _public_key(public_key)  # a bad key fails here, not on every webhook
        except (ValueError, binascii.Error):
            raise ValueError("public_key must be the base64 DER key SendGrid shows") from None

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        signature, stamp = headers.get(SIGNATURE, ""), headers.get(TIMESTAMP)
        if not verify_sendgrid_signature(
            self.public_key, body, signature, stamp, tolerance=self.tolerance
        ):
            raise WebhookSignatureError(self.vendor)
        return self.parse_body(body, headers)

    def parse_body(self, body: bytes, headers: Mapping[str, str]) -> Intake:
        """What a verified request carries: here the mail of an Inbound Parse form."""
        return parse_inbound_form(body, headers.get("content-type", ""), self.channel_id)


def parse_inbound_form(body: bytes, content_type: str, channel_id: str) -> InboundMessage:
    """The mail an Inbound Parse form carries (raw ``email`` field or parsed fields).

    Raises:
        ValueError: not a multipart form, or a form without a raw mail or ``headers``.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError(f"expected multipart/form-data, got {content_type or 'no type'!r}")
    form = _PARSER.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, EmailMessage] = {}
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(part, EmailMessage) and isinstance(name, str):
            fields[name] = part
    if "email" in fields:
        return parse_email(_bytes(fields["email"]), channel_id)
    if "headers" not in fields:
        raise ValueError("an Inbound Parse form needs an 'email' or a 'headers' field")
    head = _PARSER.parsebytes(_bytes(fields["headers"]).rstrip(b"\r\n") + b"\r\n\r\n")
    assert isinstance(head, EmailMessage)  # the default policy builds EmailMessage
    files = [_file(part) for name, part in fields.items() if name.startswith("attachment")]
    text = _bytes(fields["text"]).decode() if "text" in fields else None
    html = _bytes(fields["html"]).decode() if "html" in fields else None
    return mail_to_inbound(head, channel_id, text, html, [f for f in files if f is not None])


def _bytes(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _file(part: EmailMessage) -> MediaContent | None:
    if part.get_filename() is None:
        return None  # attachment-info and other plain fields
    return attachment_content(_bytes(part), part.get_content_type(), part.get_filename())
