"""Factories for the built-in transports: each a TransportChannel with its kind's data.

Recipient keys (binding metadata): SMS, RCS, WhatsApp → ``phone_number``; email →
``email_address``; the others → ``recipient_id``.
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


def SMSChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, from_number: str | None = None
) -> TransportChannel:
    """Create an SMS transport channel."""
    return TransportChannel(
        channel_id,
        ChannelType.SMS,
        provider=provider,
        capabilities=_SMS,
        recipient_key="phone_number",
        defaults={"from_": from_number},
    )


def RCSChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, fallback: bool = True
) -> TransportChannel:
    """Create an RCS transport channel; ``fallback`` allows SMS when RCS is unavailable."""
    return TransportChannel(
        channel_id,
        ChannelType.RCS,
        provider=provider,
        capabilities=_RCS,
        recipient_key="phone_number",
        defaults={"fallback": fallback},
    )


def EmailChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None, from_address: str | None = None
) -> TransportChannel:
    """Create an Email transport channel; the subject comes from binding metadata."""
    return TransportChannel(
        channel_id,
        ChannelType.EMAIL,
        provider=provider,
        capabilities=_EMAIL,
        recipient_key="email_address",
        defaults={"from_": from_address, "subject": None},
    )


def _simple(channel_type: ChannelType, caps: ChannelCapabilities, key: str = "recipient_id") -> Any:
    def factory(channel_id: str, *, provider: Any = None) -> TransportChannel:
        return TransportChannel(
            channel_id, channel_type, provider=provider, capabilities=caps, recipient_key=key
        )

    return factory


def WhatsAppChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a WhatsApp transport channel."""
    return _simple(ChannelType.WHATSAPP, _WHATSAPP, "phone_number")(  # type: ignore[no-any-return]
        channel_id, provider=provider
    )


def MessengerChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Facebook Messenger transport channel."""
    return _simple(ChannelType.MESSENGER, _MESSENGER)(channel_id, provider=provider)  # type: ignore[no-any-return]


def TeamsChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Microsoft Teams transport channel."""
    return _simple(ChannelType.TEAMS, _TEAMS)(channel_id, provider=provider)  # type: ignore[no-any-return]


def HTTPChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create an HTTP webhook transport channel."""
    return _simple(ChannelType.WEBHOOK, _HTTP)(channel_id, provider=provider)  # type: ignore[no-any-return]


def TelegramChannel(channel_id: str, *, provider: Any = None) -> TransportChannel:  # noqa: N802
    """Create a Telegram Bot transport channel."""
    return _simple(ChannelType.TELEGRAM, _TELEGRAM)(channel_id, provider=provider)  # type: ignore[no-any-return]


def WhatsAppPersonalChannel(  # noqa: N802 - documented public name
    channel_id: str, *, provider: Any = None
) -> TransportChannel:
    """Create a WhatsApp Personal transport channel (neonize)."""
    return _simple(ChannelType.WHATSAPP_PERSONAL, _WHATSAPP_PERSONAL)(  # type: ignore[no-any-return]
        channel_id, provider=provider
    )
