"""ElasticEmailProvider — room events as email through Elastic Email's v2 ``email/send``.

``POST {base_url}`` with the form fields ``apikey``, ``from``, ``fromName``, ``to``,
``subject``, ``bodyText``, ``bodyHtml`` (HTML rich content) and ``isTransactional``;
with attachments the same fields go as ``multipart/form-data`` with one file each. The
API answers ``{"success": true, "data": {"transactionid", "messageid"}}``; a refusal is
``{"success": false, "error": "..."}``, often with HTTP 200, and is raised as
:class:`~roomkit.providers.vendor.VendorAPIError`.
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult
from roomkit.providers.elasticemail.config import ElasticEmailConfig
from roomkit.providers.email.base import EmailProvider
from roomkit.providers.email.compose import event_parts, load_attachment, room_event_subject
from roomkit.providers.vendor import VendorAPIError, VendorHTTP

__all__ = ["ElasticEmailProvider"]

PROVIDER = "elasticemail"


def read_elasticemail_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, more_info)`` of an ElasticEmail answer (``error`` is the text)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    if isinstance(data, dict) and data.get("error"):
        return None, str(data["error"])[:300], None
    return None, str(data)[:300], None


class ElasticEmailProvider(EmailProvider):
    """Sends email as an Elastic Email account.

    Raises from :meth:`send`:
        VendorAPIError: Elastic Email refused the message (bad key, unverified sender, bad
            recipient); a 429 or 5xx only once the config's ``retry_policy`` gives up.
        InvalidArgumentError: ``to`` is not an address, or an attachment cannot be read.
    """

    def __init__(self, config: ElasticEmailConfig) -> None:
        self.config = config
        self._http = VendorHTTP(
            PROVIDER,
            read_elasticemail_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
        )

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return f"ElasticEmailProvider(from_email={self.config.from_email!r})"

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        """Send ``event`` to ``to``; the result holds Elastic Email's ``messageid``."""
        if "@" not in to:
            raise InvalidArgumentError("to", to, "an email address")
        parts = event_parts(event.content)
        fields = self._fields(to, from_, room_event_subject(event, subject, None))
        fields["bodyText"] = parts.text
        if parts.html is not None:
            fields["bodyHtml"] = parts.html
        files = [
            await load_attachment(item, i, self.config.timeout)
            for i, item in enumerate(parts.media, 1)
        ]
        request: dict[str, Any] = {"data": fields}
        if files:
            request["files"] = [
                (f"attachment{i}", (f.filename, f.data, f.mime_type))
                for i, f in enumerate(files, 1)
            ]
        response = await self._http.post(self.config.base_url, **request)
        return ProviderResult(success=True, provider_message_id=self._message_id(response.content))

    def _fields(self, to: str, from_: str | None, subject: str) -> dict[str, str]:
        fields = {
            "apikey": self.config.api_key.get_secret_value(),
            "from": from_ or self.config.from_email,
            "to": to,
            "subject": subject,
            "isTransactional": "true" if self.config.is_transactional else "false",
        }
        if self.config.from_name:
            fields["fromName"] = self.config.from_name
        return fields

    def _message_id(self, body: bytes) -> str | None:
        try:
            answer: Any = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("success") is not True:
            _, message, _ = read_elasticemail_error(body)
            raise VendorAPIError(
                f"{PROVIDER} refused the message: {message}", provider=PROVIDER, status_code=200
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            return None
        return str(data.get("messageid") or data.get("transactionid") or "") or None

    async def close(self) -> None:
        """Close the connection pool. Idempotent."""
        await self._http.close()
