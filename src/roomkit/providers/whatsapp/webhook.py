"""parse_whatsapp_webhook — a WhatsApp Cloud API webhook body, read (Sans-I/O).

Check ``X-Hub-Signature-256`` first. The body is ``{"object": "whatsapp_business_account",
"entry": [{"changes": [{"field": "messages", "value": {"metadata", "contacts",
"messages", "statuses"}}]}]}``; one body may batch several messages and statuses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from roomkit.models.content import EventContent, LocationContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage

__all__ = ["parse_whatsapp_webhook"]

PROVIDER = "whatsapp"
_MEDIA = ("image", "video", "audio", "voice", "document", "sticker")


def parse_whatsapp_webhook(
    payload: dict[str, Any], channel_id: str
) -> tuple[list[InboundMessage], list[DeliveryStatus]]:
    """``(messages, statuses)`` of a webhook body; kinds with no room form are skipped.

    The sender is the E.164 phone (``+`` and ``from``) when WhatsApp shares it, otherwise
    the business-scoped user id (``user_id`` / ``from_user_id``), kept in
    ``metadata["user_id"]`` either way. The ``wamid…`` keys idempotency. Media arrive as
    ids: the content's URL is the Graph media object, ``metadata["media_id"]`` its id.

    Raises:
        ValueError: the body is not a WhatsApp Business Account webhook.
    """
    if payload.get("object") != "whatsapp_business_account":
        kind = payload.get("object")
        raise ValueError(f"expected object whatsapp_business_account, got {kind!r}")
    messages: list[InboundMessage] = []
    statuses: list[DeliveryStatus] = []
    for entry in _list(payload, "entry"):
        for change in _list(entry, "changes"):
            value = change.get("value") or {}
            contacts = _list(value, "contacts")
            messages += [
                m for raw in _list(value, "messages") if (m := _message(raw, contacts, channel_id))
            ]
            statuses += [_status(raw) for raw in _list(value, "statuses")]
    return messages, statuses


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"{key} must be a list of objects")
    return items


def _message(
    raw: dict[str, Any], contacts: list[dict[str, Any]], channel_id: str
) -> InboundMessage | None:
    content = _content(raw)
    if content is None or "id" not in raw:
        return None
    contact = _contact(raw, contacts)
    user_id = raw.get("from_user_id") or contact.get("user_id")
    phone = raw.get("from") or contact.get("wa_id")
    sender = f"+{phone.removeprefix('+')}" if phone else user_id
    if not sender:
        raise ValueError(f"message {raw['id']} names no sender (from or user_id)")
    media: dict[str, Any] = next((raw[k] for k in _MEDIA if isinstance(raw.get(k), dict)), {})
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=content,
        external_id=raw["id"],
        idempotency_key=raw["id"],
        metadata={
            "user_id": user_id,
            "profile_name": (contact.get("profile") or {}).get("name"),
            "timestamp": raw.get("timestamp"),
            "media_id": media.get("id"),
            "context_id": (raw.get("context") or {}).get("id"),
        },
    )


def _contact(raw: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    for contact in contacts:
        if raw.get("from") in (contact.get("wa_id"), None) or (
            raw.get("from_user_id") == contact.get("user_id")
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _content(raw: dict[str, Any]) -> EventContent | None:
    kind = raw.get("type")
    if kind == "text":
        return TextContent(body=str((raw.get("text") or {}).get("body", "")))
    if kind in _MEDIA and isinstance(raw.get(kind), dict):
        media = raw[kind]
        return MediaContent(
            url=f"https://graph.facebook.com/{media['id']}",
            mime_type=str(media.get("mime_type") or f"{kind}/*"),
            filename=media.get("filename"),
            caption=media.get("caption"),
        )
    if kind == "location" and isinstance(raw.get("location"), dict):
        where = raw["location"]
        return LocationContent(
            latitude=float(where["latitude"]),
            longitude=float(where["longitude"]),
            label=where.get("name"),
            address=where.get("address"),
        )
    if kind in ("button", "interactive"):
        return TextContent(body=_reply_text(raw))
    return None  # reactions, system notices, unsupported kinds


def _reply_text(raw: dict[str, Any]) -> str:
    if raw.get("type") == "button":
        return str((raw.get("button") or {}).get("text", ""))
    reply = raw.get("interactive") or {}
    chosen = reply.get("button_reply") or reply.get("list_reply") or {}
    return str(chosen.get("title", ""))


def _status(raw: dict[str, Any]) -> DeliveryStatus:
    errors = raw.get("errors") or [{}]
    stamp = raw.get("timestamp")
    return DeliveryStatus(
        provider=PROVIDER,
        message_id=str(raw.get("id", "")),
        status=str(raw.get("status", "")),
        recipient=str(raw.get("recipient_id") or raw.get("recipient_user_id") or ""),
        error_code=None if errors[0].get("code") is None else str(errors[0]["code"]),
        error_message=errors[0].get("title") or errors[0].get("message"),
        timestamp=datetime.fromtimestamp(int(stamp), UTC) if stamp else None,
        raw=raw,
    )
