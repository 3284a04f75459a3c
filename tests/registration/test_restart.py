"""The whole system stopped and started again on a new, empty broker: every ProductRegistered is published again,
once, and the registration read models are exactly as they were."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import asyncpg
import httpx

from ocop.infra.ports import free_port
from ocop.launcher import ROOT, Launcher
from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC, kafka_headers, kafka_key, new_envelope, serialize_event
from shared.settings import SERVICES, KernelSettings
from tests.kernel.support import produce
from tests.registration.support import (
    YEN_DINH,
    RegistrationClient,
    eventually,
    header,
    keyed,
    run_id,
)

SNAPSHOT = {
    "producers": "SELECT * FROM producers WHERE producer_id = ANY($1) ORDER BY producer_id",
    "registrations": "SELECT * FROM registrations WHERE producer_id = ANY($1) ORDER BY registration_id",
    "district_lists": "SELECT * FROM district_lists WHERE list_id = ANY($1) ORDER BY list_id",
    "product_views": "SELECT * FROM product_views WHERE product_id = ANY($1) ORDER BY product_id",
    "product_certificates": "SELECT * FROM product_certificates WHERE product_id = ANY($1) ORDER BY certificate_number",
}


async def _projections(database_url: str, producers: list[str], lists: list[str], products: list[str]) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "registration"})
    try:
        ids = {"producers": producers, "registrations": producers, "district_lists": lists, "product_views": products,
               "product_certificates": products}
        return {name: [tuple(r) for r in await conn.fetch(sql, ids[name])] for name, sql in SNAPSHOT.items()}
    finally:
        await conn.close()


async def _events_on_topic(bootstrap: str, product_ids: set[str]) -> list[tuple[str, str]]:
    from tests.registration.support import topic_records

    records = keyed(await topic_records(bootstrap, PRODUCT_REGISTERED_TOPIC), product_ids)
    return sorted((r.key.decode(), header(r, "event_id")) for r in records)


async def _drained(api: RegistrationClient) -> bool:
    response = await api.client.get("/ops/status", headers=api.operator())
    return response.status_code == 200 and response.json()["outbox_pending"] == 0


def _second_system(launcher: Launcher) -> Launcher:
    env = dict(os.environ)
    env.pop("OCOP_KAFKA_BOOTSTRAP_SERVERS", None)
    env["OCOP_DATABASE_URL"] = launcher.database_url
    env.update({f"OCOP_{name.upper()}_PORT": str(free_port()) for name in SERVICES})
    return Launcher(state_dir=ROOT / ".ocop" / "test-reg-restart", env=env, services=SERVICES, broker_port=free_port())


async def test_a_new_empty_broker_gets_every_product_registered_again_and_the_read_models_stay_equal(launcher):
    system = _second_system(launcher)
    try:
        await asyncio.to_thread(system.start_infrastructure)
        await asyncio.to_thread(system.start_services)
        port = system.processes["registration"].port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            api = RegistrationClient(client, KernelSettings())
            run = run_id()
            producer = await api.new_producer(name=f"HTX Yên Định {run}", district=YEN_DINH)
            chosen = [await api.selected(f"{name} {run}", producer_id=producer["producer_id"], district=YEN_DINH,
                                         commune=producer["commune_code"], product_set=number)
                      for name, number in (("Bánh gai", 6), ("Nem chua", 8), ("Rượu nếp", 15))]
            returned = await api.returned(f"Chè lam {run}", producer_id=producer["producer_id"], district=YEN_DINH,
                                          commune=producer["commune_code"])
            sent = await api.send_list(YEN_DINH, [r.registration_id for r in chosen])
            assert sent.status_code == 201, sent.text
            product_ids = {r.product_id for r in chosen}
            rated = new_envelope("ProductRated", chosen[0].product_id, {
                "evaluation_id": f"EV-{run}", "cycle_year": 2021, "level": "district", "average_score": 71.25, "stars": 3,
                "status": "recognized", "decision": None, "certificate": None, "reason": None, "inspection_id": None})
            await produce(system.bootstrap_servers, PRODUCT_RATED_TOPIC,
                          [(kafka_key(rated), serialize_event(rated), kafka_headers(rated))])

            async def registered_on_the_topic():
                events = await _events_on_topic(system.bootstrap_servers, product_ids)
                return events if {key for key, _ in events} == product_ids else None

            async def rated_in_the_view():
                [view] = [p for p in await api.products_of(producer["producer_id"]) if p["product_id"] == rated.product_id]
                return view["stars"] == 3

            await eventually(registered_on_the_topic, timeout=90, what="ProductRegistered on the first broker")
            await eventually(lambda: _drained(api), timeout=90, what="the outbox drained")
            await eventually(rated_in_the_view, timeout=90, what="the rating in the producer's view")
            topic_before = await _events_on_topic(system.bootstrap_servers, product_ids)
            lists = [sent.json()["list_id"]]
            products = sorted(product_ids | {returned.product_id})
            before = await _projections(launcher.database_url, [producer["producer_id"]], lists, products)
        old_cluster = system.broker.cluster_id

        await asyncio.to_thread(system.restart_broker_empty)
        new_cluster = system.broker.cluster_id

        port = system.processes["registration"].port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            api = RegistrationClient(client, KernelSettings())

            async def registered_again():
                events = await _events_on_topic(system.bootstrap_servers, product_ids)
                return events if {key for key, _ in events} == product_ids else None

            await eventually(registered_again, timeout=120, what="ProductRegistered on the new broker")
            await eventually(lambda: _drained(api), timeout=90, what="the outbox drained after the restart")
            topic_after = await _events_on_topic(system.bootstrap_servers, product_ids)
            after = await _projections(launcher.database_url, [producer["producer_id"]], lists, products)
    finally:
        await asyncio.to_thread(system.stop)

    assert old_cluster and new_cluster and new_cluster != old_cluster
    assert len(topic_before) == 3 and len({event_id for _, event_id in topic_before}) == 3
    assert topic_after == topic_before  # the same event ids, each exactly once
    assert len(before["registrations"]) == 4 and len(before["district_lists"]) == 1 and len(before["product_views"]) == 1
    assert after == before
