"""Drive the monitoring service over HTTP as its users would, feed it the other services' public events on the real
broker, and read InspectionFailed from its topic.

The PostgreSQL schema and the topics are shared by the whole test session: each test uses random product ids and
district-level units (or plan years) of its own, and compares figures before and after what it sends.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from services.monitoring.service import definition
from shared.auth import mint_token
from shared.contracts import CONTRACTS, INSPECTION_FAILED_TOPIC, kafka_headers, serialize_event
from shared.contracts.roles import Role
from tests.kernel.support import eventually, isolated_settings, produce, running_service, start_groups_at_the_end
from tests.monitoring.public import certified, new_id, registered


async def send(bootstrap: str, *envelopes: Any) -> None:
    """Each envelope to its contract's topic, keyed by its product, in the order given."""
    for envelope in envelopes:
        await produce(bootstrap, CONTRACTS[envelope.event_type].topic,
                      [(envelope.product_id.encode(), serialize_event(envelope), kafka_headers(envelope))])


async def records_about(bootstrap: str, topic: str, product_ids: set[str], *, timeout: float = 60.0
                        ) -> list[ConsumerRecord]:
    """The records of ``topic`` keyed by any of ``product_ids``, once there is at least one for each."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout
        while {r.key.decode() for r in found} != product_ids:
            if time.monotonic() > deadline:
                raise AssertionError(f"records for {sorted(product_ids)} on {topic}: {len(found)} after {timeout}s")
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found += [r for r in records if r.key is not None and r.key.decode() in product_ids]
        return found
    finally:
        await consumer.stop()


async def inspection_failed_records(bootstrap: str, product_ids: set[str]) -> list[ConsumerRecord]:
    return await records_about(bootstrap, INSPECTION_FAILED_TOPIC, product_ids)


class MonitoringDriver:
    """The people of the programme, each with their own token, and the other services' events."""

    def __init__(self, client: httpx.AsyncClient, settings: Any, runtime: Any, bootstrap: str) -> None:
        self.client, self.settings, self.runtime, self.bootstrap = client, settings, runtime, bootstrap

    def token(self, role: Role = Role.provincial_office, district: str | None = None) -> dict[str, str]:
        actor = f"{role.value}-{district or 'tinh'}"
        return {"Authorization": f"Bearer {mint_token(self.settings, actor_id=actor, role=role, district=district)}"}

    async def get(self, path: str, role: Role = Role.provincial_office, district: str | None = None,
                  **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.token(role, district))
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, path: str, body: Any, role: Role = Role.provincial_office, district: str | None = None,
                   method: str = "POST", headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.request(method, path, json=body, headers=self.token(role, district) | (headers or {}))

    async def when(self, path: str, ready: Any, what: str, **params: Any) -> Any:
        """The answer of ``GET path`` once ``ready(answer)`` holds."""
        async def check() -> Any:
            response = await self.client.get(path, params=params, headers=self.token())
            return response.json() if response.status_code == 200 and ready(response.json()) else None

        return await eventually(check, timeout=60, what=what)

    async def certify(self, n: int, district: str, **rating: Any) -> list[tuple[str, Any, str]]:
        """``n`` products registered in ``district`` and recognised (round 1/2021 unless said), as the register has
        them: (product id, its ProductRegistered, its certificate number)."""
        products = [(new_id("sp"), new_id("GCN")) for _ in range(n)]
        sent = []
        for product_id, number in products:
            registration = registered(product_id, district_code=district)
            await send(self.bootstrap, registration, certified(product_id, number, **rating))
            sent.append((product_id, registration, number))
        for product_id, _, number in sent:
            await self.when(f"/register/{product_id}", lambda e: e["product"] and e["certificates"],
                            f"the register entry of {product_id}")
        return sent

    async def plan(self, product_ids: list[str], **fields: Any) -> dict[str, Any]:
        body = {"kind": "periodic", "title": "Kiểm tra sau công nhận 2021", "product_ids": product_ids,
                "planned_on": "2021-09-01", "due_on": "2021-09-30",
                "planner": {"kind": "coordination_office", "name": "Văn phòng Điều phối NTM tỉnh Thanh Hóa"}, **fields}
        response = await self.post("/inspection-plans", body)
        assert response.status_code == 201, response.text
        return response.json()

    async def campaign(self, plan_id: str, *inspections: dict[str, Any], trace_id: str | None = None) -> httpx.Response:
        """The inspectors' campaign, continuing the trace ``trace_id`` when given (as a browser's traceparent would)."""
        headers = {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"} if trace_id else None
        return await self.post(f"/inspection-plans/{plan_id}/campaign", {"inspections": list(inspections)},
                               Role.inspector, headers=headers)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def driver(launcher: Any) -> AsyncIterator[MonitoringDriver]:
    """The monitoring service in-process on the session's PostgreSQL and broker, one per test module, with a schema
    and consumer groups of its own that start at the topics' ends: its figures are what the module sent (other
    modules, finance's for one, send events about the same districts)."""
    settings = isolated_settings(launcher, definition)
    await start_groups_at_the_end(definition, settings)
    async with running_service(launcher, definition, settings) as (client, settings, runtime):
        await runtime.wait_joined()
        yield MonitoringDriver(client, settings, runtime, launcher.bootstrap_servers)


def correlation(envelope: Any) -> str:
    return str(uuid.UUID(str(envelope.correlation_id)))
