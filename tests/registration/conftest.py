"""Fixtures of the registration tests: a real tracer provider, and one running registration app per module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from services.registration.service import definition
from shared.service import create_app
from shared.settings import service_settings
from tests.registration.support import RegistrationClient


@pytest.fixture(scope="session", autouse=True)
def tracer_provider() -> None:
    """A real tracer provider, so an HTTP request's trace is continued into the outbox and the relay."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registration(launcher) -> AsyncIterator[RegistrationClient]:
    """The registration service, started once per module on the session's PostgreSQL and broker (relay and consumers on).

    Every app of the session shares the ``registration`` schema, so tests use their own random ids.
    """
    settings = service_settings(
        "registration", database_url=launcher.database_url, kafka_bootstrap_servers=launcher.bootstrap_servers
    )
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://registration", timeout=30)
    try:
        yield RegistrationClient(client, settings, runtime)
    finally:
        await client.aclose()
        await runtime.stop()
