"""What the handlers of audit and operations are given: units of work, the time, the services' dead letters and a
way to put a record back on a topic. ``entrypoints/deps.py`` builds them from the running service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from services.monitoring.operations.domain.redrive import DeadLetter
from shared.ports import Clock, UnitOfWorkFactory


class DeadLetterSource(Protocol):
    async def find(self, service: str, dead_letter_id: int) -> DeadLetter | None: ...


class RecordPublisher(Protocol):
    """Publishes one record and returns once the broker acknowledged it; raises ``adapters.republish.PublishFailed``
    otherwise (the re-drive then stays requested, and asking again publishes it)."""

    async def __call__(self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class RedrivePorts:
    uow: UnitOfWorkFactory
    clock: Clock
    dead_letters: DeadLetterSource
    publish: RecordPublisher
    lease: timedelta
    """How long a re-drive whose outcome is not known holds off another request of it."""
