"""SendGrid's Event Webhook: delivery news about sent mail as delivery statuses.

SendGrid posts a JSON array of events, signed like Inbound Parse
(``X-Twilio-Email-Event-Webhook-Signature`` over ``timestamp + body``). Each event names
the message by ``smtp-id``, the ``Message-ID`` the kit generated and returned as the
send's ``provider_message_id``, so a status matches its send. ``processed`` and
``deferred`` read as queued, ``delivered`` as delivered, ``open`` as read, ``bounce``,
``dropped`` and ``blocked`` as failed; engagement events (clicks, unsubscribes) are not
delivery news and are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.delivery import DeliveryStatus
from roomkit.providers.email.receiver import SendGridInboundParseWebhook
from roomkit.webhooks import Intake

__all__ = ["SendGridEventWebhook", "parse_sendgrid_events"]

PROVIDER = "sendgrid"
_STATUS = {
    "processed": "queued",
    "deferred": "queued",
    "delivered": "delivered",
    "open": "read",
    "bounce": "failed",
    "dropped": "failed",
    "blocked": "failed",
}


def parse_sendgrid_events(events: Any) -> list[DeliveryStatus]:
    """The delivery statuses in an Event Webhook body (engagement events skipped).

    Raises:
        InvalidArgumentError: ``events`` is not a list of event objects.
    """
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise InvalidArgumentError("events", type(events).__name__, "a JSON array of objects")
    return [_status(e) for e in events if e.get("event") in _STATUS and e.get("smtp-id")]


def _status(event: dict[str, Any]) -> DeliveryStatus:
    word = _STATUS[str(event["event"])]
    failed = word == "failed"
    stamp = event.get("timestamp")
    return DeliveryStatus(
        provider=PROVIDER,
        message_id=str(event["smtp-id"]),
        status=word,
        recipient=str(event.get("email", "")),
        error_code=str(event.get("status")) if failed and event.get("status") else None,
        error_message=str(event.get("reason")) if failed and event.get("reason") else None,
        timestamp=datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int | float) else None,
        raw=dict(event),
    )


class SendGridEventWebhook(SendGridInboundParseWebhook):
    """The signed Event Webhook; every delivery event of the batch is reported in order.

    Its ``channel_id`` is the email channel the statuses are filed under.
    """

    vendor = "sendgrid-events"

    def parse_body(self, body: bytes, headers: Mapping[str, str]) -> Intake:
        return parse_sendgrid_events(json.loads(body))
