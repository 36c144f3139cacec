"""The Bot Framework Connector REST API a Teams bot talks through (I/O shell).

``POST {serviceUrl}/v3/conversations/{conversationId}/activities`` sends an Activity to a
conversation; ``POST {serviceUrl}/v3/conversations`` opens one. Both carry
``Authorization: Bearer <token>`` from :class:`BotTokenSource`. The token goes only to the
``serviceUrl`` of an Activity whose JWT passed validation (the reference store keeps no
other), never to a host a message names.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import EventContent
from roomkit.providers._content import text_and_media
from roomkit.providers.teams.credentials import BotTokenSource
from roomkit.providers.vendor import VendorAPIError, VendorHTTP

__all__ = ["BotConnector", "message_activity", "reference_of"]


def reference_of(activity: dict[str, Any]) -> dict[str, Any]:
    """The conversation reference of an inbound Activity, in the Bot Framework's shape."""
    return {
        "activityId": activity.get("id"),
        "user": activity.get("from", {}),
        "bot": activity.get("recipient", {}),
        "conversation": activity.get("conversation", {}),
        "channelId": activity.get("channelId", "msteams"),
        "serviceUrl": activity.get("serviceUrl", ""),
        "locale": activity.get("locale"),
    }


def message_activity(content: EventContent, reference: dict[str, Any]) -> dict[str, Any]:
    """A ``message`` Activity carrying ``content`` into ``reference``'s conversation.

    Media go as attachments by URL (``contentUrl``), which Teams renders for images.

    Raises:
        InvalidArgumentError: nothing to send.
    """
    text, media = text_and_media(content)
    if not text and not media:
        raise InvalidArgumentError("event.content", content.type, "text or media")
    activity: dict[str, Any] = {
        "type": "message",
        "from": reference.get("bot", {}),
        "recipient": reference.get("user", {}),
        "conversation": reference.get("conversation", {}),
    }
    if text:
        activity |= {"text": text, "textFormat": "plain"}
    if media:
        activity["attachments"] = [_attachment(url, content) for url in media]
    return activity


def _attachment(url: str, content: EventContent) -> dict[str, str]:
    types = {str(getattr(p, "url", "")): getattr(p, "mime_type", "") for p in _parts(content)}
    return {"contentType": types.get(url) or "application/octet-stream", "contentUrl": url}


def _parts(content: EventContent) -> list[EventContent]:
    parts = getattr(content, "parts", None)
    return [p for part in parts for p in _parts(part)] if parts else [content]


class BotConnector:
    """Posts to the Connector of a ``serviceUrl`` as the bot."""

    def __init__(self, http: VendorHTTP, tokens: BotTokenSource) -> None:
        self._http = http
        self._tokens = tokens

    async def post(self, service_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``{service_url}{path}``; the JSON answer (``{}`` when empty).

        Raises:
            VendorAPIError: the Connector or the token endpoint answered with an error.
        """
        token = await self._tokens.token()
        response = await self._http.post(
            service_url.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {}

    async def send_activity(
        self, service_url: str, conversation_id: str, activity: dict[str, Any]
    ) -> str | None:
        """Send ``activity`` into ``conversation_id``; the id the Connector gave it."""
        path = f"/v3/conversations/{quote(conversation_id, safe='')}/activities"
        answer = await self.post(service_url, path, activity)
        return answer.get("id")

    async def create_conversation(self, service_url: str, parameters: dict[str, Any]) -> str:
        """Open a conversation (``ConversationParameters``); its id.

        Raises:
            VendorAPIError: refused, or answered without an id.
        """
        answer = await self.post(service_url, "/v3/conversations", parameters)
        conversation_id = answer.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            raise VendorAPIError(
                "the Connector created a conversation without an id", provider="teams"
            )
        return conversation_id
