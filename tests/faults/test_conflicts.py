"""Conflicting commands at once on the same streams, through the real processes: one wins each race, the losers are
refused without a trace, and no product is sent to the province twice."""

from __future__ import annotations

import asyncio
import random
import uuid

import asyncpg
import pytest

from shared.contracts import PRODUCT_REGISTERED_TOPIC
from shared.contracts.roles import Role
from tests.faults.load import Load, Plan
from tests.faults.scenario import Scenario, seeds
from tests.registration.support import communes

pytestmark = pytest.mark.integration
RACERS = 6


async def _race(load: Load, n: int, command: str, method: str, path: str, body: dict, headers: dict, **ids) -> list:
    """``n`` identical commands at once; each answer is recorded (tries=1: a refusal is the answer)."""
    return await asyncio.gather(*(load.command("registration", command, method, path, body, headers, **ids)
                                  for _ in range(n)))


async def _contested_product(load: Load, rng: random.Random, district: str) -> str | None:
    commune = rng.choice(communes(district))
    producer_id = f"race-{load.tag}-{uuid.uuid4().hex[:6]}"
    officer = load._token(actor_id=f"ds-{district}", role=Role.district_officer, district=district)
    producer = await _race(load, RACERS, "register producer", "POST", "/producers",
                           {"producer_id": producer_id, "name": f"HTX đua {producer_id}", "legal_form": "cooperative",
                            "district_code": district, "commune_code": commune}, officer, stream_id=producer_id)
    assert sum(p is not None for p in producer) == 1, "one producer registration wins, the others are refused"
    product = {"name": f"Sản phẩm đua {producer_id}", "product_set": rng.randint(1, 26), "description": "đua"}
    submitted = [s for s in await _race(load, RACERS, "submit", "POST", "/registrations",
                                        {"producer_id": producer_id, "cycle_year": 2021, "form": "01", "product": product},
                                        load._token(actor_id=producer_id, role=Role.producer), stream_id="registration_id")
                 if s is not None]
    assert len(submitted) == 1, f"{len(submitted)} of {RACERS} identical submissions accepted"
    registration_id, version = submitted[0]["registration_id"], submitted[0]["version"]
    commune_officer = load._token(actor_id=f"xa-{commune}", role=Role.commune_officer, district=district, commune=commune)
    for step, headers in (("commune-proposal", commune_officer), ("selection", officer)):
        won = [w for w in await _race(load, RACERS, step, "POST", f"/registrations/{registration_id}/{step}",
                                      {"expected_version": version}, headers, stream_id=registration_id)
               if w is not None]
        assert len(won) == 1, f"{len(won)} of {RACERS} {step}s at version {version} accepted"
        version = won[0]["version"]
    return registration_id


@pytest.mark.parametrize("seed", seeds())
async def test_conflicting_commands_at_once_leave_one_outcome_each(system, seed):
    scenario = Scenario(system, "conflicting commands at once", seed)
    load = Load({key: system.url(key) for key in ("registration", "rating")}, scenario.history, seed=seed,
                plan=Plan(tries=1))
    scenario.since = await scenario.checker.watermark()
    rng = random.Random(seed)
    district = rng.choice(["380", "394", "395", "401"])
    registrations = [await _contested_product(load, rng, district) for _ in range(3)]
    officer = load._token(actor_id=f"ds-{district}", role=Role.district_officer, district=district)
    lists = await _race(load, RACERS, "send list", "POST", f"/districts/{district}/lists",
                        {"cycle_year": 2021, "registration_ids": registrations}, officer, stream_id="list_id")
    assert sum(x is not None for x in lists) == 1, "one list takes the registrations, the others are refused"
    products = [a.product_ids[0] for a in scenario.history.acked("submit")]
    scenario.history.sent.update({p: district for p in products})
    await scenario.settle()

    conn = await asyncpg.connect(system.database_url)
    try:
        sent = await conn.fetch("SELECT message_key, count(*) AS n FROM registration.outbox WHERE topic = $1"
                                " AND message_key = ANY($2) GROUP BY message_key", PRODUCT_REGISTERED_TOPIC, products)
    finally:
        await conn.close()
    assert sorted((r["message_key"], r["n"]) for r in sent) == sorted((p, 1) for p in products)
