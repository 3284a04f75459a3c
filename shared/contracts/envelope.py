"""The envelope (phong bì sự kiện) every OCOP event travels in, whatever its type."""

from __future__ import annotations

from datetime import timedelta, timezone, tzinfo
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Service = Literal["registration", "rating", "finance", "monitoring"]
"""The four producing services; each one owns the events it emits and its dead-letter topic."""

NonEmptyStr = Annotated[str, Field(min_length=1)]

DataT = TypeVar("DataT", bound=BaseModel)


def _vietnam_tz() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        # Slim images may ship without tzdata; Vietnam has had no DST since 1975, so +07:00 is exact.
        return timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


VIETNAM_TZ: tzinfo = _vietnam_tz()


class Actor(BaseModel):
    """Who took the decision (người thực hiện): a user id and the role they acted in."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    id: NonEmptyStr
    """Subject of the authenticated user (e.g. the JWT ``sub``)."""
    role: NonEmptyStr
    """Role held when acting, e.g. ``district_council`` (hội đồng cấp huyện)."""


class Envelope(BaseModel, Generic[DataT]):
    """Metadata common to every event, wrapping the event's own ``data``.

    The envelope is closed (unknown keys are rejected) because its shape is the
    platform's routing and tracing contract; growth happens inside ``data``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    event_id: UUID
    """Unique per event; consumers de-duplicate on it (delivery is at-least-once)."""
    event_type: NonEmptyStr
    """Name of the event, e.g. ``ProductRated``; selects the schema of ``data``."""
    schema_version: int = Field(ge=1, strict=True)
    """Version of this event type's schema; a breaking change bumps it and the topic suffix."""
    occurred_at: AwareDatetime
    """When the fact happened, RFC 3339 with an explicit offset (naive times are rejected)."""
    source: Service
    """The service that produced the event."""
    product_id: NonEmptyStr
    """The OCOP product the event is about; also the Kafka key, so one product stays ordered."""
    correlation_id: UUID
    """Id of the whole business flow (registration → rating → reward/inspection)."""
    causation_id: UUID | None
    """``event_id`` of the event that caused this one, or null when a person or clock started it."""
    actor: Actor | None
    """Who decided, or null for automatic decisions."""
    data: DataT
    """The event's own fields."""
