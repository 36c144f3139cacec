"""``roomkit.core.inbound_router``: which room an inbound message goes to."""

from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter

__all__ = ["DefaultInboundRoomRouter", "InboundRoomRouter"]
