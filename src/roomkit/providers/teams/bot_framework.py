"""BotFrameworkTeamsProvider — a Teams bot on the Bot Framework Connector REST API.

Outbound: a ``message`` Activity to ``{serviceUrl}/v3/conversations/{id}/activities``,
addressed from the conversation reference stored when the bot last heard from that
conversation, with a client-credentials bearer token (cached until it expires). Inbound:
the Activity's ``Authorization`` JWT is validated against the Bot Framework's published
keys (see :mod:`~roomkit.providers.teams.token_validation`) before anything is read.
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import ProviderError
from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult
from roomkit.providers.teams.base import TeamsProvider
from roomkit.providers.teams.config import TeamsConfig
from roomkit.providers.teams.connector import BotConnector, message_activity, reference_of
from roomkit.providers.teams.conversation_store import (
    ConversationReferenceStore,
    InMemoryConversationReferenceStore,
)
from roomkit.providers.teams.credentials import BotTokenSource, read_microsoft_error
from roomkit.providers.teams.token_validation import BotFrameworkTokenValidator, TeamsAuthError
from roomkit.providers.vendor import VendorHTTP

__all__ = ["BotFrameworkTeamsProvider"]

PROVIDER = "teams"


class BotFrameworkTeamsProvider(TeamsProvider):
    """Sends as one bot registration and validates the tokens of Activities sent to it.

    Args:
        config: app id and password (certificate auth is not supported: a config without
            ``app_password`` is refused).
        conversation_store: where conversation references live (in memory by default).

    Raises from :meth:`send`:
        ProviderError: no reference is stored for the conversation (the bot must hear
            from it, or open it, first).
        VendorAPIError: the Connector or the token endpoint refused (a 401/403 for bad
            credentials, 404 for an unknown conversation); a 429 or 5xx only once the
            config's ``retry_policy`` gives up.
    """

    def __init__(
        self, config: TeamsConfig, *, conversation_store: ConversationReferenceStore | None = None
    ) -> None:
        self.config = config
        self._store = conversation_store or InMemoryConversationReferenceStore()
        self._http = VendorHTTP(
            PROVIDER,
            read_microsoft_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
        )
        self._connector = BotConnector(self._http, BotTokenSource(config, self._http))
        self.validator = BotFrameworkTokenValidator(
            config.app_id, config.openid_metadata_url, self._http, leeway=config.clock_leeway
        )

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def adapter(self) -> BotConnector:
        """The Connector client this provider sends through."""
        return self._connector

    @property
    def conversation_store(self) -> ConversationReferenceStore:
        return self._store

    def __repr__(self) -> str:
        return f"BotFrameworkTeamsProvider(app_id={self.config.app_id!r})"

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` into conversation ``to``; the result holds the new Activity's id."""
        reference = await self._store.get(to)
        if reference is None:
            raise ProviderError(
                f"no conversation reference for Teams conversation {to!r}: the bot must "
                "receive an Activity from it (or open it) before sending",
                provider=PROVIDER,
            )
        activity = message_activity(event.content, reference)
        activity_id = await self._connector.send_activity(reference["serviceUrl"], to, activity)
        return ProviderResult(success=True, provider_message_id=activity_id)

    async def save_conversation_reference(self, activity_dict: dict[str, Any]) -> None:
        """Store the reference of an inbound Activity (validated first: its ``serviceUrl``
        is where the bot's token will be sent)."""
        reference = reference_of(activity_dict)
        conversation_id = reference["conversation"].get("id")
        if conversation_id and reference["serviceUrl"]:
            await self._store.save(conversation_id, reference)

    async def create_personal_conversation(
        self, service_url: str, user_id: str, *, tenant_id: str | None = None
    ) -> str:
        """Open a one-to-one chat with ``user_id``; store its reference and return its id."""
        members = [{"id": user_id}]
        return await self._create(service_url, {"isGroup": False, "members": members}, tenant_id)

    async def create_channel_conversation(
        self, service_url: str, channel_id: str, *, tenant_id: str | None = None
    ) -> str:
        """Open a thread in Teams channel ``channel_id``; store its reference and return its id."""
        parameters = {"isGroup": True, "channelData": {"channel": {"id": channel_id}}}
        return await self._create(service_url, parameters, tenant_id)

    async def _create(
        self, service_url: str, parameters: dict[str, Any], tenant_id: str | None
    ) -> str:
        bot = {"id": self.config.app_id}
        tenant = tenant_id or (None if self.config.tenant_id == "common" else self.config.tenant_id)
        body: dict[str, Any] = {"bot": bot, **parameters}
        if tenant:
            body["tenantId"] = tenant
            body["channelData"] = {**body.get("channelData", {}), "tenant": {"id": tenant}}
        conversation_id = await self._connector.create_conversation(service_url, body)
        members = parameters.get("members") or [{}]
        reference = {
            "bot": bot, "user": members[0], "conversation": {"id": conversation_id},
            "channelId": "msteams", "serviceUrl": service_url,
        }  # fmt: skip
        await self._store.save(conversation_id, reference)
        return conversation_id

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (the ``Authorization`` header) proves ``payload`` came
        from the Bot Framework, with the signing keys already fetched.

        Keys are fetched by awaiting :meth:`authenticate` (the webhook app does); until
        then this answers False rather than block on I/O.
        """
        try:
            activity = _activity(payload)
            self.validator.validate_cached(signature, *_claims_to_match(activity))
        except (TeamsAuthError, ValueError):
            return False
        return True

    async def authenticate(self, payload: bytes, authorization: str) -> dict[str, Any]:
        """The Activity in ``payload`` once its token passes; fetches keys as needed.

        Raises:
            TeamsAuthError: the token fails a check.
            ValueError: ``payload`` is not an Activity.
        """
        activity = _activity(payload)
        await self.validator.validate(authorization, *_claims_to_match(activity))
        return activity

    async def close(self) -> None:
        await self._http.close()


def _activity(payload: bytes) -> dict[str, Any]:
    data = json.loads(payload)
    if not isinstance(data, dict) or not isinstance(data.get("serviceUrl"), str):
        raise ValueError("expected a Bot Framework Activity: a JSON object with a serviceUrl")
    return data


def _claims_to_match(activity: dict[str, Any]) -> tuple[str, str]:
    return activity["serviceUrl"], str(activity.get("channelId") or "msteams")
