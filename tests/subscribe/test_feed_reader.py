"""The feed reader against the feed's contract (answers made by httpx.MockTransport): pages, refusals, rate limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.feed import FeedReader, Unreachable, feed_url
from tests.subscribe.events import registration


def cloudevent(position: int, envelope: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": envelope["event_id"], "type": "vn.ocop.ProductRegistered.v1",
            "position": position, "data": envelope}


def reader(handler: Any, **options: Any) -> FeedReader:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return FeedReader("http://monitoring:8004/", "k-1.secret", client=client, **options)


def test_the_feed_is_found_from_monitorings_address_or_its_own() -> None:
    assert feed_url("http://m:8004/") == feed_url("http://m:8004/v1/feed") == "http://m:8004/v1/feed"


async def test_a_page_carries_the_events_and_the_position_to_resume_from() -> None:
    seen: list[httpx.Request] = []
    events = [cloudevent(8, registration("sp-1", "380")), cloudevent(11, registration("sp-2", "381"))]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=events, headers={"X-OCOP-Feed-Position": "11"})

    page = await reader(handler, limit=2).page(7, wait=30)
    assert [e.position for e in page.events] == [8, 11] and page.after == 11
    assert page.events[0].envelope["product_id"] == "sp-1"
    assert dict(seen[0].url.params) == {"after": "7", "limit": "2", "timeout": "30"}
    assert seen[0].headers["X-API-Key"] == "k-1.secret"


async def test_a_rate_limited_read_waits_as_retry_after_says_and_tries_again() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "rate_limited"}),
               httpx.Response(200, json=[], headers={"X-OCOP-Feed-Position": "5"})]
    page = await reader(lambda request: answers.pop(0)).page(5)
    assert (page.events, page.after, answers) == ([], 5, [])


@pytest.mark.parametrize(("status", "says"), [
    (401, "the feed refused the key \\(401\\)"),
    (403, "may not read what was asked \\(403\\): forbidden"),
    (404, "no event feed at http://monitoring:8004/v1/feed"),
    (422, "answered 422: invalid_input; limit must be 1–1000; limit"),
])
async def test_a_refusal_is_one_clear_sentence(status: int, says: str) -> None:
    body = {"detail": {"error": "invalid_input", "message": "limit must be 1–1000", "field": "limit"}} \
        if status == 422 else {"error": "unauthorized" if status == 401 else "forbidden"}
    with pytest.raises(SubscribeError, match=says):
        await reader(lambda request: httpx.Response(status, json=body)).page(0)


async def test_a_feed_that_does_not_answer_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(Unreachable, match="cannot reach the feed at http://monitoring:8004/v1/feed: ConnectError"):
        await reader(refuse).page(0)
    with pytest.raises(Unreachable, match="answered 503"):
        await reader(lambda request: httpx.Response(503, json={"error": "unavailable"})).page(0)


async def test_an_event_the_contract_refuses_is_passed_with_the_reason_and_a_body_that_is_no_batch_is_an_error(
) -> None:
    broken = {**registration("sp-1", "380"), "schema_version": 99}
    answer = [cloudevent(4, broken), cloudevent(5, registration("sp-2", "381"))]
    page = await reader(lambda request: httpx.Response(200, json=answer, headers={"X-OCOP-Feed-Position": "5"})
                        ).page(3)
    assert [e.position for e in page.events] == [5] and page.after == 5 and not page.empty
    assert len(page.skipped) == 1 and page.skipped[0].startswith("position 4") and "refused by the contract" in \
        page.skipped[0]
    with pytest.raises(SubscribeError, match="not a CloudEvents batch"):
        await reader(lambda request: httpx.Response(200, json={"events": []})).page(0)
