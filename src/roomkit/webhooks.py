"""One ASGI app that takes vendors' webhooks into a kit (Starlette, ``roomkit[webhooks]``).

    app = create_webhook_app(kit, [
        TwilioWebhook("sms", auth_token=..., public_url="https://hooks.example.com"),
        TelnyxWebhook("sms-telnyx", public_key=...),
        StandardWebhook("partner", secret="whsec_..."),
    ])
    # uvicorn module:app, or mount it inside a larger Starlette / FastAPI app

Each receiver owns one ``POST`` path (and its ``GET``, for a vendor's subscription
check such as Meta's ``hub.challenge``). A request travels: signature check (a missing
signature answers 401, a wrong one 403; neither reaches a room) → read the body (a
malformed one answers 400 with one log line) → a message goes to ``kit.process_inbound``,
a delivery status to ``kit.process_delivery_status`` → the vendor gets the answer it
expects. Redeliveries carry the vendor's message id as the idempotency key, so the store
keeps one event however often a webhook arrives, across processes sharing the store. The
answer is sent after the event is stored: a vendor that got a 2xx never loses a message.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from roomkit._extras import require
from roomkit.errors import RoomKitError
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.http.signature import DEFAULT_TOLERANCE, signing_key, verify_webhook
from roomkit.providers.http.webhook import parse_http_webhook
from roomkit.providers.telnyx.signature import verify_key, verify_telnyx_signature
from roomkit.providers.telnyx.webhook import (
    RECEIVED,
    is_telnyx_status,
    parse_telnyx_status,
    parse_telnyx_webhook,
)
from roomkit.providers.twilio.signature import (
    signature_algorithm,
    signed_params,
    verify_twilio_params,
)
from roomkit.providers.twilio.webhook import (
    is_twilio_status,
    parse_twilio_status,
    parse_twilio_webhook,
)

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from roomkit.kit import RoomKit

__all__ = [
    "StandardWebhook",
    "TelnyxWebhook",
    "TwilioWebhook",
    "WebhookReceiver",
    "WebhookSignatureError",
    "create_webhook_app",
]

logger = logging.getLogger(__name__)

Intake = InboundMessage | DeliveryStatus | Sequence[InboundMessage | DeliveryStatus] | None


class WebhookSignatureError(RoomKitError):
    """A webhook's signature does not fit its body, URL or time; it is answered 403."""

    def __init__(self, vendor: str) -> None:
        super().__init__(f"the {vendor} webhook signature does not fit the request")


class WebhookReceiver(ABC):
    """One vendor endpoint: how its requests are verified, read and answered.

    Args:
        channel_id: the kit channel inbound messages are filed under.
        path: the URL path this receiver answers ``POST`` on.
    """

    vendor = ""
    signature_header = ""  # its absence is a 401, a wrong value a 403
    ack_status = 200
    ack_body = b""
    ack_media_type = "text/plain"

    def __init__(self, channel_id: str, path: str | None = None) -> None:
        self.channel_id = channel_id
        self.path = path or f"/webhooks/{self.vendor}/{channel_id}"

    def has_credentials(self, headers: Mapping[str, str], url: str) -> bool:
        """Whether the request carries credentials at all (without them: 401).

        By default: the ``signature_header``. A vendor that signs nothing (a secret in
        the URL instead) overrides it.
        """
        return self.signature_header in headers

    @abstractmethod
    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        """Verify the request, then return the message or status it carries.

        ``url`` is the URL as the client requested it. None means an event the kit ignores.

        Raises:
            WebhookSignatureError: the signature does not fit (checked before the body is
                interpreted, so an unsigned body is never parsed as a message).
            ValueError: the body is not what the vendor documents.
        """

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """The body answering a ``GET`` on :attr:`path` (a vendor's subscription check, such
        as Meta's ``hub.challenge``), or None to refuse it with 403. Receivers that leave
        this as is get no ``GET`` route."""
        return None

    async def read_async(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        """What the app calls: :meth:`read`, unless verification needs I/O (fetched keys).

        Override it (same contract as :meth:`read`) for such a vendor.
        """
        return self.read(body, headers, url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(channel_id={self.channel_id!r}, path={self.path!r})"


class TwilioWebhook(WebhookReceiver):
    """Twilio messaging webhooks and status callbacks; answers an empty TwiML ``<Response/>``.

    Args:
        auth_token: the account's auth token (the HMAC-SHA1 key).
        public_url: scheme and host Twilio calls (``https://hooks.example.com``), when the
            app runs behind a proxy that changes them; the signature covers the full URL.
        shared_key: the SharedKey secret, for webhooks signed with HMAC-SHA256.
    """

    vendor = "twilio"
    signature_header = "x-twilio-signature"
    ack_body = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    ack_media_type = "text/xml"

    def __init__(
        self,
        channel_id: str,
        auth_token: str,
        *,
        public_url: str | None = None,
        shared_key: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, path)
        self._auth_token = auth_token
        self._shared_key = shared_key
        self.public_url = public_url.rstrip("/") if public_url else None

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        # The form is parsed once: its fields are both what is signed and what is read.
        params = signed_params(self._signed_url(url), body)
        if params is None or not self._verified(params, headers, url):
            raise WebhookSignatureError(self.vendor)
        form = _json_object(body) if "bodySHA256=" in url else dict(params)
        if is_twilio_status(form):
            return parse_twilio_status(form)
        return self.parse_message(form)

    def parse_message(self, form: dict[str, Any]) -> InboundMessage:
        """An incoming message's form as a message (RCS strips the ``rcs:`` prefix)."""
        return parse_twilio_webhook(form, self.channel_id)

    def _verified(
        self, params: list[tuple[str, str]], headers: Mapping[str, str], url: str
    ) -> bool:
        algorithm = signature_algorithm(headers.get("x-twilio-webhooks-signature-settings"))
        key = self._auth_token if algorithm == "HMAC_SHA1" else self._shared_key
        signature = headers.get(self.signature_header, "")
        return key is not None and verify_twilio_params(
            key, self._signed_url(url), params, signature, algorithm=algorithm
        )

    def _signed_url(self, url: str) -> str:
        if not self.public_url:
            return url
        parts = urlsplit(url)
        return self.public_url + parts.path + (f"?{parts.query}" if parts.query else "")


class TelnyxWebhook(WebhookReceiver):
    """Telnyx messaging webhooks (Ed25519-signed); answers 200 as soon as the event is stored.

    Args:
        public_key: the account's base64 Ed25519 public key.
        tolerance: seconds a ``telnyx-timestamp`` may be from now.

    Raises:
        ValueError: ``public_key`` is not a base64 Ed25519 public key.
    """

    vendor = "telnyx"
    signature_header = "telnyx-signature-ed25519"

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
        verify_key(public_key)  # a bad key or missing PyNaCl fails here, not per webhook

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        signature = headers.get(self.signature_header, "")
        stamp = headers.get("telnyx-timestamp")
        if not verify_telnyx_signature(
            self.public_key, body, signature, stamp, tolerance=self.tolerance
        ):
            raise WebhookSignatureError(self.vendor)
        payload = _json_object(body)
        if is_telnyx_status(payload):
            return parse_telnyx_status(payload)
        data = payload.get("data")
        if isinstance(data, dict) and data.get("event_type") not in (RECEIVED, None):
            return None  # other Telnyx events (calls, number orders) are not messages
        return parse_telnyx_webhook(payload, self.channel_id)


class StandardWebhook(WebhookReceiver):
    """The generic HTTP channel: Standard Webhooks signatures and a replay window.

    The body is read by :func:`~roomkit.providers.http.webhook.parse_http_webhook`; without
    an ``external_id`` the ``webhook-id`` keys idempotency, so a retried delivery is one event.

    Args:
        secret: ``whsec_<base64>`` (or a plain string used as its bytes).
        tolerance: seconds a ``webhook-timestamp`` may be from now.
    """

    vendor = "http"
    signature_header = "webhook-signature"
    ack_status = 204

    def __init__(
        self,
        channel_id: str,
        secret: str,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, path)
        self._key = signing_key(secret)
        self.tolerance = tolerance

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        if not verify_webhook(self._key, body, headers, tolerance=self.tolerance):
            raise WebhookSignatureError(self.vendor)
        message = parse_http_webhook(_json_object(body), self.channel_id)
        if message.idempotency_key is None:
            message = message.model_copy(update={"idempotency_key": headers["webhook-id"]})
        return message


def _json_object(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def create_webhook_app(kit: RoomKit, receivers: Sequence[WebhookReceiver]) -> Starlette:
    """A Starlette app with one ``POST`` route per receiver.

    Raises:
        ImportError: Starlette is missing (``pip install 'roomkit[webhooks]'``).
        ValueError: two receivers share a path.
    """
    applications = require("starlette.applications", "webhooks")
    routing = require("starlette.routing", "webhooks")
    paths = [r.path for r in receivers]
    if len(set(paths)) != len(paths):
        raise ValueError(f"webhook receivers need distinct paths, got {paths}")
    routes = [
        routing.Route(r.path, _endpoint(kit, r), methods=_methods(r), name=r.path)
        for r in receivers
    ]
    app: Starlette = applications.Starlette(routes=routes)
    return app


def _methods(receiver: WebhookReceiver) -> list[str]:
    handshakes = type(receiver).handshake is not WebhookReceiver.handshake
    return ["GET", "POST"] if handshakes else ["POST"]


def _endpoint(kit: RoomKit, receiver: WebhookReceiver) -> Any:
    responses = require("starlette.responses", "webhooks")

    def answer(status: int, body: bytes = b"", media_type: str = "text/plain") -> Response:
        response: Response = responses.Response(body, status_code=status, media_type=media_type)
        return response

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            challenge = receiver.handshake(request.query_params)
            if challenge is None:
                logger.warning("%r: subscription check refused", receiver)
                return answer(403, b"verification failed")
            return answer(200, challenge.encode())
        body = await request.body()
        headers = request.headers
        if not receiver.has_credentials(headers, str(request.url)):
            logger.warning("%r: request without credentials refused", receiver)
            return answer(401, b"missing signature")
        try:
            intake = await receiver.read_async(body, headers, str(request.url))
        except WebhookSignatureError:
            logger.warning("%r: request with a wrong signature refused", receiver)
            return answer(403, b"bad signature")
        except ValueError as exc:
            logger.warning("%r: malformed webhook refused: %s", receiver, exc)
            return answer(400, f"malformed webhook: {exc}".encode())
        await _deliver(kit, receiver, intake)
        return answer(receiver.ack_status, receiver.ack_body, receiver.ack_media_type)

    return endpoint


async def _deliver(kit: RoomKit, receiver: WebhookReceiver, intake: Intake) -> None:
    if isinstance(intake, Sequence):
        for item in intake:  # a vendor batching several events in one body
            await _deliver(kit, receiver, item)
    elif isinstance(intake, DeliveryStatus):
        await kit.process_delivery_status(
            intake.model_copy(update={"channel_id": receiver.channel_id})
        )
    elif intake is not None:
        await kit.process_inbound(intake)
