"""Factories for the built-in transports: each a TransportChannel with its kind's data.

Recipient keys (binding metadata): SMS, RCS, WhatsApp → ``phone_number``; email →
``email_address``; the others → ``recipient_id``.

``provider`` is an implementation of the kind's base in ``roomkit.providers.<kind>.base``
(``SMSProvider``, ``RCSProvider``, …); the channel calls its documented ``send``:
``send(event, to, from_=...)`` for SMS, ``send(event, to, from_=..., subject=...)`` for
email, ``send(event, to, fallback=...)`` for RCS and ``send(event, to)`` for the others.
"""

from __future__ import annotations

from typing import Any

from roomkit.channels.transport import TransportChannel
from roomkit.models.binding import ChannelCapabilities
from roomkit.models.enums import ChannelMediaType as M
from roomkit.models.enums import ChannelType

_SMS = ChannelCapabilities(
    media_types=(M.TEXT, M.MEDIA), max_length=1600, supports_media=True, delivery_receipts=True
)
_RCS = ChannelCapabilities(
    media_types=(M.TEXT, M.RICH, M.MEDIA),
    supports_rich_text=True,
    supports_buttons=True,
    supports_quick_replies=True,
    supports_media=True,
    supports_read_receipts=True,
    supports_typing=True,
)
_EMAIL = ChannelCapabilities(
    media_types=(M.TEXT, M.RICH, M.MEDIA),
    supports_rich_text=True,
    supports_media=True,
    supports_threading=True,
)
_WHATSAPP = ChannelCapabilities(
    media_types=(M.TEXT, M.MEDIA, M.LOCATION, M.TEMPLATE, M.AUDIO, M.VIDEO),
    max_length=4096,
    supports_templates=True,
    supports_buttons=True,
    max_buttons=3,
    supports_read_receipts=True,
    supports_typing=True,
    supports_reactions=True,
    supports_media=True,
)
_MESSENGER = ChannelCapabilities(
    media_types=(M.TEXT, M.MEDIA),
    max_length=2000,
    supports_buttons=True,
    supports_quick_replies=True,
    supports_media=True,
)
_TEAMS = ChannelCapabilities(
    media_types=(M.TEXT, M.RICH, M.MEDIA),
    supports_rich_text=True,
    supports_threading=True,
    supports_media=True,
    supports_edit=True,
    supports_delete=True,
)
_TELEGRAM = ChannelCapabilities(
    media_types=(M.TEXT, M.RICH, M.MEDIA, M.LOCATION, M.AUDIO, M.VIDEO),
    max_length=4096,
    supports_rich_text=True,
    supports_buttons=True,
    supports_media=True,
    supports_edit=True,
    supports_delete=True,
)
_HTTP = ChannelCapabilities(media_types=tuple(M), supports_rich_text=True, supports_media=True)
_WHATSAPP_PERSONAL = ChannelCapabilities(
    media_types=(M.TEXT, M.MEDIA, M.LOCATION), supports_media=True, supports_typing=True
)


def _channel(
    channel_id: str,
    kind: ChannelType,
    capabilities: ChannelCapabilities,
    provider: Any,
    recipient_key: str = "recipient_id",
    **defaults: Any,
) -> TransportChannel:
    return TransportChannel(
        channel_id,
        kind,
        provider=provider,
        capabilities=capabilities,
        recipient_key=recipient_key,
        defaults=defaults,
    )


def SMSChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, from_number: str | None = None
) -> TransportChannel:
    """Create an SMS transport channel sending from ``from_number``.

    Without ``from_number``, the binding's ``from_`` metadata is used, else the provider's.
    """
    return _channel(channel_id, ChannelType.SMS, _SMS, provider, "phone_number", from_=from_number)


def RCSChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, fallback: bool = True
) -> TransportChannel:
    """Create an RCS transport channel.

    With ``fallback`` (the default) a recipient that cannot take RCS gets an SMS; the
    provider's :class:`~roomkit.providers.rcs.base.RCSDeliveryResult` says which was used.
    """
    return _channel(channel_id, ChannelType.RCS, _RCS, provider, "phone_number", fallback=fallback)


def EmailChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, from_address: str | None = None
) -> TransportChannel:
    """Create an Email transport channel; the subject comes from binding metadata."""
    return _channel(
        channel_id,
        ChannelType.EMAIL,
        _EMAIL,
        provider,
        "email_address",
        from_=from_address,
        subject=None,
    )


def WhatsAppChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a WhatsApp transport channel."""
    return _channel(channel_id, ChannelType.WHATSAPP, _WHATSAPP, provider, "phone_number")


def MessengerChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Facebook Messenger transport channel."""
    return _channel(channel_id, ChannelType.MESSENGER, _MESSENGER, provider)


def TeamsChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Microsoft Teams transport channel."""
    return _channel(channel_id, ChannelType.TEAMS, _TEAMS, provider)


def HTTPChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create an HTTP webhook transport channel."""
    return _channel(channel_id, ChannelType.WEBHOOK, _HTTP, provider)


def TelegramChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Telegram Bot transport channel."""
    return _channel(channel_id, ChannelType.TELEGRAM, _TELEGRAM, provider)


def WhatsAppPersonalChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None
) -> TransportChannel:
    """Create a WhatsApp Personal transport channel (neonize)."""
    return _channel(channel_id, ChannelType.WHATSAPP_PERSONAL, _WHATSAPP_PERSONAL, provider)
