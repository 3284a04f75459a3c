"""Two replicas of registration and two of rating on one database and one broker, as the Kubernetes manifests run
them (deploy/k8s, ``replicas: 2``): each replica its own process and port, both in the service's consumer groups.

The replicas split rating's partitions between them, exactly one relay of each service publishes, both replicas of
each service answer HTTP, and no effect is doubled: every product a district list sends is published once and opens
exactly one dossier.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections import Counter

import asyncpg
import httpx
import pytest

from shared.auth import mint_token
from shared.contracts import CONTRACTS
from shared.contracts.roles import Role
from shared.contracts.topics import TOPIC_PARTITIONS
from shared.kafka import read_topic
from shared.settings import KernelSettings
from tests.faults.load import wait_for
from ocop.infra.ports import free_port
from tests.system.processes import fresh_database, module_process

EXTERNAL_BROKER = "OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS"
TOPIC = CONTRACTS["ProductRegistered"].topic
CONSUMER = "rating.product-registered"
DISTRICTS = ("401", "380")
PRODUCTS_PER_DISTRICT = 8

# Sessions of one database holding a service's relay lock (an advisory lock taken by its relay's connection).
LOCK_HOLDERS = """
SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1 AND a.datname = current_database()
"""


def _headers(role: Role, district: str | None = None) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id=f"scale-{role}", role=role,
                                                    district=district)}


async def _statuses(client: httpx.AsyncClient, urls: list[str]) -> list[dict]:
    answers = [await client.get(url + "/ops/status", headers=_headers(Role.operator)) for url in urls]
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    return [a.json() for a in answers]


async def _register(client: httpx.AsyncClient, urls: list[str], run: str) -> dict[str, list[str]]:
    """Products of two districts through registration, each request to the replicas in turn; one list per district
    (each district's list sent by a different replica). Returns the product ids each list sent."""
    turn = 0

    async def post(path: str, body: dict, headers: dict[str, str]) -> dict:
        nonlocal turn
        turn += 1
        answer = await client.post(urls[turn % 2] + path, json=body, headers=headers)
        assert answer.status_code in (200, 201), f"{path}: {answer.status_code} {answer.text}"
        return answer.json()

    sent: dict[str, list[str]] = {}
    for n, district in enumerate(DISTRICTS):
        officer = _headers(Role.district_officer, district)
        commune = (await client.get(f"{urls[0]}/reference/districts/{district}/communes")).json()[0]["code"]
        registrations = []
        for i in range(PRODUCTS_PER_DISTRICT):
            producer_id = f"so-{run}-{district}-{i}"
            await post("/producers", {"producer_id": producer_id, "name": f"HTX Hai bản sao {run} {district} {i}",
                                      "legal_form": "cooperative", "district_code": district,
                                      "commune_code": commune}, officer)
            product = {"name": f"Chiếu cói {run} {district} {i}", "product_set": 24, "description": "chiếu cói dệt tay"}
            submitted = await post("/registrations", {"producer_id": producer_id, "cycle_year": 2021, "form": "01",
                                                      "product": product}, officer)
            registration_id = submitted["registration_id"]
            await post(f"/registrations/{registration_id}/commune-proposal", {}, officer)
            await post(f"/registrations/{registration_id}/selection", {}, officer)
            registrations.append(registration_id)
        answer = await client.post(f"{urls[n % 2]}/districts/{district}/lists", headers=officer,
                                   json={"cycle_year": 2021, "registration_ids": registrations})
        assert answer.status_code == 201, answer.text
        sent[urls[n % 2]] = answer.json()["product_ids"]
    return sent


async def _published(bootstrap_servers: str, products: set[str]) -> Counter[str]:
    """How many times each of ``products`` is on ProductRegistered's topic (the broker's record, not any service's)."""
    seen: Counter[str] = Counter()
    for record in await read_topic(bootstrap_servers, TOPIC):
        seen.update(p for p in products if p.encode() in (record.value or b""))
    return seen


async def test_two_replicas_split_the_partitions_one_relay_publishes_and_no_effect_is_doubled(launcher, tmp_path):
    if os.environ.get(EXTERNAL_BROKER):
        # As in tests/faults/test_relay_leadership.py: on noida-db 0.2.3 a group that gained a member was seen to strand
        # a partition for good, which would starve every later test of that group; `make test` runs this on Tansu.
        pytest.skip(f"adds members to rating's and registration's consumer groups; the external broker "
                    f"{os.environ[EXTERNAL_BROKER]} (noida-db) was seen to strand a partition of a group that gained one")
    database_url = await asyncio.to_thread(fresh_database, launcher, "scale_out")  # it runs a loop of its own
    env = {"OCOP_DATABASE_URL": database_url, "OCOP_RATING_EXPIRY_CHECK_AT": ""}
    run = uuid.uuid4().hex[:6]

    def replica(name: str, n: int) -> contextlib.AbstractContextManager[str]:
        port = free_port()
        return module_process(f"services.{name}", port, {**launcher.service_env(name, port), **env},
                              tmp_path / f"{name}-{n}.log")

    with contextlib.ExitStack() as stack:
        registration = [stack.enter_context(replica("registration", n)) for n in (1, 2)]
        rating = [stack.enter_context(replica("rating", n)) for n in (1, 2)]
        async with httpx.AsyncClient(timeout=30) as client:

            async def split() -> bool:
                owned = [set(s["assigned_partitions"].get(CONSUMER, [])) for s in await _statuses(client, rating)]
                return all(owned) and not owned[0] & owned[1] and len(owned[0] | owned[1]) == TOPIC_PARTITIONS

            await wait_for(split, timeout=90, what="rating's two replicas sharing ProductRegistered's partitions")
            owned = [set(s["assigned_partitions"][CONSUMER]) for s in await _statuses(client, rating)]
            assert owned[0] | owned[1] == {f"{TOPIC}:{p}" for p in range(TOPIC_PARTITIONS)}
            assert not owned[0] & owned[1] and owned[0] and owned[1]

            async def leaders() -> list[int]:
                return [sum(s["relay_leader"] for s in await _statuses(client, urls)) for urls in (registration, rating)]

            async def one_leader_each() -> bool:
                return await leaders() == [1, 1]

            await wait_for(one_leader_each, timeout=60, what="one relay leading in each service")

            sent = await _register(client, registration, run)
            products = {p for ids in sent.values() for p in ids}
            assert len(products) == len(DISTRICTS) * PRODUCTS_PER_DISTRICT
            assert len(sent) == 2, "each replica of registration sent one of the lists"

            conn = await asyncpg.connect(database_url)
            try:
                async def all_dossiers() -> bool:
                    return await conn.fetchval("SELECT count(*) FROM rating.dossiers WHERE product_id = ANY($1)",
                                               list(products)) == len(products)

                await wait_for(all_dossiers, timeout=120, what="a dossier for every product sent")
                opened = await conn.fetch("SELECT stream_id, count(*) AS n FROM rating.events WHERE event_type ="
                                          " 'DossierOpened' AND stream_id = ANY($1) GROUP BY stream_id", list(products))
                assert {r["stream_id"]: r["n"] for r in opened} == {p: 1 for p in products}

                async def outbox_marked() -> bool:  # the relay marks a batch after the broker took it
                    return not await conn.fetchval("SELECT count(*) FROM registration.outbox WHERE published_at IS NULL")

                await wait_for(outbox_marked, timeout=60, what="registration's outbox marked published")
                for service in ("registration", "rating"):
                    assert await conn.fetchval(LOCK_HOLDERS, f"ocop-{service}") == 1, f"one {service} relay lock"
            finally:
                await conn.close()
            assert await _published(launcher.bootstrap_servers, products) == Counter({p: 1 for p in products})

            for url in rating:  # both rating replicas answer, from the same read models
                answer = await client.get(f"{url}/dossiers/{next(iter(products))}",
                                          headers=_headers(Role.provincial_office))
                assert answer.status_code == 200, answer.text
            assert await leaders() == [1, 1], "still one relay leading in each service"
