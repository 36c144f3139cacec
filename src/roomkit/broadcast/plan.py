"""⑦ Who receives an event: self-skip, access, visibility, registration."""

from __future__ import annotations

from dataclasses import dataclass

from roomkit.channels.base import Channel
from roomkit.channels.transport import TransportChannel
from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import Access, ChannelCategory, ChannelMediaType
from roomkit.models.event import RoomEvent
from roomkit.providers.base import TransportProvider

_RECEIVES = frozenset({Access.READ_WRITE, Access.READ_ONLY})
_SENDS = frozenset({Access.READ_WRITE, Access.WRITE_ONLY})


@dataclass(frozen=True, slots=True)
class Target:
    """One channel an event goes to, with its binding in the room.

    ``inline``: delivering does no I/O (``Channel.inline_delivery``, or a transport whose
    provider declares ``inline_delivery``), so the deliverer awaits it without a task.
    ``quiet``: the channel overrides ``Channel.deliver_for_broadcast``, so the deliverer
    calls that (which builds no output) rather than ``deliver``.
    """

    channel: Channel
    binding: ChannelBinding
    inline: bool = False
    carries_text: bool = False  # plain text reaches it unchanged (no transcoding needed)
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """Transports get ``deliver``; intelligence channels get ``on_event``."""

    transports: tuple[Target, ...]
    intelligence: tuple[Target, ...]


def visible_to(visibility: str, binding: ChannelBinding) -> bool:
    """Whether an event of ``visibility`` may reach ``binding``.

    ``"all"`` reaches everyone, ``"none"`` nobody, ``"transport"`` / ``"intelligence"`` the
    channels of that category; anything else is a comma-separated list of channel ids.
    """
    if visibility == "all":
        return True
    if visibility == "none":
        return False
    if visibility == "transport":
        return binding.category is ChannelCategory.TRANSPORT
    if visibility == "intelligence":
        return binding.category is ChannelCategory.INTELLIGENCE
    return binding.channel_id in {part.strip() for part in visibility.split(",")}


def may_send(binding: ChannelBinding) -> bool:
    """Whether events from this binding's channel may enter the room."""
    return binding.access in _SENDS and not binding.muted


def in_process(channel: Channel) -> bool:
    """Whether delivering to ``channel`` only hands data to in-process code."""
    if channel.inline_delivery:
        return True
    provider = channel.provider if isinstance(channel, TransportChannel) else None
    return isinstance(provider, TransportProvider) and provider.inline_delivery


def plan(event: RoomEvent, bindings: list[ChannelBinding], channels: dict[str, Channel]) -> Plan:
    """Split the room's bindings into the transports and intelligence channels to reach.

    The source channel never receives its own event; bindings without read access, those
    the event's visibility excludes and channels not registered in this process are skipped.
    """
    source = event.source.channel_id
    visibility = event.visibility
    transports: list[Target] = []
    intelligence: list[Target] = []
    for binding in bindings:
        if binding.channel_id == source or binding.access not in _RECEIVES:
            continue
        if visibility != "all" and not visible_to(visibility, binding):
            continue
        channel = channels.get(binding.channel_id)
        if channel is None:
            continue
        if binding.category is ChannelCategory.INTELLIGENCE:
            intelligence.append(Target(channel, binding))
        else:
            carries_text = ChannelMediaType.TEXT in binding.capabilities.media_types
            quiet = type(channel).deliver_for_broadcast is not Channel.deliver_for_broadcast
            transports.append(Target(channel, binding, in_process(channel), carries_text, quiet))
    return Plan(tuple(transports), tuple(intelligence))
