"""Rating's subscribers on faststream's TestKafkaBroker with the in-memory unit of work (see tests/fast_broker.py)."""

from __future__ import annotations

import uuid

import pytest

from services.rating.domain.dossier import RatingDossier
from services.rating.entrypoints.subscribers import SUBSCRIPTIONS
from tests.fast_broker import subscribed
from tests.rating.test_handlers_unit import inspection_failed, ports, registered, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.asyncio


async def _dossier_events(store, product_id: str) -> list[str]:
    return [e.event_type for e in store.events if e.stream_id == product_id]


async def test_a_registered_product_opens_one_dossier_even_when_its_event_comes_twice(store, ports):
    product_id = f"TH-{uuid.uuid4().hex[:8]}"
    event = registered(product_id)
    async with subscribed("rating", SUBSCRIPTIONS, ports) as broker:
        await broker.deliver(event)
        await broker.deliver(event)

    assert await _dossier_events(store, product_id) == ["DossierOpened"]
    async with ports.uow() as uow:
        dossier = await uow.repository(RatingDossier).get(product_id)
    assert (dossier.stage, dossier.product_set) == ("district", 5)
    assert ("rating.product-registered", event.event_id) in store.inbox


async def test_a_product_set_outside_the_26_goes_to_the_dead_letter_topic_at_once_naming_the_field(store, ports):
    product_id = f"TH-{uuid.uuid4().hex[:8]}"
    event = registered(product_id)
    event = event.model_copy(update={"data": event.data.model_copy(
        update={"product": event.data.product.model_copy(update={"product_set": 27})})})
    async with subscribed("rating", SUBSCRIPTIONS, ports) as broker:
        await broker.deliver(event)
        assert len(broker.dead_letters) == 1
        assert "data.product.product_set" in broker.dead_letter_errors()[0]
        assert next(v for k, v in broker.dead_letters[0].headers if k == "dlq.attempts") == b"1"
    assert await _dossier_events(store, product_id) == []


async def test_an_inspection_of_a_product_rating_never_met_is_dead_lettered_and_the_next_event_still_handled(store, ports):
    stranger, newcomer = f"TH-{uuid.uuid4().hex[:8]}", f"TH-{uuid.uuid4().hex[:8]}"
    async with subscribed("rating", SUBSCRIPTIONS, ports) as broker:
        await broker.deliver(inspection_failed(stranger, "OCOP-TH-2021-001"))
        await broker.deliver(registered(newcomer))
        assert len(broker.dead_letters) == 1 and stranger in broker.dead_letter_errors()[0]
    assert await _dossier_events(store, newcomer) == ["DossierOpened"]
