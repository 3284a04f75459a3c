"""A service's real subscriptions on faststream's TestKafkaBroker, over the in-memory unit of work.

The subscribers, the inbox consumer and the dead-letter path are the production ones; only the broker (in process)
and the store (in memory) are stand-ins, so a subscriber's behaviour is checked in milliseconds. The same flows run
over Tansu and PostgreSQL in each service's integration tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from shared.consumer import DeadLetters, InboxConsumer, Subscription
from shared.contracts import CONTRACTS, kafka_headers, serialize_event
from shared.kafka import make_broker
from shared.ports import ServicePorts
from shared.settings import ServiceSettings


class _DeadLetterRows:
    """Stands in for the pool in which DeadLetters keeps its local copy of each dead letter."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[_DeadLetterRows]:
        yield self

    async def execute(self, _sql: str, *row: Any) -> None:
        self.rows.append(row)


@dataclass
class Subscribed:
    """The test broker with the service's subscriptions on it, and what reached its dead-letter topic."""

    broker: Any
    dead_letters: list[Any] = field(default_factory=list)

    async def deliver(self, envelope: Any) -> None:
        """Publish a public event as the producing service's relay would: its contract topic, key and headers."""
        headers = {k: v.decode() for k, v in kafka_headers(envelope, None, None)}
        await self.broker.publish(serialize_event(envelope), CONTRACTS[envelope.event_type].topic,
                                  key=envelope.product_id.encode(), headers=headers)

    def dead_letter_errors(self) -> list[str]:
        return [next(v.decode() for k, v in r.headers if k == "dlq.error") for r in self.dead_letters]


@asynccontextmanager
async def subscribed(service: str, subscriptions: Sequence[Subscription], ports: ServicePorts) -> AsyncIterator[Subscribed]:
    settings = ServiceSettings(service=service, consumer_max_retries=0, consumer_retry_backoff_seconds=0)
    broker = make_broker(settings, client_id=f"{service}-fast")
    dead_letters = DeadLetters(broker, _DeadLetterRows(), settings.dead_letter_topic)  # type: ignore[arg-type]
    for subscription in subscriptions:
        InboxConsumer(subscription, ports, dead_letters, settings).register(broker)
    seen = Subscribed(broker)

    @broker.subscriber(settings.dead_letter_topic)
    async def dead_letter_topic(message: KafkaMessage) -> None:
        seen.dead_letters.append(message.raw_message)

    async with TestKafkaBroker(broker) as test_broker:
        seen.broker = test_broker
        yield seen
