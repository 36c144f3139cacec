"""The pipeline builds its own models without validating again: same models, new ids."""

from __future__ import annotations

import uuid

import pytest

from roomkit import (
    EventSource,
    InboundMessage,
    Room,
    RoomContext,
    RoomEvent,
    TextContent,
    WebSocketChannel,
)
from roomkit.models._base import construct, new_id


def test_an_inbound_event_is_the_model_validation_would_build() -> None:
    """Channel.event_from gives the same values, field order and fields-set as RoomEvent(...)."""
    message = InboundMessage(
        channel_id="ws", sender_id="u1", content=TextContent(body="hi"), metadata={"k": [1]}
    )
    built = WebSocketChannel("ws").event_from(message, RoomContext(room=Room(id="r")))
    validated = RoomEvent(
        room_id="r",
        type=message.event_type,
        source=EventSource(
            channel_id="ws",
            channel_type=WebSocketChannel.channel_type,
            participant_id="u1",
            external_id=None,
            provider=None,
        ),
        content=message.content,
        idempotency_key=None,
        metadata=message.metadata,
    )
    skip = {"id", "created_at"}
    assert built.model_dump(exclude=skip) == validated.model_dump(exclude=skip)
    assert list(built.__dict__) == list(validated.__dict__)
    assert built.model_fields_set == validated.model_fields_set
    assert built.source.model_fields_set == validated.source.model_fields_set
    assert built.metadata is not message.metadata  # the event's own dict, as validation gives


def test_construct_refuses_unknown_and_missing_fields() -> None:
    with pytest.raises(TypeError, match=r"unknown fields \['colour'\]"):
        construct(TextContent, body="x", colour="red")
    with pytest.raises(TypeError, match=r"missing fields \['content', 'source'\]"):
        construct(RoomEvent, room_id="r")


def test_new_ids_are_distinct_uuid4_hex_strings() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:600]:  # across more than two refills of the random buffer
        parsed = uuid.UUID(text)
        assert parsed.hex == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
