"""The finance service in-process on the session's PostgreSQL and broker, one per test module.

Each module's service has a schema, consumer groups and dead-letter topic of its own (``finance_<hex>``): budgets are
one per plan year and the tariff book one per service, so modules must not share them. Its consumer groups start at
the topics' ends, so a module hears what its own tests send and not what earlier modules sent (their recognitions
would draw on its budget lines).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from services.finance.service import definition
from shared.http.app import create_app
from tests.finance.flow import FinanceDriver
from tests.kernel.support import isolated_settings, start_groups_at_the_end


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def finance(launcher) -> AsyncIterator[FinanceDriver]:
    settings = isolated_settings(launcher, definition, consumer_retry_backoff_seconds=0.05, database_pool_max=20)
    await start_groups_at_the_end(definition, settings)
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance", timeout=60) as client:
        try:
            yield FinanceDriver(client, settings, runtime, launcher.bootstrap_servers)
        finally:
            await runtime.stop()
