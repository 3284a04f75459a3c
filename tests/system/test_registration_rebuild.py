"""Registration's read models rebuilt from its event store equal what live processing built."""

from __future__ import annotations

import uuid

import httpx

from services.registration.service import definition
from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.rebuild import rebuild
from shared.http.app import create_app
from shared.settings import service_settings

TABLES = {
    "producers": "SELECT * FROM producers WHERE producer_id = ANY($1) ORDER BY producer_id",
    "registrations": "SELECT * FROM registrations WHERE producer_id = ANY($1) ORDER BY registration_id",
    "district_lists": "SELECT l.* FROM district_lists l WHERE l.registration_ids ?| (SELECT array_agg(registration_id)"
    " FROM registrations WHERE producer_id = ANY($1)) ORDER BY list_id",
}


async def _snapshot(pool, producers: list[str]) -> dict[str, list[tuple]]:
    async with pool.acquire() as conn:
        return {name: [tuple(r) for r in await conn.fetch(sql, producers)] for name, sql in TABLES.items()}


async def test_rebuilding_registration_read_models_gives_what_live_processing_built(launcher):
    settings = service_settings("registration", database_url=launcher.database_url, kafka_bootstrap_servers=launcher.bootstrap_servers)
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start(consumers=False)
    officer = {"Authorization": "Bearer " + mint_token(settings, actor_id="ds-401", role=Role.district_officer, district="401")}
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registration")
    run = uuid.uuid4().hex[:8]
    producers = [f"rb-{run}-{i}" for i in range(3)]
    try:
        commune = (await client.get("/reference/districts/401/communes")).json()[0]["code"]
        for i, producer_id in enumerate(producers):
            body = {"producer_id": producer_id, "name": f"HTX Cói Nga Sơn {run} {i}", "legal_form": "cooperative",
                    "district_code": "401", "commune_code": commune}
            assert (await client.post("/producers", json=body, headers=officer)).status_code == 201
            product = {"name": f"Chiếu cói {run} {i}", "product_set": 24, "description": "chiếu cói dệt tay"}
            submitted = await client.post("/registrations", json={"producer_id": producer_id, "cycle_year": 2021, "form": "01",
                                                                  "product": product}, headers=officer)
            registration_id = submitted.json()["registration_id"]
            await client.post(f"/registrations/{registration_id}/commune-proposal", json={}, headers=officer)
            step = "selection" if i else "rejection"
            await client.post(f"/registrations/{registration_id}/{step}", json={"reason": "chưa đạt"} if not i else {},
                              headers=officer)
        sent = await client.post("/districts/401/lists", json={"cycle_year": 2021, "registration_ids": [
            r["registration_id"] for r in (await client.get("/registrations", params={"status": "selected", "district_code": "401"},
                                                             headers=officer)).json()["items"] if r["producer_id"] in producers
        ]}, headers=officer)
        assert sent.status_code == 201
        live = await _snapshot(runtime.pool, producers)
        replayed = await rebuild(runtime.pool, runtime.projections, definition.events, batch_size=7)
        rebuilt = await _snapshot(runtime.pool, producers)
    finally:
        await client.aclose()
        await runtime.stop()

    assert replayed > 0
    assert len(live["registrations"]) == 3 and len(live["district_lists"]) == 1
    assert rebuilt == live
