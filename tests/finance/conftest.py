"""The finance service in-process on the session's PostgreSQL and broker, one per test module.

Each module's service has a schema, consumer groups and dead-letter topic of its own (``finance_<hex>``): budgets are
one per plan year and the tariff book one per service, so modules must not share them. Its consumer groups start at
the topics' ends, so a module hears what its own tests send and not what earlier modules sent (their recognitions
would draw on its budget lines).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.finance.service import definition
from shared.http.app import create_app
from shared.kafka import ensure_topics_async
from shared.settings import ServiceSettings, service_settings
from tests.finance.flow import FinanceDriver


async def start_groups_at_the_end(settings: ServiceSettings) -> None:
    """Commit each consumer group's offsets at its topics' current ends, before the service first joins."""
    for subscription in definition.subscriptions:
        await ensure_topics_async(settings, subscription.topics)
        group = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False,
                                 group_id=f"{settings.consumer_group}.{subscription.name}")
        await group.start()
        try:
            await group._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for topic in subscription.topics
                          for p in group.partitions_for_topic(topic) or ()]
            group.assign(partitions)
            ends = await group.end_offsets(partitions)
            await group.commit({partition: offset for partition, offset in ends.items()})
        finally:
            await group.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def finance(launcher) -> AsyncIterator[FinanceDriver]:
    settings = service_settings(
        f"finance_{uuid.uuid4().hex[:8]}", database_url=launcher.database_url,
        kafka_bootstrap_servers=launcher.bootstrap_servers, consumer_retry_backoff_seconds=0.05,
        database_pool_max=20)
    await start_groups_at_the_end(settings)
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance", timeout=60) as client:
        try:
            yield FinanceDriver(client, settings, runtime, launcher.bootstrap_servers)
        finally:
            await runtime.stop()
