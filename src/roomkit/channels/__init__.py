"""Channels: the edges in and out of rooms."""

from roomkit.channels.base import Channel
from roomkit.channels.factories import (
    EmailChannel,
    HTTPChannel,
    MessengerChannel,
    RCSChannel,
    SMSChannel,
    TeamsChannel,
    TelegramChannel,
    WhatsAppChannel,
    WhatsAppPersonalChannel,
)
from roomkit.channels.streaming import (
    StreamChunk,
    StreamEnd,
    StreamError,
    StreamMessage,
    StreamSendFn,
    StreamStart,
)
from roomkit.channels.transport import TransportChannel
from roomkit.channels.websocket import SendFn, WebSocketChannel

__all__ = [
    "Channel",
    "EmailChannel",
    "HTTPChannel",
    "MessengerChannel",
    "RCSChannel",
    "SMSChannel",
    "SendFn",
    "StreamChunk",
    "StreamEnd",
    "StreamError",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "TeamsChannel",
    "TelegramChannel",
    "TransportChannel",
    "WebSocketChannel",
    "WhatsAppChannel",
    "WhatsAppPersonalChannel",
]
