"""The HTTP event feed over the real broker and PostgreSQL: order and resume, long-polling, filters, replay from the
start, a position or a date; an event heard twice keeps its first position."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from shared.contracts import CONTRACTS, kafka_headers, serialize_event
from tests.kernel.support import eventually, produce
from tests.monitoring.feed_support import Feed, feed_service
from tests.monitoring.public import registered, rated, reward
from tests.monitoring.test_operations_helpers import product_flow, publish

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def feed(launcher) -> AsyncIterator[Feed]:
    async with feed_service(launcher) as running:
        yield running


async def send(launcher: Any, *envelopes: Any) -> set[str]:
    for envelope in envelopes:
        await publish(launcher.bootstrap_servers, envelope)
    return {str(e.event_id) for e in envelopes}


def product() -> str:
    return f"feed-{uuid.uuid4().hex[:10]}"


async def test_pages_resumed_from_the_position_header_give_every_event_once_in_order(feed, launcher):
    key = await feed.key()
    flows = [product_flow(product()) for _ in range(3)]
    ids = await send(launcher, *(e for flow in flows for e in flow))

    whole = await feed.holding(key, ids)
    paged = await feed.follow(key, limit=4)

    positions = [e["position"] for e in paged]
    assert positions == sorted(set(positions)), "strictly increasing"
    assert [e["id"] for e in paged] == [e["id"] for e in whole]
    assert ids <= {e["id"] for e in paged}
    for flow in flows:
        assert {e["id"] for e in paged if e["subject"] == flow[0].product_id} == {str(e.event_id) for e in flow}


async def test_each_event_is_a_cloudevent_whose_data_is_the_envelope_as_published(feed, launcher):
    key = await feed.key()
    envelope = registered(product(), district_code="380")
    await send(launcher, envelope)

    event = next(e for e in await feed.holding(key, {str(envelope.event_id)}) if e["id"] == str(envelope.event_id))

    assert event["specversion"] == "1.0"
    assert event["type"] == "vn.ocop.ProductRegistered.v1"
    assert event["source"] == "/ocop/thanh-hoa/registration"
    assert event["subject"] == envelope.product_id
    assert event["dataschema"] == "urn:ocop:contracts:ProductRegistered.v1"
    assert event["datacontenttype"] == "application/json"
    assert event["time"] == envelope.occurred_at.isoformat()
    assert isinstance(event["position"], int)
    assert event["data"] == json.loads(serialize_event(envelope))
    schema = await feed.client.get("/v1/feed/schemas/ProductRegistered.v1")
    assert schema.status_code == 200 and schema.json()["$id"] == event["dataschema"]


async def test_the_data_is_the_value_as_published_even_with_fields_this_code_does_not_know(feed, launcher):
    key = await feed.key()
    envelope = rated(product())
    value = json.loads(serialize_event(envelope))
    value["data"]["ghi_chu"] = "trường tùy chọn mới"  # an optional field a newer producer added
    await produce(launcher.bootstrap_servers, CONTRACTS["ProductRated"].topic,
                  [(envelope.product_id.encode(), json.dumps(value, ensure_ascii=False).encode(), kafka_headers(envelope))])

    events = await feed.holding(key, {str(envelope.event_id)}, product=envelope.product_id)

    assert events[0]["data"] == value


async def test_replay_from_a_position_gives_exactly_what_follows_it(feed, launcher):
    key = await feed.key()
    ids = await send(launcher, *product_flow(product()))
    whole = await feed.holding(key, ids)
    middle = whole[len(whole) // 2]

    rest = await feed.follow(key, after=middle["position"], limit=2)

    assert [e["id"] for e in rest] == [e["id"] for e in whole if e["position"] > middle["position"]]


async def test_an_event_heard_twice_keeps_its_first_position_and_appears_once(feed, launcher):
    key = await feed.key()
    p = product()
    first, second = registered(p), rated(p)
    await send(launcher, first)
    before = await feed.holding(key, {str(first.event_id)}, product=p)
    await send(launcher, first, second)  # the repeat travels on the partition before `second`

    after = await feed.holding(key, {str(second.event_id)}, product=p)

    assert [e["id"] for e in after] == [str(first.event_id), str(second.event_id)]
    assert after[0]["position"] == before[0]["position"]


async def test_filters_by_type_product_district_and_date(feed, launcher):
    key = await feed.key()
    here, there = product(), product()
    flow = product_flow(here)  # district 380, from 1 March 2021, a day apart
    elsewhere = [registered(there, district_code="394"), rated(there)]
    ids = await send(launcher, *flow, *elsewhere)
    await feed.holding(key, ids)

    by_product = await feed.follow(key, product=here)
    rated_here = await feed.follow(key, product=here, type="ProductRated")
    two_types = await feed.follow(key, product=here, type=["ProductRated", "RewardApproved"])
    in_394 = await feed.follow(key, district="394")
    since = await feed.follow(key, product=here, since=flow[2].occurred_at.date().isoformat())

    # The feed's order is the order monitoring heard them in: across topics, not the order they were sent.
    assert ids_of(by_product) == {str(e.event_id) for e in flow}
    assert ids_of(rated_here) == {str(flow[1].event_id), str(flow[4].event_id)}
    assert sorted(e["type"] for e in two_types) == ["vn.ocop.ProductRated.v1", "vn.ocop.ProductRated.v1",
                                                    "vn.ocop.RewardApproved.v1"]
    assert here not in {e["subject"] for e in in_394}
    assert {e["id"] for e in in_394 if e["subject"] == there} == {str(e.event_id) for e in elsewhere}
    assert ids_of(since) == {str(e.event_id) for e in flow[2:]}
    for events in (by_product, rated_here, two_types, in_394, since):
        assert [e["position"] for e in events] == sorted({e["position"] for e in events})


def ids_of(events: list[dict[str, Any]]) -> set[str]:
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), "each event once"
    return set(ids)


async def test_a_district_learnt_after_the_event_still_filters_it(feed, launcher):
    """A product's events heard before its registration (another topic) are found by district once it arrives."""
    key = await feed.key()
    p = product()
    early = reward(p)
    await send(launcher, early)
    await feed.holding(key, {str(early.event_id)}, product=p)
    registration = registered(p, district_code="402")
    await send(launcher, registration)
    await feed.holding(key, {str(registration.event_id)}, product=p)

    found = await feed.follow(key, district="402", product=p)

    assert [e["id"] for e in found] == [str(early.event_id), str(registration.event_id)]  # heard in that order


async def test_a_waiting_reader_gets_an_event_committed_after_it_began_to_wait(feed, launcher):
    key = await feed.key()
    p = product()
    _, last = await feed.page(key, after=0, limit=1000)
    waiting_before = feed.state.wakeups.waiting
    reader = asyncio.create_task(feed.page(key, after=last, product=p, timeout=30))
    await eventually(lambda: _true(feed.state.wakeups.waiting > waiting_before), what="the reader waiting")
    envelope = registered(p)
    await send(launcher, envelope)

    events, position = await reader

    assert [e["id"] for e in events] == [str(envelope.event_id)]
    assert position == events[0]["position"] > last


async def test_a_reader_that_waits_in_vain_gets_an_empty_page_and_its_own_position(feed):
    key = await feed.key()
    events, position = await feed.page(key, after=7, product=product(), timeout=0.2)

    assert events == [] and position == 7


async def _true(value: bool) -> bool:
    return value


async def test_a_reader_that_leaves_while_waiting_ends_its_wait(feed):
    key = await feed.key()
    app, left, sent, asked = feed.client._transport.app, asyncio.Event(), [], []  # type: ignore[attr-defined]

    async def receive() -> dict[str, Any]:
        if not asked:
            asked.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/v1/feed", "raw_path": b"/v1/feed", "root_path": "",
             "query_string": f"after=999999999&timeout=30&product={product()}".encode(),
             "headers": [(b"host", b"monitoring"), (b"x-api-key", key.encode())],
             "client": ("127.0.0.1", 50000), "server": ("monitoring", 80)}
    before = feed.state.wakeups.waiting
    call = asyncio.create_task(app(scope, receive, send))
    await eventually(lambda: _true(feed.state.wakeups.waiting > before), what="the reader waiting")

    left.set()
    await asyncio.wait_for(call, 20)  # it asked for 30 s

    assert feed.state.wakeups.waiting == before
    assert sent[0]["status"] == 204
