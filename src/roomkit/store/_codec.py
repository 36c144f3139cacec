"""Models to rows and back, for the SQL stores.

A document column holds the model's JSON. An event's JSON leaves out ``index``: the
database assigns it, in its own column, and it is spliced back in when events are read,
so a page of events is decoded by pydantic in one call from one JSON array.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from roomkit.models.event import RoomEvent

M = TypeVar("M", bound=BaseModel)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EVENTS = TypeAdapter(list[RoomEvent])


def micros(moment: datetime) -> int:
    """Microseconds since the epoch (a naive datetime is taken as UTC): sortable, exact."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def document(model: BaseModel) -> str:
    """The JSON stored for ``model``."""
    return model.model_dump_json()


def event_document(event: RoomEvent) -> str:
    """The JSON stored for ``event``, without the index the database assigns."""
    return event.model_dump_json(exclude={"index"})


def load(model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
    """Models from rows whose first column is a document."""
    return [model.model_validate_json(row[0]) for row in rows]


def load_one(model: type[M], rows: Sequence[Sequence[Any]]) -> M | None:
    """The model in the first row, or None when there is no row."""
    return model.model_validate_json(rows[0][0]) if rows else None


def load_events(rows: Sequence[Sequence[Any]]) -> list[RoomEvent]:
    """Events from ``(idx, data)`` rows, decoded in one pass."""
    if not rows:
        return []
    # Every stored document is an object that starts with '{"id":', so the index can be
    # put in front of its first key.
    items = ",".join(f'{{"index":{idx},{data[1:]}' for idx, data in rows)
    return _EVENTS.validate_json(f"[{items}]")
