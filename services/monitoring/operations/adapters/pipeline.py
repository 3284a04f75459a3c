"""The sources of the pipeline health page: the broker's consumer groups, the services' kernel tables and the
re-drives monitoring recorded."""

from __future__ import annotations

import asyncio

import asyncpg

from services.monitoring.operations.adapters import queries
from services.monitoring.operations.adapters.broker_lag import GroupLag, group_lags
from services.monitoring.operations.adapters.service_tables import DeadLetterFigures, OutboxFigures, ServiceTables
from shared.kafka import Security, cluster_id_async


class PipelineProbe:
    """Answers the health page's questions from the broker and the databases (see ``application.health``)."""

    def __init__(self, pool: asyncpg.Pool, tables: ServiceTables, bootstrap_servers: str, timeout: float, *,
                 security: Security | None = None) -> None:
        self._pool, self._tables = pool, tables
        self._bootstrap, self._timeout, self._security = bootstrap_servers, timeout, security

    async def services(self) -> list[str]:
        return await self._tables.services()

    async def outbox(self, service: str) -> OutboxFigures | None:
        return await self._tables.outbox(service)

    async def dead_letters(self, service: str) -> DeadLetterFigures | None:
        async with self._pool.acquire() as conn:
            redriven = await queries.redriven_ids(conn, service)
        return await self._tables.dead_letter_figures(service, redriven)

    async def broker(self) -> str:
        try:
            await asyncio.wait_for(cluster_id_async(self._bootstrap, self._timeout, security=self._security), self._timeout + 1)
            return "ok"
        except Exception as exc:
            return f"unreachable: {exc or type(exc).__name__}"

    async def group_lags(self) -> list[GroupLag]:
        return await group_lags(self._bootstrap, self._timeout, security=self._security)
