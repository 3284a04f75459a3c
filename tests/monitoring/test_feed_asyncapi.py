"""What the HTTP feed serves is what the AsyncAPI document says of it: a real page of all four event types, over the
real broker and PostgreSQL, validated against the document's ``FeedBatch`` message."""

from __future__ import annotations

import uuid

import pytest

from shared.contracts import asyncapi
from tests.contracts.asyncapi_wire import document, problems
from tests.monitoring.feed_support import feed_service
from tests.monitoring.test_operations_helpers import product_flow, publish

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_feed_page_of_every_event_type_matches_the_documented_batch(launcher) -> None:
    feed_message = document()["components"]["messages"][asyncapi.FEED_MESSAGE]
    flow = product_flow(f"feed-doc-{uuid.uuid4().hex[:10]}")
    async with feed_service(launcher) as feed:
        key = await feed.key()
        for envelope in flow:
            await publish(launcher.bootstrap_servers, envelope)
        await feed.holding(key, {str(e.event_id) for e in flow})
        response = await feed.get(key, limit=1000)

    assert response.status_code == 200
    assert response.headers["content-type"] == feed_message["contentType"]
    page = response.json()
    assert {event["data"]["event_type"] for event in page} == {e.event_type for e in flow}
    assert problems(feed_message["payload"], page, "page") == []
    headers = {asyncapi.FEED_POSITION_HEADER: int(response.headers[asyncapi.FEED_POSITION_HEADER])}
    assert problems(feed_message["headers"], headers, "header") == []
    # The schema can fail: a page whose event lost its position is refused.
    broken = [{k: v for k, v in page[0].items() if k != "position"}]
    assert problems(feed_message["payload"], broken, "page") == ["page 0: 'position' is a required property"]
