"""Drive the finance service over HTTP as its officers would, send it what rating and registration publish on the
real broker, and read what it publishes."""

from __future__ import annotations

import time
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.auth import mint_token
from shared.contracts import CONTRACTS, kafka_headers, parse_event, serialize_event
from shared.contracts.roles import Role
from tests.finance.support import budget_body, decision
from tests.kernel.support import eventually, produce

REWARD_APPROVED = CONTRACTS["RewardApproved"].topic


class FinanceDriver:
    def __init__(self, client: httpx.AsyncClient, settings: Any, runtime: Any, bootstrap: str) -> None:
        self.client, self.settings, self.runtime, self.bootstrap = client, settings, runtime, bootstrap

    def token(self, role: Role = Role.finance_officer, actor_id: str = "stc-07",
              district: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, actor_id=actor_id, role=role, district=district)}"}

    @property
    def office(self) -> dict[str, str]:
        return self.token(Role.provincial_office, "vpdp-01")

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.token())
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None, expect: int = 200) -> Any:
        response = await self.client.post(path, json=body, headers=headers or self.token())
        assert response.status_code == expect, response.text
        return response.json()

    async def budget(self, plan_year: int = 2021, **amounts: int) -> dict[str, Any]:
        """Drafted by the Coordination Office, appraised, approved by the PPC, allocated: the allocation's answer."""
        await self.post("/budgets", budget_body(plan_year, **amounts), self.office, expect=201)
        await self.post(f"/budgets/{plan_year}/appraisal", {"changes": [], "on": f"{plan_year}-02-01"})
        await self.post(f"/budgets/{plan_year}/approval",
                        {"decision": decision(f"600/QĐ-UBND-{plan_year}", f"{plan_year}-03-15")}, self.office)
        return await self.post(f"/budgets/{plan_year}/allocation", {"on": f"{plan_year}-03-20"})

    async def amend(self, plan_year: int, changes: list[dict[str, Any]], number: str, on: str) -> dict[str, Any]:
        proposed = await self.post(f"/budgets/{plan_year}/amendments", {"changes": changes, "on": on}, self.office,
                                   expect=201)
        amendment = proposed["pending_amendment"]["amendment"]
        return await self.post(f"/budgets/{plan_year}/amendments/{amendment}/approval",
                               {"decision": decision(number, on)}, self.office)

    async def send(self, *envelopes: Any, headers: list[tuple[str, bytes]] | None = None) -> None:
        """Publish as rating (ProductRated) or registration (ProductRegistered) would."""
        await produce(self.bootstrap, CONTRACTS[envelopes[0].event_type].topic,
                      [(e.product_id.encode(), serialize_event(e), headers or kafka_headers(e)) for e in envelopes])

    async def claim_when(self, claim_id: str, ready: Any = lambda c: True, timeout: float = 60) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            response = await self.client.get(f"/claims/{claim_id}", headers=self.token())
            return response.json() if response.status_code == 200 and ready(response.json()) else None

        return await eventually(check, timeout=timeout, what=f"claim {claim_id}")

    async def published(self, product_id: str, count: int) -> list[Any]:
        """RewardApproved records of one product on the topic, in order, once at least ``count`` are there."""
        return await keyed(self.bootstrap, REWARD_APPROVED, product_id, count)

    async def dead_letters(self, product_id: str, count: int = 1) -> list[Any]:
        return await keyed(self.bootstrap, self.settings.dead_letter_topic, product_id, count)


async def keyed(bootstrap: str, topic: str, key: str, count: int, timeout: float = 60) -> list[ConsumerRecord]:
    """The records of ``topic`` whose key is ``key``, from the start, once at least ``count`` arrived."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        partitions: set[int] = set()
        while not partitions:
            await consumer._client.force_metadata_update()  # a fresh client knows no topic until it asks
            partitions = consumer.partitions_for_topic(topic) or set()
            if time.monotonic() > deadline:
                raise AssertionError(f"topic {topic} not found after {timeout}s")
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        found: list[ConsumerRecord] = []
        while len(found) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} records keyed {key} on {topic} after {timeout}s")
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found += [r for r in records if r.key == key.encode()]
        return found
    finally:
        await consumer.stop()


def envelope_of(record: Any) -> Any:
    return parse_event(record.value)
