"""Pipeline health over the real broker and PostgreSQL: a service's consumer group stopped while events arrive falls
behind by exactly those events, as old as its oldest unconsumed record, and alerts; started again it catches up."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from shared.contracts import kafka_headers, serialize_event
from shared.contracts.roles import Role
from tests.kernel.support import eventually, new_topic, produce, tally_service
from tests.kernel.tally import registered
from tests.monitoring.test_operations_helpers import group_of, health, monitoring, produce_at, service_in, token

pytestmark = pytest.mark.asyncio(loop_scope="module")
TWO_HOURS_MS = 2 * 3600 * 1000


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(launcher) -> AsyncIterator[tuple[Any, Any, Any]]:
    async with monitoring(launcher, alert_lag_messages=3, alert_lag_seconds=600) as running:
        yield running


async def received(runtime: Any) -> int:
    async with runtime.pool.acquire() as conn:
        return await conn.fetchval("SELECT coalesce(sum(messages), 0) FROM received")


async def group_when(service: Any, group: str, ready: Any) -> dict[str, Any]:
    client, settings, _ = service

    async def check() -> dict[str, Any] | None:
        found = group_of(await health(client, settings), group)
        return found if found is not None and ready(found) else None

    return await eventually(check, timeout=60, what=f"group {group} in the pipeline health")


async def test_a_group_stopped_while_events_arrive_lags_by_them_in_messages_and_seconds(service, launcher):
    client, settings, _ = service
    topic, name = new_topic(launcher, "test.ops.lag"), f"kt_lag_{uuid.uuid4().hex[:8]}"
    group = f"ocop-{name}.tally-counter"
    first = [registered(f"lag-{i}-{uuid.uuid4().hex[:6]}") for i in range(3)]
    async with tally_service(launcher, topic, name=name) as tally:
        await produce(launcher.bootstrap_servers, topic,
                      [(e.product_id.encode(), serialize_event(e), kafka_headers(e)) for e in first])
        await eventually(lambda: _at_least(tally, 3), what="the three first events consumed")
        caught_up = await group_when(service, group, lambda g: sum(p["committed"] or 0 for p in g["partitions"]) == 3)
        assert caught_up["lag_messages"] == 0 and caught_up["seconds_behind"] == 0

    # Stopped: the group keeps its committed offsets while five events arrive, stamped two hours ago.
    late = [registered(f"late-{i}-{uuid.uuid4().hex[:6]}") for i in range(5)]
    await produce_at(launcher.bootstrap_servers, topic, late, int(time.time() * 1000) - TWO_HOURS_MS)
    report = await health(client, settings)

    behind = group_of(report, group)
    assert behind is not None and behind["service"] == name and behind["subscription"] == "tally-counter"
    assert behind["lag_messages"] == 5
    assert {p["topic"] for p in behind["partitions"]} == {topic} and len(behind["partitions"]) == 3
    for p in behind["partitions"]:
        assert p["lag"] == p["end"] - (p["committed"] or 0)
        assert (p["seconds_behind"] >= 7000) if p["lag"] else p["seconds_behind"] == 0
    assert behind["seconds_behind"] >= 7000
    mine = {(a["kind"], a["subject"]) for a in report["alerts"]}
    assert {("consumer_lag", group), ("consumer_delay", group)} <= mine and report["state"] == "alert"
    tables = service_in(report, name)
    assert tables is not None and tables["found"] and tables["outbox_pending"] == 0

    async with tally_service(launcher, topic, name=name) as tally:
        await eventually(lambda: _at_least(tally, 8), what="the late events consumed after the restart")
        again = await group_when(service, group, lambda g: g["lag_messages"] == 0)
        assert await received(tally) == 8  # each once
    assert again["seconds_behind"] == 0


async def _at_least(runtime: Any, count: int) -> bool:
    return await received(runtime) >= count


async def test_only_operators_see_pipeline_health(service):
    client, settings, _ = service
    for role in (Role.provincial_office, Role.inspector, Role.central_office):
        assert (await client.get("/pipeline/health", headers=token(settings, role))).status_code == 403
    assert (await client.get("/pipeline/health")).status_code == 401
