"""Pipeline health for operators (tình trạng đường ống sự kiện): one look at every service's outbox, dead letters
and consumer groups, judged by the alert rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.monitoring.operations.adapters.broker_lag import GroupLag
from services.monitoring.operations.adapters.service_tables import DeadLetterFigures, OutboxFigures
from services.monitoring.operations.domain.health import Alert, GroupFigures, ServiceFigures, Thresholds, alerts
from shared.ports import Clock


class PipelineSources(Protocol):
    async def services(self) -> list[str]: ...

    async def outbox(self, service: str) -> OutboxFigures | None: ...

    async def dead_letters(self, service: str) -> DeadLetterFigures | None: ...

    async def broker(self) -> str: ...

    async def group_lags(self) -> list[GroupLag]: ...


@dataclass(frozen=True)
class ServiceHealth:
    service: str
    outbox: OutboxFigures | None
    dead_letters: DeadLetterFigures | None

    def figures(self) -> ServiceFigures:
        return ServiceFigures(self.service, self.outbox.pending if self.outbox else None,
                              self.outbox.oldest_seconds if self.outbox else None,
                              self.dead_letters.awaiting if self.dead_letters else None)


@dataclass(frozen=True)
class PipelineHealth:
    checked_at: datetime
    broker: str
    services: tuple[ServiceHealth, ...]
    groups: tuple[GroupLag, ...]
    alerts: tuple[Alert, ...]

    @property
    def state(self) -> str:
        return "alert" if self.alerts else "ok"


async def pipeline_health(sources: PipelineSources, thresholds: Thresholds, clock: Clock) -> PipelineHealth:
    services = tuple([ServiceHealth(name, await sources.outbox(name), await sources.dead_letters(name))
                      for name in await sources.services()])
    broker, groups = await sources.broker(), ()
    if broker == "ok":
        try:
            groups = tuple(await sources.group_lags())
        except Exception as exc:  # the broker answers but not about its groups: say so instead of failing the page
            broker = f"consumer groups not readable: {exc!r}"
    found = alerts(broker, [s.figures() for s in services],
                   [GroupFigures(g.service, g.group, g.lag, g.seconds_behind) for g in groups], thresholds)
    return PipelineHealth(clock(), broker, services, groups, found)
