"""The finance service in-process on the session's PostgreSQL and broker, one per test module.

Each module's service has a schema, consumer groups and dead-letter topic of its own (``finance_<hex>``): budgets are
one per plan year and the tariff book one per service, so modules must not share them. Its consumers read the
contract topics from the start and so also hear what earlier modules sent; tests use their own product ids.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from services.finance.service import definition
from shared.http.app import create_app
from shared.settings import service_settings
from tests.finance.flow import FinanceDriver


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def finance(launcher) -> AsyncIterator[FinanceDriver]:
    settings = service_settings(
        f"finance_{uuid.uuid4().hex[:8]}", database_url=launcher.database_url,
        kafka_bootstrap_servers=launcher.bootstrap_servers, consumer_retry_backoff_seconds=0.05,
        database_pool_max=20)
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance", timeout=60) as client:
        try:
            yield FinanceDriver(client, settings, runtime, launcher.bootstrap_servers)
        finally:
            await runtime.stop()
