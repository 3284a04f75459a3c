"""A service process answers commands within seconds of its start, even right after a kill -9 of its previous instance,
whose consumer-group members the broker keeps until their session times out; its consumers join in the background,
every group at once, and then consume."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from ocop.infra.ports import free_port
from ocop.launcher import ROOT
from shared.auth import mint_token
from shared.contracts import PRODUCT_RATED_TOPIC, kafka_headers, kafka_key, new_envelope, serialize_event
from shared.contracts.roles import Role
from shared.settings import KernelSettings
from tests.kernel.support import eventually, produce

DISTRICT, COMMUNE = "394", "15397"  # Huyện Yên Định, one of its communes


def _serve(launcher: Any, port: int, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "ocop.cli", "serve", "registration"], cwd=ROOT,
                                env=launcher.service_env("registration", port), stdout=out, stderr=subprocess.STDOUT)


def _bearer(role: Role, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id="t-1", role=role, **claims)}


async def _register_producer(http: httpx.AsyncClient) -> int | None:
    body = {"producer_id": f"p-{uuid.uuid4().hex[:12]}", "name": "HTX Yên Định", "legal_form": "cooperative",
            "district_code": DISTRICT, "commune_code": COMMUNE}
    try:
        response = await http.post("/producers", json=body, headers=_bearer(Role.district_officer, district=DISTRICT))
    except httpx.TransportError:
        return None  # not listening yet
    assert response.status_code == 201, response.text
    return response.status_code


async def _consumers(http: httpx.AsyncClient) -> dict[str, str] | None:
    response = await http.get("/ops/status", headers=_bearer(Role.operator))
    consumers = response.json()["consumers"]
    return consumers if consumers and set(consumers.values()) == {"joined"} else None


async def _consumed(database_url: str, event_id: uuid.UUID) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM registration.inbox WHERE event_id = $1", event_id))
    finally:
        await conn.close()


def _rating(product_id: str) -> Any:
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": f"EV-{uuid.uuid4().hex[:8]}", "cycle_year": 2021, "level": "district", "average_score": 71.25,
        "stars": 3, "status": "recognized", "decision": None, "certificate": None, "reason": None, "inspection_id": None})


@pytest.mark.usefixtures("dead_members_expire")  # the killed instance's members must leave their groups
async def test_a_service_restarted_after_kill_9_answers_commands_before_its_groups_join_and_consumes_after(
        launcher, tmp_path):
    port = free_port()
    log = tmp_path / "registration.log"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        first = _serve(launcher, port, log)
        try:
            await eventually(lambda: _register_producer(http), timeout=60, what="the first instance answering")
            await eventually(lambda: _consumers(http), timeout=60, what="the first instance's groups joined")
        finally:
            first.send_signal(signal.SIGKILL)  # its members stay in their groups until their session times out
            first.wait(10)

        started = time.monotonic()
        second = _serve(launcher, port, log)
        try:
            await eventually(lambda: _register_producer(http), timeout=30, what="a command answered after the restart")
            answered = time.monotonic() - started
            status = (await http.get("/ops/status", headers=_bearer(Role.operator))).json()
            await eventually(lambda: _consumers(http), timeout=60, what="the groups joined again")
            joined = time.monotonic() - started
            rated = _rating(f"startup-{uuid.uuid4().hex[:8]}")
            await produce(launcher.bootstrap_servers, PRODUCT_RATED_TOPIC,
                          [(kafka_key(rated), serialize_event(rated), kafka_headers(rated))])
            await eventually(lambda: _consumed(launcher.database_url, rated.event_id), timeout=30, what="the rating consumed")
            consumed = time.monotonic() - started
        finally:
            second.terminate()
            second.wait(30)

    print(f"\nrestart after kill -9: first command answered {answered:.2f} s after process start; consumer groups"
          f" joined {joined:.2f} s; a new event consumed {consumed:.2f} s; groups at first answer: {status['consumers']}")
    # Ordering, not a stopwatch (timings belong to make faults / make bench): the first command was answered while
    # the groups the dead instance still held were joining, so the API waited for none of them.
    assert set(status["consumers"].values()) != {"joined"}, (status, log.read_text()[-3000:])
    assert answered < joined
    assert set(status["consumers"]) == {"registration.product-rated", "registration.inspection-failed"}
