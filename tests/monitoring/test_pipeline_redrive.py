"""Dead letters and their re-drive over the real broker and PostgreSQL: a service's consumer dead-letters an event,
operators browse it with its reason, the cause is fixed, one re-drive makes the consumer handle it once; asking again
is refused, and the other consumers of the topic take the repeat as a repeat."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from shared.consumer import Subscription
from shared.contracts import CONTRACTS
from shared.contracts.roles import Role
from shared.errors import DomainError
from shared.rebuild import rebuild
from shared.runtime import ServiceDefinition, ServiceRuntime
from tests.kernel import tally
from tests.kernel.support import eventually
from tests.monitoring.test_operations_helpers import (
    health,
    monitoring,
    product_flow,
    publish,
    read_models,
    service_in,
    token,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
REWARDS = CONTRACTS["RewardApproved"].topic


class UnknownBudgetLine(DomainError):
    pass


class Rewards:
    """A test service's consumer of RewardApproved that refuses the products it is told are poisoned."""

    def __init__(self) -> None:
        self.poisoned: set[str] = set()

    async def handle(self, envelope: Any, uow: Any, ports: Any) -> None:
        if envelope.product_id in self.poisoned:
            raise UnknownBudgetLine(f"budget line {envelope.data.budget_line} is not in the plan", field="budget_line")
        await tally.count_received(envelope, uow, ports)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def system(launcher) -> AsyncIterator[tuple[Any, Rewards, ServiceRuntime]]:
    rewards, name = Rewards(), f"kt_dlq_{uuid.uuid4().hex[:8]}"
    definition = ServiceDefinition(name=name, events=tally.EVENTS, migrations=Path(tally.__file__).parent / "migrations",
                                   subscriptions=(Subscription("rewards", (REWARDS,), rewards.handle),))
    runtime = ServiceRuntime(definition, tally.settings_for(launcher, name, consumer_max_retries=0))
    await runtime.start()
    try:
        async with monitoring(launcher) as service:
            yield service, rewards, runtime
    finally:
        await runtime.stop()


async def handled(runtime: ServiceRuntime, product_id: str) -> tuple[int, str | None]:
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT messages, last_event::text FROM received WHERE product_id = $1", product_id)
    return (row["messages"], row["last_event"]) if row else (0, None)


async def dead_letter_of(service: Any, name: str, product_id: str) -> dict[str, Any]:
    client, settings, _ = service

    async def check() -> dict[str, Any] | None:
        response = await client.get(f"/pipeline/dead-letters/{name}", headers=token(settings, Role.operator))
        assert response.status_code == 200, response.text
        return next((d for d in response.json()["items"] if d["product_id"] == product_id and d["dead_lettered"]), None)

    return await eventually(check, timeout=60, what=f"the dead letter of {product_id}")


async def a_dead_letter(system: Any, launcher: Any) -> tuple[str, Any, dict[str, Any]]:
    """A RewardApproved the test service's consumer dead-letters; then its cause is fixed. (product, event, letter)"""
    service, rewards, runtime = system
    product = f"dl-{uuid.uuid4().hex[:10]}"
    reward = product_flow(product)[2]
    rewards.poisoned.add(product)
    await publish(launcher.bootstrap_servers, reward)
    letter = await dead_letter_of(service, runtime.settings.service, product)
    rewards.poisoned.discard(product)
    return product, reward, letter


async def test_a_dead_letter_re_driven_once_is_consumed_once(system, launcher):
    service, _, runtime = system
    client, settings, _ = service
    name = runtime.settings.service
    product, reward, letter = await a_dead_letter(system, launcher)
    assert (letter["consumer"], letter["topic"], letter["event_id"]) == (f"{name}.rewards", REWARDS, str(reward.event_id))
    assert "UnknownBudgetLine" in letter["error"] and "OCOP-2021-01" in letter["error"] and letter["redrive"] is None
    before = await health(client, settings)
    assert service_in(before, name)["dead_letters_awaiting_redrive"] == 1
    assert ("dead_letters", name) in {(a["kind"], a["subject"]) for a in before["alerts"]}

    path = f"/pipeline/dead-letters/{name}/{letter['dead_letter_id']}/redrive"
    done = await client.post(path, headers=token(settings, Role.operator, "ops-an"))
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["requested_by"], done.json()["requests"]) == ("published", "ops-an", 1)
    await eventually(lambda: _handled_times(runtime, product, 1), what="the re-driven event handled")

    again = await client.post(path, headers=token(settings, Role.operator, "ops-binh"))
    assert again.status_code == 409 and again.json()["detail"]["error"] == "already_redriven"
    assert "ops-an" in again.json()["detail"]["message"]
    marker = product_flow(product)[2]  # a later event on the same partition: handled after anything sent before it
    await publish(launcher.bootstrap_servers, marker)
    await eventually(lambda: _handled_times(runtime, product, 2), what="the later event handled")
    assert await handled(runtime, product) == (2, str(marker.event_id))

    detail = await client.get(f"/pipeline/dead-letters/{name}/{letter['dead_letter_id']}", headers=token(settings, Role.operator))
    assert detail.json()["redrive"]["state"] == "published" and '"reward_id"' in detail.json()["payload"]
    after = await health(client, settings)
    assert service_in(after, name)["dead_letters_awaiting_redrive"] == 0
    assert ("dead_letters", name) not in {(a["kind"], a["subject"]) for a in after["alerts"]}


async def _handled_times(runtime: ServiceRuntime, product_id: str, times: int) -> bool:
    return (await handled(runtime, product_id))[0] >= times


async def test_the_other_consumers_of_the_topic_keep_the_event_once(system, launcher):
    service, _, runtime = system
    client, settings, _ = service
    name = runtime.settings.service
    product, reward, letter = await a_dead_letter(system, launcher)
    redriven = await client.post(f"/pipeline/dead-letters/{name}/{letter['dead_letter_id']}/redrive",
                                 headers=token(settings, Role.operator))
    assert redriven.status_code == 200, redriven.text
    await eventually(lambda: _handled_times(runtime, product, 1), what="the re-driven event handled")
    later = product_flow(product)[2]
    await publish(launcher.bootstrap_servers, later)

    async def timeline() -> list[dict[str, Any]] | None:
        response = await client.get(f"/timeline/products/{product}", headers=token(settings, Role.operator))
        items = response.json()["items"]
        return items if str(later.event_id) in {i["event_id"] for i in items} else None

    entries = await eventually(timeline, timeout=60, what="the later event in the timeline")
    assert sorted(e["event_id"] for e in entries) == sorted([str(reward.event_id), str(later.event_id)])


async def test_unknown_dead_letters_and_services_are_not_found(system):
    (client, settings, _), _, runtime = system
    headers = token(settings, Role.operator)
    assert (await client.post(f"/pipeline/dead-letters/{runtime.settings.service}/999999/redrive", headers=headers)).status_code == 404
    assert (await client.get("/pipeline/dead-letters/no_such_service", headers=headers)).status_code == 404
    assert (await client.get("/pipeline/dead-letters/Bad-Name", headers=headers)).status_code == 422


async def test_only_operators_browse_and_re_drive_dead_letters(system):
    (client, settings, _), _, runtime = system
    name = runtime.settings.service
    for role in (Role.provincial_office, Role.inspector, Role.finance_officer):
        headers = token(settings, role)
        assert (await client.get(f"/pipeline/dead-letters/{name}", headers=headers)).status_code == 403
        assert (await client.post(f"/pipeline/dead-letters/{name}/1/redrive", headers=headers)).status_code == 403


async def test_the_re_drives_rebuilt_from_the_store_equal_the_live_ones(system, launcher):
    (client, settings, monitoring_runtime), _, runtime = system
    _, _, letter = await a_dead_letter(system, launcher)
    path = f"/pipeline/dead-letters/{runtime.settings.service}/{letter['dead_letter_id']}/redrive"
    assert (await client.post(path, headers=token(settings, Role.operator))).status_code == 200
    live = await read_models(monitoring_runtime)

    await rebuild(monitoring_runtime.pool, monitoring_runtime.projections, monitoring_runtime.definition.events)

    assert await read_models(monitoring_runtime) == live
    assert any(r["dead_letter_id"] == letter["dead_letter_id"] and r["state"] == "published"
               for r in live["dead_letter_redrives"])
