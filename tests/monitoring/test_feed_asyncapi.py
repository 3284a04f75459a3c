"""What the HTTP feed serves is what the AsyncAPI document says of it: a real page of all four event types, over the
real broker and PostgreSQL, validated against the document's ``FeedBatch`` message."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from shared.contracts import asyncapi, generate
from tests.monitoring.feed_support import feed_service
from tests.monitoring.test_operations_helpers import product_flow, publish

pytestmark = pytest.mark.asyncio(loop_scope="module")


def message_schema(document: dict[str, Any], part: str) -> dict[str, Any]:
    """One part of the feed message as a schema whose ``#/components/...`` references resolve in the document."""
    return {**document["components"]["messages"][asyncapi.FEED_MESSAGE][part], "components": document["components"]}


def problems(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = Draft7Validator(schema, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


async def test_a_feed_page_of_every_event_type_matches_the_documented_batch(launcher) -> None:
    document = json.loads(generate.ASYNCAPI_PATH.read_text(encoding="utf-8"))
    flow = product_flow(f"feed-doc-{uuid.uuid4().hex[:10]}")
    async with feed_service(launcher) as feed:
        key = await feed.key()
        for envelope in flow:
            await publish(launcher.bootstrap_servers, envelope)
        await feed.holding(key, {str(e.event_id) for e in flow})
        response = await feed.get(key, limit=1000)

    assert response.status_code == 200
    assert response.headers["content-type"] == document["components"]["messages"][asyncapi.FEED_MESSAGE][
        "contentType"]
    page = response.json()
    assert {event["data"]["event_type"] for event in page} == {e.event_type for e in flow}
    assert problems(message_schema(document, "payload"), page) == []
    headers = {asyncapi.FEED_POSITION_HEADER: int(response.headers[asyncapi.FEED_POSITION_HEADER])}
    assert problems(message_schema(document, "headers"), headers) == []
    # The schema can fail: a page whose event lost its position is refused.
    broken = [{k: v for k, v in page[0].items() if k != "position"}]
    assert problems(message_schema(document, "payload"), broken) == ["0: 'position' is a required property"]
