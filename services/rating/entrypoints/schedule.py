"""The daily expiry check (kiểm tra hiệu lực giấy chứng nhận), at a local time set by OCOP_RATING_EXPIRY_CHECK_AT."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import structlog

from services.rating.application import handlers
from services.rating.application.ports import RatingPorts
from shared.contracts.envelope import VIETNAM_TZ
from shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


def seconds_until(at: time, now: datetime) -> float:
    """Seconds from ``now`` (aware) to the next ``at`` in Asia/Ho_Chi_Minh."""
    local = now.astimezone(VIETNAM_TZ)
    run = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if run <= local:
        run += timedelta(days=1)
    return (run - local).total_seconds()


async def expiry_schedule(ports: RatingPorts, at: time) -> None:
    while True:
        await asyncio.sleep(seconds_until(at, ports.clock()))
        today = ports.today()
        try:
            expired = await handlers.expire_due(ports, today)
            log.info("expiry check done", as_of=today.isoformat(), expired=len(expired))
        except Exception:  # the next day's run tries again; the check is idempotent
            log.exception("expiry check failed", as_of=today.isoformat())


def start_schedule(runtime: ServiceRuntime) -> None:
    """At service start (the bootstrap has already loaded and checked the catalogue): the daily expiry check."""
    ports: RatingPorts = runtime.ports  # type: ignore[assignment]
    at = ports.settings.expiry_time
    if at is not None:
        runtime.spawn(expiry_schedule(ports, at), "expiry-check")
