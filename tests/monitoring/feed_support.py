"""Helpers of the feed tests (no tests here): monitoring on the session's PostgreSQL and broker with a feed of its
own, keys issued with monitoring's handlers, and a reader that follows the feed as a subscriber would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from services.monitoring.feed.application.handlers import issue_key
from services.monitoring.service import definition
from tests.kernel.support import eventually, isolated_settings, running_service, start_groups_at_the_end

ALL_TYPES = ["ProductRegistered", "ProductRated", "RewardApproved", "InspectionFailed"]


@dataclass
class Feed:
    client: httpx.AsyncClient
    settings: Any
    runtime: Any

    @property
    def state(self) -> Any:
        return self.client._transport.app.state.feed  # type: ignore[attr-defined]

    async def key(self, *types: str, rate: int = 60_000, organisation: str = "Sở Nông nghiệp và PTNT Nghệ An") -> str:
        issued = await issue_key(self.runtime.uow, self.runtime.ports.clock, organisation=organisation,
                                 event_types=list(types or ALL_TYPES), rate_per_minute=rate, issued_by="test")
        return issued.key

    async def get(self, key: str | None, **params: Any) -> httpx.Response:
        headers = {"X-API-Key": key} if key is not None else {}
        return await self.client.get("/v1/feed", params=params, headers=headers)

    async def page(self, key: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
        response = await self.get(key, **params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/cloudevents-batch+json"
        return response.json(), int(response.headers["X-OCOP-Feed-Position"])

    async def follow(self, key: str, after: int = 0, limit: int = 1000, **filters: Any) -> list[dict[str, Any]]:
        """Every event after ``after``, page by page, each resumed from the position the last one gave."""
        seen: list[dict[str, Any]] = []
        while True:
            events, after = await self.page(key, after=after, limit=limit, **filters)
            if not events:
                return seen
            seen += events

    async def holding(self, key: str, ids: set[str], **filters: Any) -> list[dict[str, Any]]:
        """The whole feed (with ``filters``) once it holds every event id in ``ids``."""
        async def check() -> list[dict[str, Any]] | None:
            events = await self.follow(key, **filters)
            return events if ids <= {e["id"] for e in events} else None

        return await eventually(check, timeout=60, what=f"{len(ids)} events in the feed")


@asynccontextmanager
async def feed_service(launcher: Any) -> AsyncIterator[Feed]:
    """Monitoring with a schema and consumer groups of its own, starting at the topics' ends: its feed holds what the
    module sends (and what it appends itself)."""
    settings = isolated_settings(launcher, definition)
    await start_groups_at_the_end(definition, settings)
    async with running_service(launcher, definition, settings) as (client, settings, runtime):
        await runtime.wait_joined()
        await client.get("/v1/feed")  # makes the feed's per-process state (a 401: no key)
        yield Feed(client, settings, runtime)
