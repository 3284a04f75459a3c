"""The daily expiry check (kiểm tra hiệu lực giấy chứng nhận), at a local time set by OCOP_RATING_EXPIRY_CHECK_AT."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import structlog

from services.rating import config
from services.rating.application import handlers
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


async def expiry_schedule(runtime: ServiceRuntime, at: time) -> None:
    while True:
        await asyncio.sleep(seconds_until(at, datetime.now(VIETNAM_TZ)))
        today = datetime.now(VIETNAM_TZ).date()
        try:
            expired = await handlers.expire_due(runtime.pool, runtime.uow, today, today)
            log.info("expiry check done", as_of=today.isoformat(), expired=len(expired))
        except Exception:  # the next day's run tries again; the check is idempotent
            log.exception("expiry check failed", as_of=today.isoformat())


def start_schedule(runtime: ServiceRuntime) -> None:
    """At service start: load (and so check) the criteria catalogue — a catalogue that does not add up stops the
    service here, not at the first scorecard — then schedule the daily expiry check."""
    config.catalogue()
    at = config.settings().expiry_time
    if at is not None:
        runtime.spawn(expiry_schedule(runtime, at), "expiry-check")
