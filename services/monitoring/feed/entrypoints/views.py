"""What the feed's routes answer, as the OpenAPI document states it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.monitoring.feed.adapters.reads import Read


class FeedEvent(BaseModel):
    """One public event as a CloudEvent 1.0 in JSON structured mode."""

    specversion: Literal["1.0"]
    id: str = Field(description="the envelope's event_id")
    source: str = Field(description="the producing service, /ocop/thanh-hoa/<service>")
    type: str = Field(description="vn.ocop.<EventType>.v<schema_version>")
    time: str = Field(description="occurred_at, RFC 3339")
    subject: str = Field(description="the product id")
    dataschema: str = Field(description="the JSON Schema's $id of the envelope (GET /v1/feed/schemas/{name})")
    datacontenttype: Literal["application/json"]
    position: int = Field(description="the event's position in the feed: pass the last one processed as `after`")
    data: dict[str, Any] = Field(description="the envelope, as published on Kafka")


class FeedRead(BaseModel):
    key_id: str
    organisation: str
    after: int = Field(description="the position the reader gave")
    returned: int = Field(description="how many events the page held")
    last_position: int = Field(description="the position the reader was told to pass next")
    filters: dict[str, Any] = Field(description="type, product, district, since as asked (type: within the key's scope)")
    at: datetime

    @classmethod
    def of(cls, read: Read) -> FeedRead:
        return cls(key_id=read.key_id, organisation=read.organisation, after=read.after, returned=read.returned,
                   last_position=read.last_position, filters=read.filters, at=read.at)


class FeedReadPage(BaseModel):
    total: int
    items: list[FeedRead]
