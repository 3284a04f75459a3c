"""Claims waiting for budget (chờ kinh phí) are tried again every OCOP_FINANCE_RETRY_WAITING_SECONDS."""

from __future__ import annotations

import asyncio

import structlog

from services.finance.application.funding import retry_waiting
from services.finance.application.ports import FinancePorts
from shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


async def retry_waiting_periodically(ports: FinancePorts, every: float) -> None:
    """Never more than a line holds (``retry_waiting`` funds oldest first, one unit each); a failed round waits."""
    while True:
        await asyncio.sleep(every)
        try:
            funded = await retry_waiting(ports)
        except Exception as exc:  # the database is away: the next round tries again
            log.warning("waiting claims not retried", error=str(exc))
            continue
        if funded:
            log.info("waiting claims funded", claims=funded)


def start_schedule(runtime: ServiceRuntime) -> None:
    ports = runtime.ports
    assert isinstance(ports, FinancePorts)
    if ports.settings.retry_waiting_seconds > 0:
        runtime.spawn(retry_waiting_periodically(ports, ports.settings.retry_waiting_seconds), "retry-waiting")
