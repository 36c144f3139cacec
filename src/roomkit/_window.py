"""Window copies: how RoomDirectory keeps a room's newest events for contexts, cheaply.

A process keeps the newest events of up to a thousand rooms, so that every context can
carry ``recent_events`` without reading the store. Those events must not be the ones the
pipeline returned to its caller (the caller may change them), and at tens of thousands
of them their per-instance cost matters: a pydantic instance carries its own
fields-set, a ``set`` of 216 to 728 bytes that the garbage collector also has to visit.

A window copy is an independent copy of an event, its source and its content, with
containers of its own, whose fields-sets are shared by every window copy with the same
fields set: one set per kind of event, not three per event. Window events are read by
hooks and channels, not written; a hook that assigns a field of one would mark that
field set on its siblings too, and nothing worse.

Window copies of events from the same sender also share one copy of their source (when it
carries no raw payload of its own): a room's window is mostly a few senders talking, and
each source copy is two more objects for the collector to visit on every full collection.
"""

from __future__ import annotations

import types
import typing
from copy import deepcopy
from enum import Enum
from typing import Any

from pydantic import BaseModel

from roomkit.models._base import _set_fields, assemble
from roomkit.models.event import EventSource, RoomEvent
from roomkit.store._compact import _IMMUTABLE, _blank, _blank_marker


class _Kind:
    """One model class: the fields whose values may be mutable (checked on every copy),
    and the fields-set the last copy got (shared with the next one when equal)."""

    __slots__ = ("mutable", "fields")

    def __init__(self, cls: type[BaseModel], skip: frozenset[str]) -> None:
        self.mutable = tuple(
            name
            for name, field in cls.model_fields.items()
            if name not in skip and not _immutable(field.annotation)
        )
        self.fields: set[str] | None = None


class WindowCopier:
    """Makes window copies, with the fields-sets they share."""

    def __init__(self) -> None:
        self._kinds: dict[type, _Kind] = {}
        self._shared: dict[frozenset[str], set[str]] = {}
        self._sources: dict[tuple[Any, ...], EventSource] = {}

    def copy(self, event: RoomEvent) -> RoomEvent:
        """An independent copy of ``event`` for a window (see the module docstring)."""
        source = self._source(event.source)
        content = self._copy(event.content, {})
        copied: RoomEvent = self._copy(event, {"source": source, "content": content})
        return copied

    def _source(self, source: EventSource) -> EventSource:
        """The window's copy of ``source``: one per distinct sender (see the module docstring)."""
        values = source.__dict__
        if (
            values["raw_payload"]
            or source.__pydantic_extra__ is not None
            or source.__pydantic_private__ is not None
        ):
            return self._copy(source, {})  # type: ignore[no-any-return]  # own payload: not shared
        key = (type(source), frozenset(source.__pydantic_fields_set__)) + tuple(
            value for name, value in values.items() if name != "raw_payload"
        )
        try:
            return self._sources[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value in a subclass's field
            return self._copy(source, {})  # type: ignore[no-any-return]
        if len(self._sources) >= _MAX_SOURCES:
            self._sources.clear()
        copied: EventSource = self._copy(source, {})
        self._sources[key] = copied
        return copied

    def _copy(self, model: BaseModel, nested: dict[str, Any]) -> Any:
        """``model`` with a copy of each mutable value, ``nested`` values put in."""
        cls = type(model)
        kind = self._kinds.get(cls)
        if kind is None:
            kind = self._kinds[cls] = _Kind(cls, frozenset(nested))
        if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
            return model.model_copy(update=nested, deep=True)
        values = model.__dict__.copy()
        for name in kind.mutable:
            value = values[name]
            if type(value) in _IMMUTABLE:
                continue
            if not value and (type(value) is dict or type(value) is list):
                values[name] = type(value)()
            elif isinstance(value, BaseModel) and _blank(value):
                values[name] = self._blank(value)
            elif not isinstance(value, Enum):
                values[name] = deepcopy(value)
        if nested:
            values.update(nested)
        fields = kind.fields
        if fields is None or fields != model.__pydantic_fields_set__:
            fields = kind.fields = self._share(model.__pydantic_fields_set__)
        return assemble(cls, values, fields)

    def _blank(self, model: BaseModel) -> Any:
        """A new blank model like ``model`` (every event's empty channel_data), with the
        shared empty fields-set: no deepcopy, and one object fewer per window event."""
        marker = _blank_marker(type(model), model.__pydantic_extra__ is not None)
        copied: Any = marker.factory()
        _set_fields(copied, self._share(set()))
        return copied

    def _share(self, fields: set[str]) -> set[str]:
        key = frozenset(fields)
        shared = self._shared.get(key)
        if shared is None or len(shared) != len(key):  # new, or grown by an assignment
            shared = self._shared[key] = set(key)
        return shared


# Distinct senders remembered for sharing; past this the memo starts again.
_MAX_SOURCES = 4096


def _immutable(annotation: Any) -> bool:
    """Whether every value a field of this type can hold is immutable."""
    if annotation in _IMMUTABLE:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, Enum)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return all(_immutable(arg) for arg in typing.get_args(annotation))
    return False
