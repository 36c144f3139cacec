"""Compact records: how InMemoryStore keeps pydantic models without their per-instance cost.

A pydantic v2 instance costs far more than its data: a ``__dict__`` and a fields-set
``set`` (over 1 KB for a RoomEvent), and a stored event is three instances (event, source,
content), about 3 KB. InMemoryStore keeps one tuple per model instead, a *record*:
``(shape number, value, value, ...)``. The :class:`Shape` holds what records of one kind
share: class, fields-set, and the values that repeat (None, enums, empty containers, and
the fields a :class:`Packer` is told usually repeat, such as an event source's channel).
Shapes are interned, so a record carries only what differs (id, room, index, timestamp,
text); an event's source and content values are laid inline after the event's own.

Nothing in a record aliases what a caller holds: immutable values (str, numbers, enums,
datetimes, frozen models) are shared, an empty dict or list becomes a marker, anything
else is deep-copied on the way in (boxed in :class:`_Owned`) and again on the way out.
Models are rebuilt without validation (what was packed had been validated) but with a new
``__dict__``, fields-set and containers: each is an independent value equal to the one
packed. Records name their shape by number, so an event's record holds only atomic values
and the garbage collector stops tracking it. Packing and building run on every message
and timeline page, so each shape compiles a builder and a packer of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from copy import deepcopy
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from pydantic import BaseModel

from roomkit.models.event import EventSource, RoomEvent

M = TypeVar("M", bound=BaseModel)
Record = tuple[Any, ...]
"""``(shape number, value, ...)``: what is stored for one model."""
Parts = tuple[tuple[str, "Shape | None", int], ...]
"""Nested fields: ``(name, shape, start)``; see :class:`Shape`."""

# Shapes are never dropped (records name them); their number follows the configuration, but
# should shared values vary without end, past this many only None and empties are shared.
_SHAPE_LIMIT = 8192
# How many event shapes are tried, most recently used first, before packing the slow way.
_RECENT_SHAPES = 8

# Values of these exact types are immutable and stored by reference; values of the first
# few may also be kept in a shape, since equal values of one such type are interchangeable.
_SHAREABLE: frozenset[type] = frozenset({str, int, bool, type(None)})
_IMMUTABLE = _SHAREABLE | {float, bytes, datetime, date, time, timedelta, Decimal, UUID}


class _Empty(NamedTuple):
    """Marks an empty dict or list (or a blank model): stored once, a new one built for
    every model."""

    factory: type[dict[Any, Any]] | type[list[Any]]


class _Owned(NamedTuple):
    """A container (or other mutable value) that the store deep-copied and alone holds."""

    value: Any


_EMPTY_DICT = _Empty(dict)
_EMPTY_LIST = _Empty(list)
_CONTAINERS = (_EMPTY_DICT, _EMPTY_LIST)
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _freeze(value: Any) -> Any:
    """The stored form of a value that is not known to be immutable."""
    if not value and type(value) in (dict, list):
        return _EMPTY_DICT if type(value) is dict else _EMPTY_LIST
    if isinstance(value, BaseModel) and _blank(value):
        return _blank_marker(type(value), value.__pydantic_extra__ is not None)
    return _Owned(deepcopy(value))


def _blank(model: BaseModel) -> bool:
    """Whether ``model`` holds nothing at all, as every event's ``channel_data`` mostly."""
    empty = not model.__dict__ and not model.__pydantic_extra__
    return empty and model.__pydantic_private__ is None


def _blank_marker(cls: type[BaseModel], extra: bool) -> _Empty:
    """The marker of a blank ``cls`` (with an empty extras dict when ``extra``): one per
    kind, so a blank model is stored as an empty dict is, not as a copy per record."""
    marker = _BLANKS.get((cls, extra))
    if marker is None:

        def factory() -> Any:
            model = _new(cls)
            _set_dict(model, {})
            _set_fields(model, set())
            _set_extra(model, {} if extra else None)
            _set_private(model, None)
            return model

        marker = _BLANKS[cls, extra] = _Empty(factory)  # type: ignore[arg-type]
    return marker


_BLANKS: dict[tuple[type, bool], _Empty] = {}


def _thaw(stored: Any) -> Any:
    """The value a built model gets for a stored one: its own copy of anything mutable."""
    if type(stored) is _Empty:
        return stored.factory()
    return deepcopy(stored.value) if type(stored) is _Owned else stored


def _is_plain(cls: type) -> bool:
    """Whether instances of ``cls`` are fully described by ``__dict__`` and fields-set."""
    if not issubclass(cls, BaseModel) or cls.__pydantic_root_model__:
        return False
    plain = cls.__pydantic_post_init__ is None and not cls.__private_attributes__
    return plain and cls.model_config.get("extra") != "allow"


def _is_immutable(kind: type) -> bool:
    """Whether values of exactly this type can be stored by reference."""
    if kind in _IMMUTABLE or issubclass(kind, Enum):
        return True
    return issubclass(kind, BaseModel) and bool(kind.model_config.get("frozen"))


# What the compiled functions use. A built model gets what model_construct gives it, minus
# defaults and aliases; its four slots are set through their descriptors.
_ENV: dict[str, Any] = {
    "new": _new,
    "set_dict": _set_dict,
    "set_fields": _set_fields,
    "set_extra": _set_extra,
    "set_private": _set_private,
    "deepcopy": deepcopy,
    "thaw": _thaw,
    "blank": _blank,
    "Owned": _Owned,
}


def _function(name: str, lines: list[str], env: dict[str, Any]) -> Callable[[Any], Any]:
    """Compile ``name(arg)`` with ``lines`` as its body and every name of ``env`` as a
    default argument (a local: the fastest lookup there is). The source is generated, as
    dataclasses and namedtuple do: its names are ours, field names are written as reprs."""
    defaults = ", ".join(f"{key}={key}" for key in env)
    namespace: dict[str, Any] = {}
    exec("\n    ".join([f"def {name}(arg, {defaults}):", *lines]), env, namespace)
    function: Callable[[Any], Any] = namespace[name]
    return function


def _builder(shape: Shape) -> Callable[[Record], Any]:
    """The function that builds a model (and its nested parts) from a record: the shape's
    template dict is copied (one memcpy) and the record's values are stored in it."""
    env, lines = dict(_ENV), list[str]()

    def model(var: str, part: Shape, start: int, nested: list[tuple[str, str]]) -> None:
        env.update({f"{var}_cls": part.cls, f"{var}_template": part.template})
        env[f"{var}_fields"] = part.fields_set
        lines.append(f"values = {var}_template.copy()")
        lines.extend(f"values[{n!r}] = arg[{start + i}]" for i, n in enumerate(part.own))
        lines.extend(f"values[{n!r}] = {{}}" for n in part.empty_dicts)
        lines.extend(f"values[{n!r}] = []" for n in part.empty_lists)
        for n, factory in part.blanks:
            env[f"{var}_blank_{len(env)}"] = factory
            lines.append(f"values[{n!r}] = {var}_blank_{len(env) - 1}()")
        lines.extend(f"values[{n!r}] = deepcopy(values[{n!r}].value)" for n in part.boxed)
        lines.extend(f"values[{n!r}] = {value}" for n, value in nested)
        lines.append(f"{var} = new({var}_cls); set_dict({var}, values)")
        lines.append(f"set_fields({var}, set({var}_fields)); set_extra({var}, None)")
        lines.append(f"set_private({var}, None)")

    nested: list[tuple[str, str]] = []
    for number, (name, inner, start) in enumerate(shape.parts):
        if inner is None:
            lines.append(f"part{number} = thaw(arg[{start}])")
        else:
            model(f"part{number}", inner, start, [])
        nested.append((name, f"part{number}"))
    model("model", shape, 1, nested)
    return _function("build", [*lines, "return model"], env)


def _matcher(shape: Shape) -> Callable[[BaseModel], Record | None]:
    """The function that packs a model of this shape into its record (as the slow path
    would), or returns None for another shape: it checks classes, keys, fields-sets, every
    shared value and the exact type of every own value, then picks the own values."""
    env, lines, own = dict(_ENV, number=shape.number), list[str](), list[str]()

    def model(var: str, part: Shape, expression: str) -> None:
        env.update({f"{var}_cls": part.cls, f"{var}_keys": tuple(part.template)})
        env[f"{var}_fields"] = part.fields_set
        lines.append(f"{var} = {expression}")
        lines.append(f"if type({var}) is not {var}_cls: return None")
        lines.append(f"{var}_d = d = {var}.__dict__")
        lines.append(f"if tuple(d) != {var}_keys or {var}.__pydantic_fields_set__ != {var}_fields:")
        lines.append("    return None")
        skip = {*part.own, *(name for name, _, _ in part.parts)}
        for i, (name, value) in enumerate(part.template.items()):
            if name in skip:
                continue
            env[f"{var}_{i}"], env[f"{var}_{i}_type"] = value, type(value)
            if value is None or type(value) is bool or isinstance(value, Enum):
                lines.append(f"if d[{name!r}] is not {var}_{i}: return None")
            elif type(value) is _Empty and value not in _CONTAINERS:
                env[f"{var}_{i}_cls"] = type(value.factory())
                check = f"type(v := d[{name!r}]) is not {var}_{i}_cls or not blank(v)"
                lines.append(f"if {check}: return None")
            elif type(value) is _Empty:
                empty = value.factory.__name__
                lines.append(f"if type(v := d[{name!r}]) is not {empty} or v: return None")
            else:
                check = f"type(v := d[{name!r}]) is not {var}_{i}_type or v != {var}_{i}"
                lines.append(f"if {check}: return None")
        for name, kind in zip(part.own, part.own_types, strict=True):
            value = f"o{len(own)}"
            env[f"{value}_type"] = kind
            check = f"type({value} := d[{name!r}]) is not {value}_type"
            if name in part.boxed:
                check += f" or not {value}" if kind in (dict, list) else ""
                value = f"Owned(deepcopy({value}))"
            lines.append(f"if {check}: return None")
            own.append(value)

    model("model", shape, "arg")
    for number, (name, inner, _) in enumerate(shape.parts):
        assert inner is not None  # shapes with unpacked parts get no matcher
        model(f"part{number}", inner, f"model_d[{name!r}]")
    return _function("match", [*lines, f"return (number, {', '.join(own)},)"], env)


class Shape:
    """What the records of one kind share: ``number`` (its place in ``Packers.shapes``)
    leads each of them, then the values of the ``own`` fields, in order.

    ``template`` maps every field, in the model's order, to its shared value (None stands
    in for the others); ``own_types`` gives the exact type of each own value as packed.
    ``empty_dicts`` and ``empty_lists`` name fields that were empty containers, ``boxed``
    those of ``own`` held as an :class:`_Owned` copy. For an event, ``parts`` gives for each
    nested field (source, content) where its values start in the record and its shape, or
    None for a value that could not be packed (stored frozen, in one place). ``build`` makes
    a model from a record; ``match`` packs a model of this shape, or returns None.
    """

    def __init__(
        self,
        cls: type[BaseModel],
        fields_set: frozenset[str],
        template: dict[str, Any],
        own: tuple[tuple[str, type], ...],
        parts: Parts = (),
    ) -> None:
        self.cls, self.fields_set, self.template, self.parts = cls, fields_set, template, parts
        self.own = tuple(name for name, _ in own)
        self.own_types = tuple(kind for _, kind in own)
        self.empty_dicts = tuple(n for n, v in template.items() if v is _EMPTY_DICT)
        self.empty_lists = tuple(n for n, v in template.items() if v is _EMPTY_LIST)
        self.blanks = tuple(
            (n, v.factory)
            for n, v in template.items()
            if type(v) is _Empty and v is not _EMPTY_DICT and v is not _EMPTY_LIST
        )
        self.boxed = tuple(name for name, kind in own if not _is_immutable(kind))
        self.number = 0  # until a record names it, when ``build`` and ``match`` are compiled

    build: Callable[[Record], Any]
    match: Callable[[BaseModel], Record | None]

    def nesting(self, parts: Parts) -> Shape:
        """This shape, with nested fields laid out as ``parts``."""
        own = tuple(zip(self.own, self.own_types, strict=True))
        return Shape(self.cls, self.fields_set, self.template, own, parts)

    def read(self, record: Record, name: str) -> Any:
        """The stored value of a top-level field (not a copy: for reading only)."""
        stored = record[self.own.index(name) + 1] if name in self.own else self.template.get(name)
        if type(stored) is _Empty:
            return stored.factory()
        return stored.value if type(stored) is _Owned else stored


class _Opaque:
    """The shape (number 0) of a model that cannot be packed (not a plain pydantic model):
    its record is ``(0, deep copy)`` and every build deep-copies it again."""

    number = 0

    def build(self, record: Record) -> Any:
        return deepcopy(record[1])

    def read(self, record: Record, name: str) -> Any:
        return getattr(record[1], name)


class Packer:
    """Packs models of one class the slow, general way into a shape, the record's values
    and the nested fields' values (for the caller to pack). Fields named in ``shared`` keep
    their values in the shape when those are of a shareable type (exactly str, int or
    bool, or an enum); None and empty containers are always kept there."""

    def __init__(self, cls: type[BaseModel], shared: Collection[str], nested: Collection[str]):
        self.cls = cls
        self.shared = frozenset(shared)
        self._nested = frozenset(nested)
        self._shapes: dict[tuple[Any, ...], Shape] = {}

    def pack(self, model: BaseModel) -> tuple[Shape, list[Any], list[tuple[str, Any]]]:
        template: dict[str, Any] = {}
        own: list[tuple[str, type]] = []
        values: list[Any] = []
        nested: list[tuple[str, Any]] = []
        for name, value in model.__dict__.items():
            kind = type(value)
            template[name] = None
            if name in self._nested:
                nested.append((name, value))
            elif value is None or (
                name in self.shared and (kind in _SHAREABLE or issubclass(kind, Enum))
            ):
                template[name] = value
            elif _is_immutable(kind) or type(stored := _freeze(value)) is not _Empty:
                own.append((name, kind))
                values.append(value if _is_immutable(kind) else stored)
            else:
                template[name] = stored
        # Shared values are told apart by type too: 1, 1.0 and True are equal in Python.
        items = tuple((name, type(value), value) for name, value in template.items())
        key = (frozenset(model.__pydantic_fields_set__), items, tuple(own))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = Shape(self.cls, key[0], template, tuple(own))
        return shape, values, nested


# The fields whose values repeat from one model to the next: kept in shapes. Values that
# vary per sender, room or channel (participant ids, organisations, channel ids: roomz has a
# channel per user) stay in the records, so the number of shapes follows the configuration
# (kinds of channel and content), not the traffic.
_SHARED: dict[type, frozenset[str]] = {
    RoomEvent: frozenset({"type", "status", "blocked_by", "visibility", "chain_depth"}),
    EventSource: frozenset({"channel_type", "direction", "provider"}),
}
_USUALLY_SHARED = frozenset(  # every other class: contents, rooms, bindings
    {"type", "format", "language", "mime_type", "delete_type", "code", "edit_source", "status"}
    | {"channel_type", "category", "direction", "access", "muted", "visibility"}
)
_EVENT_NESTED = ("source", "content")


class Packers:
    """Packs models into records and builds them back, with the shapes of one store."""

    def __init__(self) -> None:
        self.shapes: list[Shape | _Opaque] = [_Opaque()]
        self._packers: dict[type, Packer | None] = {}
        self._event_shapes: dict[tuple[Any, ...], Shape] = {}
        self._recent: list[Shape] = []  # event shapes, most recently used first

    def build(self, record: Record, cls: type[M]) -> M:
        """A new model (of class ``cls``) equal to the one packed into ``record``, sharing
        no mutable value with it or with any other model built from it."""
        model: M = self.shapes[record[0]].build(record)
        return model

    def build_all(self, records: list[Record]) -> list[Any]:
        """:meth:`build` for each record, in order."""
        shapes = self.shapes
        return [shapes[record[0]].build(record) for record in records]

    def read(self, record: Record, name: str) -> Any:
        """The stored value of a field of a record, for reading only (never mutate it)."""
        return self.shapes[record[0]].read(record, name)

    def record(self, model: BaseModel) -> Record:
        """The record of a room, binding or other model without nested models."""
        packer = self._packer(type(model))
        if packer is None:
            return (0, deepcopy(model))
        shape, own, _ = packer.pack(model)
        if not shape.number:
            self._register(shape)
        return (shape.number, *own)

    def event_record(self, event: RoomEvent) -> Record:
        """The record of an event, its source's and content's values inline after its own."""
        for position, shape in enumerate(self._recent):
            record = shape.match(event)
            if record is not None:
                if position:
                    self._recent.insert(0, self._recent.pop(position))
                return record
        packer = self._packer(type(event))
        if packer is None:
            return (0, deepcopy(event))
        shape, values, nested = packer.pack(event)
        parts: list[tuple[str, Shape | None, int]] = []
        values.insert(0, None)
        for name, value in nested:
            inner = self._packer(type(value))
            packed = None if inner is None else inner.pack(value)
            if packed is None or packed[2]:  # not a plain model, or one nesting models
                parts.append((name, None, len(values)))
                values.append(value if type(value) in _IMMUTABLE else _freeze(value))
            else:
                parts.append((name, packed[0], len(values)))
                values += packed[1]
        key = (shape, *parts)
        event_shape = self._event_shapes.get(key)
        if event_shape is None:
            event_shape = self._event_shapes[key] = shape.nesting(tuple(parts))
        if not event_shape.number:
            self._register(event_shape)
            if all(inner is not None for _, inner, _ in parts):
                event_shape.match = _matcher(event_shape)
        if hasattr(event_shape, "match"):
            others = [recent for recent in self._recent if recent is not event_shape]
            self._recent = [event_shape, *others[: _RECENT_SHAPES - 1]]
        values[0] = event_shape.number
        return tuple(values)

    def _register(self, shape: Shape) -> None:
        shape.number = len(self.shapes)
        shape.build = _builder(shape)
        self.shapes.append(shape)
        if len(self.shapes) == _SHAPE_LIMIT:
            for packer in self._packers.values():
                if packer is not None:
                    packer.shared = frozenset()

    def _packer(self, cls: type) -> Packer | None:
        if cls in self._packers:
            return self._packers[cls]
        packer = None
        if _is_plain(cls):
            shared = next((_SHARED[c] for c in cls.__mro__ if c in _SHARED), _USUALLY_SHARED)
            if len(self.shapes) >= _SHAPE_LIMIT:
                shared = frozenset()
            packer = Packer(cls, shared, _EVENT_NESTED if issubclass(cls, RoomEvent) else ())
        self._packers[cls] = packer
        return packer
