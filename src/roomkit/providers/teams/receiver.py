"""TeamsWebhook — Bot Framework Activities posted to the webhook app."""

from __future__ import annotations

from collections.abc import Mapping

from roomkit.providers.teams.bot_framework import BotFrameworkTeamsProvider
from roomkit.providers.teams.token_validation import TeamsAuthError
from roomkit.providers.teams.webhook import parse_teams_webhook
from roomkit.webhooks import Intake, WebhookReceiver, WebhookSignatureError

__all__ = ["TeamsWebhook"]


class TeamsWebhook(WebhookReceiver):
    """The bot's messaging endpoint; answers an empty 200.

    Every Activity's ``Authorization`` JWT is validated (keys fetched and cached without
    blocking the loop; missing: 401, failing: 403) before it is read. A validated
    Activity's conversation reference is stored, so replies can reach its conversation;
    a ``message`` with text becomes an inbound message keyed by the Activity id, so a
    redelivered Activity is one event.

    Args:
        provider: the bot: its app id is the tokens' audience, its store keeps references.
    """

    vendor = "teams"
    signature_header = "authorization"

    def __init__(
        self, channel_id: str, provider: BotFrameworkTeamsProvider, *, path: str | None = None
    ) -> None:
        super().__init__(channel_id, path)
        self.provider = provider

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        raise NotImplementedError("Teams tokens are checked against fetched keys: use read_async")

    async def read_async(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        try:
            activity = await self.provider.authenticate(
                body, headers.get(self.signature_header, "")
            )
        except TeamsAuthError as exc:
            raise WebhookSignatureError(self.vendor) from exc
        await self.provider.save_conversation_reference(activity)
        messages = parse_teams_webhook(activity, self.channel_id)
        return messages[0] if messages else None
