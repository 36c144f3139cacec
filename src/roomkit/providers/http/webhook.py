"""parse_http_webhook — a generic JSON webhook body as an InboundMessage (Sans-I/O)."""

from __future__ import annotations

from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import TextContent
from roomkit.models.inbound import InboundMessage

__all__ = ["parse_http_webhook"]


def parse_http_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """Read ``{"sender_id", "body", "external_id"?, "metadata"?}`` into a message.

    ``external_id`` also keys idempotency, so a re-sent webhook is stored once.

    Raises:
        InvalidArgumentError: ``sender_id`` is missing or not a non-empty string, or
            ``metadata`` is not an object.
    """
    sender = payload.get("sender_id")
    if not isinstance(sender, str) or not sender:
        raise InvalidArgumentError("sender_id", sender, "a non-empty string in the JSON body")
    metadata = payload.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidArgumentError("metadata", metadata, "a JSON object")
    external_id = payload.get("external_id")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=TextContent(body=str(payload.get("body", ""))),
        external_id=external_id,
        idempotency_key=external_id,
        metadata=metadata,
    )
