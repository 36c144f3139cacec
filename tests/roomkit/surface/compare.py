"""Compare one documented name (an entry of documented.json) with the object roomkit exports.

Each ``check_*`` returns a list of human-readable differences; an empty list means the object
matches the page. Defaults are evaluated from the page's text in a namespace of roomkit's
names, so ``ChannelCategory.TRANSPORT`` compares with the real enum member.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pydantic

import roomkit

_MISSING = object()
_ABSENT = object()  # a plain class's field that is neither annotated nor set


@dataclasses.dataclass(frozen=True)
class Declared:
    """What ``Field(...)`` / ``field(...)`` on the page declares."""

    default: Any = _MISSING
    factory: Callable[[], Any] | None = None
    constraints: tuple[tuple[str, Any], ...] = ()
    exclude: bool = False


def _field(default: Any = _MISSING, default_factory: Any = None, **kw: Any) -> Declared:
    exclude = bool(kw.pop("exclude", False))
    return Declared(default, default_factory, tuple(sorted(kw.items())), exclude)


def namespace(module: Any) -> dict[str, Any]:
    """Names a default's text may use: the module's own, roomkit's root, and the page's."""
    ns: dict[str, Any] = {name: getattr(roomkit, name, None) for name in dir(roomkit)}
    ns.update(vars(module))
    ns.update(Field=_field, field=_field, UTC=UTC, datetime=datetime, uuid4=uuid4)
    ns["_utcnow"] = lambda: datetime.now(UTC)
    return ns


def same_value(expected: Any, actual: Any) -> bool:
    """The same enum member, or equal values of the same type."""
    if isinstance(expected, enum.Enum) or isinstance(actual, enum.Enum):
        return expected is actual
    return bool(type(expected) is type(actual) and expected == actual)


def same_product(expected: Any, actual: Any) -> bool:
    """Two default factories' products agree: clocks by type, random hex ids by shape."""
    if isinstance(expected, datetime):
        return isinstance(actual, datetime) and actual.tzinfo is not None
    if isinstance(expected, str) and len(expected) == 32 and expected.isalnum():
        return isinstance(actual, str) and len(actual) == 32 and actual.isalnum()
    return same_value(expected, actual)


def check_params(doc: list[dict[str, Any]], fn: Any, ns: dict[str, Any]) -> list[str]:
    """Parameter names, order, kinds and defaults of ``fn`` against the page."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        return [f"no signature: {exc}"]
    documented = {p["name"] for p in doc}
    actual = [
        p
        for p in sig.parameters.values()
        if p.name not in ("self", "cls") and (p.name in documented or not _harmless_extra(p))
    ]
    got = [(p.name, p.kind.name) for p in actual]
    want = [(p["name"], p["kind"]) for p in doc]
    if got != want:
        return [f"parameters {got} != documented {want}"]
    return [
        f"default of {p.name}: {p.default!r} != documented {d['default']}"
        for p, d in zip(actual, doc, strict=True)
        if not _default_ok(d.get("default"), p.default, ns)
    ]


def _harmless_extra(param: inspect.Parameter) -> bool:
    """An undocumented parameter no call written to the page can trip over."""
    if param.kind is inspect.Parameter.VAR_KEYWORD:
        return True
    return param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is not param.empty


def _default_ok(text: str | None, actual: Any, ns: dict[str, Any]) -> bool:
    if text is None:
        return actual is inspect.Parameter.empty
    return actual is not inspect.Parameter.empty and same_value(eval(text, ns), actual)  # noqa: S307


def check_model_fields(doc: list[dict[str, Any]], cls: type, ns: dict[str, Any]) -> list[str]:
    """Every documented field exists with the documented default (or none)."""
    if issubclass(cls, pydantic.BaseModel):
        actual = {name: _pydantic_field(info) for name, info in cls.model_fields.items()}
    elif dataclasses.is_dataclass(cls):
        actual = {f.name: _dataclass_field(f) for f in dataclasses.fields(cls)}
        order = [f.name for f in dataclasses.fields(cls) if f.init][: len(doc)]
        if order != [f["name"] for f in doc]:
            return [f"dataclass field order {order} != documented {[f['name'] for f in doc]}"]
    else:
        actual = {f["name"]: _class_attribute(cls, f["name"]) for f in doc}
    problems = []
    for field in doc:
        name = field["name"]
        if name not in actual or actual[name].default is _ABSENT:
            problems.append(f"missing field {name}")
            continue
        expected = _declared(field.get("default"), ns)
        problems += [f"field {name}: {p}" for p in _compare_field(expected, actual[name])]
    return problems


def _declared(text: str | None, ns: dict[str, Any]) -> Declared:
    if text is None:
        return Declared()
    value = eval(text, ns)  # noqa: S307
    return value if isinstance(value, Declared) else Declared(default=value)


def _pydantic_field(info: Any) -> Declared:
    constraints = []
    for item in info.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(item, key, None) is not None:
                constraints.append((key, getattr(item, key)))
    default = _MISSING if info.is_required() or info.default_factory else info.default
    return Declared(default, info.default_factory, tuple(sorted(constraints)), bool(info.exclude))


def _class_attribute(cls: type, name: str) -> Declared:
    """A plain class's documented field: a class attribute, or an annotation without one."""
    if name in vars(cls) or hasattr(cls, name):
        return Declared(getattr(cls, name))
    annotated = any(name in getattr(k, "__annotations__", {}) for k in cls.__mro__)
    return Declared() if annotated else Declared(default=_ABSENT)


def _dataclass_field(f: dataclasses.Field[Any]) -> Declared:
    default = _MISSING if f.default is dataclasses.MISSING else f.default
    factory = None if f.default_factory is dataclasses.MISSING else f.default_factory
    return Declared(default, factory)


def _compare_field(expected: Declared, actual: Declared) -> list[str]:
    problems = []
    if expected.factory is not None:
        if actual.factory is None:
            problems.append(f"default {actual.default!r}, documented a default factory")
        elif not same_product(expected.factory(), actual.factory()):
            problems.append(
                f"factory gives {actual.factory()!r}, documented {expected.factory()!r}"
            )
    elif expected.default is _MISSING:
        pass  # documented required: a default of our own breaks no code written to the page
    elif actual.default is _MISSING or not same_value(expected.default, actual.default):
        problems.append(f"default {_show(actual)} != documented {expected.default!r}")
    if expected.constraints and expected.constraints != actual.constraints:
        problems.append(f"constraints {actual.constraints} != documented {expected.constraints}")
    if expected.exclude and not actual.exclude:
        problems.append("not excluded from serialisation")
    return problems


def _show(declared: Declared) -> str:
    return "required" if declared.default is _MISSING else repr(declared.default)


def check_members(doc: list[dict[str, Any]], cls: type) -> list[str]:
    """Every documented enum (or constants class) member, with its value."""
    problems = []
    for member in doc:
        value = getattr(cls, member["name"], _MISSING)
        if value is _MISSING:
            problems.append(f"missing member {member['name']}")
        elif getattr(value, "value", value) != eval(member["value"]):  # noqa: S307
            problems.append(f"member {member['name']} = {value!r}, documented {member['value']}")
    return problems


def check_property(doc: dict[str, Any], cls: type) -> list[str]:
    """A documented property is a property (writable where documented)."""
    found = next((vars(k)[doc["name"]] for k in cls.__mro__ if doc["name"] in vars(k)), None)
    if not isinstance(found, property):
        return [f"{doc['name']} is not a property ({found!r})"]
    if doc["writable"] and found.fset is None:
        return [f"property {doc['name']} is read-only, documented writable"]
    return []


ASYNC_CONTEXT_MANAGERS = frozenset({"locked"})


def _returns_async_context_manager(fn: Any) -> bool:
    returns = typing.get_type_hints(fn).get("return")
    return hasattr(typing.get_origin(returns) or returns, "__aenter__")


def check_method(doc: dict[str, Any], cls: type, ns: dict[str, Any]) -> list[str]:
    """A documented method: binding, async-ness, abstractness and parameters."""
    name = doc["name"]
    raw = next((vars(k)[name] for k in cls.__mro__ if name in vars(k)), None)
    if raw is None:
        return [f"missing method {name}"]
    problems = []
    if doc["binding"] != "instance" and type(raw).__name__ != doc["binding"]:
        problems.append(f"{name} is not a {doc['binding']}")
    fn = getattr(cls, name)
    target = inspect.unwrap(getattr(fn, "__func__", fn))
    is_async = inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)
    if name in ASYNC_CONTEXT_MANAGERS and doc["async"]:
        # Documented as an ``@asynccontextmanager`` async generator; a method that returns an
        # async context manager is used the same way (``async with manager.locked(room)``).
        is_async = is_async or _returns_async_context_manager(target)
    if name != "__init__" and is_async != doc["async"]:
        problems.append(f"{name} async={is_async}, documented async={doc['async']}")
    is_abstract = name in getattr(cls, "__abstractmethods__", ())
    if is_abstract != doc["abstract"]:
        problems.append(f"{name} abstract={is_abstract}, documented abstract={doc['abstract']}")
    return problems + [f"{name}: {p}" for p in check_params(doc["params"], fn, ns)]
