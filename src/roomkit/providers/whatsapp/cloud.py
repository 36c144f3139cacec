"""WhatsAppCloudProvider — WhatsApp through Meta's Cloud API (Graph messages endpoint).

``POST {graph_url}/{api_version}/{phone_number_id}/messages`` with a Bearer token and a
JSON body ``{"messaging_product": "whatsapp", "recipient_type": "individual", "to", "type",
…}``. Free-form messages are only allowed within 24 hours of the customer's last message
(the customer-service window); outside it only templates go, and a free-form send raises
:class:`WhatsAppWindowError` before any request is made. The provider learns of inbound
messages through :meth:`note_inbound`, which the webhook receiver calls.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from roomkit.errors import ProviderError
from roomkit.models.content import TemplateContent
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.policy import RetryPolicy
from roomkit.providers._graph import GraphAPIError, GraphHTTP
from roomkit.providers.base import ProviderResult
from roomkit.providers.vendor import origin
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit.providers.whatsapp.ledger import StatusLedger, WindowLedger
from roomkit.providers.whatsapp.payloads import message_objects, template_object
from roomkit.providers.whatsapp.webhook import parse_whatsapp_webhook

__all__ = ["WhatsAppCloudConfig", "WhatsAppCloudProvider", "WhatsAppWindowError"]

PROVIDER = "whatsapp"
REENGAGEMENT_CODE = "131047"  # Graph: more than 24 hours since the customer last replied


class WhatsAppWindowError(ProviderError):
    """A free-form message to a customer outside the 24-hour window; send a template."""

    def __init__(self, to: str) -> None:
        super().__init__(
            f"{to} has not written in the last 24 hours: only a template message"
            " (TemplateContent or send_template) may be sent",
            provider=PROVIDER,
        )
        self.to = to


class WhatsAppCloudConfig(BaseModel):
    """The business phone number a Cloud API provider sends as.

    Args:
        access_token: system-user or page token (Bearer); a ``SecretStr``.
        phone_number_id: the business phone number's Graph id (not the number itself).
        app_secret: keys ``X-Hub-Signature-256`` on webhooks.
        enforce_window: refuse free-form sends outside the 24-hour window locally.
        media_hosts: origins (``scheme://host``) where Meta serves media downloads; the
            token goes to these and the Graph host only.
    """

    access_token: SecretStr
    phone_number_id: str = Field(min_length=1)
    app_secret: SecretStr | None = None
    api_version: str = "v21.0"
    graph_url: str = "https://graph.facebook.com"
    timeout: float = Field(default=30.0, gt=0)
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)
    enforce_window: bool = True
    media_hosts: tuple[str, ...] = ("https://lookaside.fbsbx.com",)

    @property
    def messages_url(self) -> str:
        """The messages endpoint of :attr:`phone_number_id`."""
        return f"{self.graph_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"


class WhatsAppCloudProvider(WhatsAppProvider):
    """Sends through the Cloud API; remembers the window and each message's furthest status.

    Raises from sends:
        WhatsAppWindowError: free-form content outside the 24-hour window (also when Graph
            answers ``131047``).
        GraphAPIError: Graph refused the message (``code``, ``subcode``, ``fbtrace_id``);
            rate limits (codes 4, 80007, 130429, HTTP 429) only once retries are spent.
    """

    def __init__(self, config: WhatsAppCloudConfig) -> None:
        self.config = config
        self.window = WindowLedger()
        self.statuses = StatusLedger()
        self._http = GraphHTTP(
            PROVIDER, config.access_token, timeout=config.timeout, retry_policy=config.retry_policy
        )

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return f"WhatsAppCloudProvider(phone_number_id={self.config.phone_number_id!r})"

    def note_inbound(self, customer: str, at: datetime) -> None:
        """``customer`` wrote at ``at``: the window to them is open for 24 hours."""
        self.window.note_inbound(customer, at)

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to`` (E.164 or a BSUID); one request per message object."""
        objects = message_objects(event.content)
        if not isinstance(event.content, TemplateContent):
            self._check_window(to)
        ids = [await self._post(to, obj, f"{event.id}:{to}:{n}") for n, obj in enumerate(objects)]
        return ProviderResult(
            success=True, provider_message_id=ids[-1], metadata={"message_ids": ids}
        )

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        """Send template ``template_name``; ``params["language"]`` defaults to ``en_US``."""
        params = dict(params or {})
        language = str(params.pop("language", "en_US"))
        message_id = await self._post(to, template_object(template_name, language, params), None)
        return ProviderResult(success=True, provider_message_id=message_id)

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` (an empty string removes the reaction) to ``message_id``;
        on the Cloud API ``chat`` is the customer and ``sender`` is unused."""
        reaction = {"type": "reaction", "reaction": {"message_id": message_id, "emoji": emoji}}
        await self._post(chat, reaction, None)

    async def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Download inbound media (``metadata["media_id"]``): ``(content, mime_type)``.

        Graph's media object gives a short-lived URL; it is fetched with the token only
        when on a :attr:`~WhatsAppCloudConfig.media_hosts` origin, and the bytes must
        hash to the object's ``sha256``.

        Raises:
            GraphAPIError: Graph or the media host answered with an error.
            ProviderError: the download does not match its ``sha256``.
        """
        graph = origin(self.config.graph_url)
        meta = (await self._http.fetch(self._graph_path(media_id), trusted_origin=graph)).json()
        url = str(meta["url"])
        trusted = origin(url) if origin(url) in self._media_origins else graph
        response = await self._http.fetch(url, trusted_origin=trusted)
        expected = meta.get("sha256")
        if expected and hashlib.sha256(response.content).hexdigest() != expected:
            raise ProviderError(f"media {media_id} does not match its sha256", provider=PROVIDER)
        return response.content, str(meta.get("mime_type") or response.headers["content-type"])

    @property
    def _media_origins(self) -> set[str]:
        return {origin(host) for host in self.config.media_hosts}

    def _graph_path(self, node: str) -> str:
        return f"{self.config.graph_url.rstrip('/')}/{self.config.api_version}/{node}"

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """The first inbound message of a webhook body (and note the window it opens).

        Raises:
            ValueError: the body carries no inbound message.
        """
        messages, _ = parse_whatsapp_webhook(payload, channel_id=PROVIDER)
        if not messages:
            raise ValueError("the WhatsApp webhook carries no message")
        for message in messages:
            self.note_inbound(message.sender_id, message_time(message))
        return messages[0]

    def _check_window(self, to: str) -> None:
        if self.config.enforce_window and not self.window.is_open(to, datetime.now(UTC)):
            raise WhatsAppWindowError(to)

    async def _post(self, to: str, message: dict[str, Any], key: str | None) -> str:
        recipient = {"to": to.removeprefix("+")} if to.startswith("+") else {"recipient": to}
        body = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        headers = {"Idempotency-Key": key} if key else {}
        try:
            response = await self._http.post(
                self.config.messages_url, json={**body, **recipient, **message}, headers=headers
            )
        except GraphAPIError as exc:
            if exc.code == REENGAGEMENT_CODE:
                raise WhatsAppWindowError(to) from exc
            raise
        messages = response.json().get("messages") or [{}]
        return str(messages[0].get("id", ""))

    async def close(self) -> None:
        await self._http.close()


def message_time(message: InboundMessage) -> datetime:
    """When the customer sent ``message`` (the webhook's ``timestamp``), else now."""
    stamp = message.metadata.get("timestamp")
    return datetime.fromtimestamp(int(stamp), UTC) if stamp else datetime.now(UTC)
