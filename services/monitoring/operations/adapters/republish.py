"""Putting a dead letter's record back on its original topic, through the service's broker."""

from __future__ import annotations

from typing import Any


class PublishFailed(Exception):
    """The broker did not take the record (503): the re-drive stays requested, and asking again publishes it."""


class BrokerPublisher:
    """Publishes with the service's faststream broker (acks from all replicas); its telemetry middleware writes the
    current trace (the re-drive request's) into the record's traceparent."""

    def __init__(self, broker: Any) -> None:
        self._broker = broker

    async def __call__(self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None:
        try:
            await self._broker.publish(value, topic, key=key, headers=headers)
        except Exception as exc:
            raise PublishFailed(f"the broker did not take the record on {topic}: {exc!r}; the re-drive is recorded as"
                                " requested, ask again to publish it") from exc
