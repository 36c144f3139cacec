"""Helpers shared by the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random, URL-safe unique id (a UUID4 in its canonical form)."""
    return str(uuid.uuid4())


M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


def assemble(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """A ``cls`` holding ``values`` (every field, already valid), without validation.

    What ``model_construct`` gives for a plain model (no extra fields, no private
    attributes), for a fraction of its cost: the pipeline builds a few per message.
    ``values`` and ``fields_set`` become the model's own.
    """
    model = _new(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def updated(model: M, **changes: Any) -> M:
    """``model.model_copy(update=changes)``: a shallow copy with ``changes`` applied.

    The same result for a fraction of the cost on the hot path; models with extra fields
    or private attributes go through ``model_copy`` itself.
    """
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        return model.model_copy(update=changes)
    values = model.__dict__.copy()
    values.update(changes)
    return assemble(type(model), values, model.__pydantic_fields_set__ | changes.keys())
