"""Registration's subscribers on faststream's TestKafkaBroker with the in-memory unit of work (tests/fast_broker.py)."""

from __future__ import annotations

import uuid

import pytest

from services.registration.entrypoints.subscribers import SUBSCRIPTIONS
from shared.contracts import CONTRACTS
from tests.fast_broker import subscribed
from tests.registration.test_handlers_unit import ports, rated, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.asyncio


def _history(store, product_id: str) -> list[str]:
    return [e.event_type for e in store.events if e.stream_id == product_id]


async def test_a_rating_heard_twice_is_recorded_once_in_the_product_file(store, ports):
    product_id = f"TH-{uuid.uuid4().hex[:8]}"
    event = rated(product_id)
    async with subscribed("registration", SUBSCRIPTIONS, ports) as broker:
        await broker.deliver(event)
        await broker.deliver(event)

    assert _history(store, product_id) == ["RatingRecorded"]
    assert ("registration.product-rated", event.event_id) in store.inbox


async def test_a_malformed_rating_is_dead_lettered_once_and_the_next_rating_still_recorded(store, ports):
    product_id = f"TH-{uuid.uuid4().hex[:8]}"
    async with subscribed("registration", SUBSCRIPTIONS, ports) as broker:
        await broker.broker.publish(b'{"event_type": "ProductRated"}', CONTRACTS["ProductRated"].topic, key=b"junk")
        await broker.deliver(rated(product_id))
        assert len(broker.dead_letters) == 1
        assert broker.dead_letter_errors()[0].startswith("malformed event")
    assert _history(store, product_id) == ["RatingRecorded"]
