"""Identity (who someone is across channels) and the results of resolving one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._base import new_id, utcnow
from roomkit.models.enums import IdentificationStatus
from roomkit.models.hook import InjectedEvent


class Identity(BaseModel):
    """A resolved user identity. ``channel_addresses`` maps a channel type to its addresses."""

    id: str = Field(default_factory=new_id, min_length=1)
    organization_id: str | None = None
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    channel_addresses: dict[str, list[str]] = Field(default_factory=dict)
    external_id: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)


class IdentityResult(BaseModel):
    """Result of identity resolution."""

    status: IdentificationStatus
    identity: Identity | None = None
    candidates: list[Identity] = Field(default_factory=list)
    address: str | None = None
    channel_type: str | None = None
    challenge_type: str | None = None
    message: str | None = None
    reason: str | None = None


class IdentityHookResult(BaseModel):
    """What an identity hook decided: resolved, still pending, or rejected."""

    status: IdentificationStatus
    identity: Identity | None = None
    display_name: str | None = None
    candidates: list[Identity] | None = None
    inject: InjectedEvent | None = None
    reason: str | None = None
    challenge_type: str | None = None
    message: str | None = None

    @classmethod
    def resolved(cls, identity: Identity) -> IdentityHookResult:
        """The sender is ``identity``."""
        return cls(status=IdentificationStatus.IDENTIFIED, identity=identity)

    @classmethod
    def pending(
        cls,
        display_name: str | None = None,
        candidates: list[Identity] | None = None,
    ) -> IdentityHookResult:
        """Let the message in; the sender stays to be identified."""
        return cls(
            status=IdentificationStatus.PENDING, display_name=display_name, candidates=candidates
        )

    @classmethod
    def challenge(cls, inject: InjectedEvent, message: str | None = None) -> IdentityHookResult:
        """Hold the message and send ``inject`` (e.g. 'reply with your account number')."""
        return cls(status=IdentificationStatus.CHALLENGE_SENT, inject=inject, message=message)

    @classmethod
    def reject(cls, reason: str = "Unknown sender") -> IdentityHookResult:
        """Refuse the message."""
        return cls(status=IdentificationStatus.REJECTED, reason=reason)
