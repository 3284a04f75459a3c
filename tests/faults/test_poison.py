"""Poison records of every kind in the middle of the load: each reaches its service's dead letters once (table and
topic), and the valid events around them all take effect."""

from __future__ import annotations

import time
import uuid

import asyncpg
import pytest

from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC, kafka_headers, serialize_event
from tests.faults.load import wait_for
from tests.faults.poison import (
    CONSUMERS,
    assert_dead_lettered_once,
    dead_letter_copies,
    header,
    kinds,
    registered,
    send,
    send_poisons,
)
from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration

TOPICS = [PRODUCT_REGISTERED_TOPIC, PRODUCT_RATED_TOPIC]


async def _dead_lettered(database_url: str, sent: list) -> set[tuple[str, int, int]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = []
        for service in ("rating", "registration"):
            rows += await conn.fetch(f"SELECT consumer, topic, kafka_partition, kafka_offset FROM {service}.dead_letters")
    finally:
        await conn.close()
    return {(r["topic"], r["kafka_partition"], r["kafka_offset"]) for r in rows if r["consumer"] in CONSUMERS.values()}



@pytest.mark.parametrize("seed", seeds())
async def test_poison_of_every_kind_is_dead_lettered_once_and_the_rest_flows(system, seed):
    scenario = Scenario(system, "poison records of 11 kinds on 2 topics", seed)

    async def poison() -> list:
        return await send_poisons(system.bootstrap_servers, TOPICS)

    await scenario.under_load(poison)
    sent = scenario.outcome
    wanted = {(s.topic, s.partition, s.offset) for s in sent}

    async def all_dead_lettered() -> bool:
        return wanted <= await _dead_lettered(system.database_url, sent)

    await wait_for(all_dead_lettered, timeout=60, what=f"{len(sent)} poison records in the dead_letters tables")
    await scenario.settle(republish_faults=0)
    for service, topic in (("rating", PRODUCT_REGISTERED_TOPIC), ("registration", PRODUCT_RATED_TOPIC)):
        copies = await dead_letter_copies(system.bootstrap_servers, service)
        assert_dead_lettered_once([s for s in sent if s.topic == topic], copies)


async def _dossiers(database_url: str, products: list[str]) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM rating.dossiers WHERE product_id = ANY($1)", products)
    finally:
        await conn.close()


async def test_records_failing_in_the_handler_hold_no_other_partition(system):
    """Point 5: ten records that fail in rating's handler (retried with back-off, then dead-lettered) sit on
    partitions 0-2; ten valid events on partitions 3-5 take effect at once, not after the retries."""
    bad = [(f"bad-{i}", PRODUCT_REGISTERED_TOPIC, *kinds(PRODUCT_REGISTERED_TOPIC)["NUL in a string"], i % 3)
           for i in range(10)]
    valid = [registered(f"hol-{uuid.uuid4().hex[:8]}") for _ in range(10)]
    good = [(f"good-{i}", PRODUCT_REGISTERED_TOPIC, serialize_event(e), kafka_headers(e), 3 + i % 3)
            for i, e in enumerate(valid)]
    sent = await send(system.bootstrap_servers, bad + good)
    started = time.monotonic()
    products = [e.product_id for e in valid]

    async def all_valid_taken() -> bool:
        return await _dossiers(system.database_url, products) == len(products)

    took = await wait_for(all_valid_taken, timeout=60, what="the ten valid events in rating's dossiers")
    # Ten bad records retried in turn would hold them for 10 × (0.2 + 0.4 + 0.6) s; in parallel, none.
    assert took < 5.0, f"valid events took effect {took:.1f} s after being sent, behind the failing ones"
    wanted = {s.origin for s in sent[:10]}

    async def all_dead_lettered() -> bool:
        return wanted <= await _dead_lettered(system.database_url, sent)

    await wait_for(all_dead_lettered, timeout=60, what="the ten failing records dead-lettered")
    copies = await dead_letter_copies(system.bootstrap_servers, "rating")
    for s in sent[:10]:
        [letter] = copies.get(s.origin, [None])
        assert letter is not None and int(header(letter, "dlq.attempts")) > 1, f"{s.kind} was not retried"
    assert time.monotonic() - started < 60
