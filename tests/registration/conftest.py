"""Fixtures of the registration tests: a real tracer provider, and one running registration app per module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from services.registration.service import definition
from tests.kernel.support import running_service
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
    async with running_service(launcher, definition) as (client, settings, runtime):
        yield RegistrationClient(client, settings, runtime)
