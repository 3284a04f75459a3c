"""Fixtures of the registration tests: one running registration app per module (tracing: the session's provider)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from services.registration.service import definition
from tests.kernel.support import running_service
from tests.registration.support import RegistrationClient


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registration(launcher) -> AsyncIterator[RegistrationClient]:
    """The registration service, started once per module on the session's PostgreSQL and broker (relay and consumers on).

    Every app of the session shares the ``registration`` schema, so tests use their own random ids.
    """
    async with running_service(launcher, definition) as (client, settings, runtime):
        yield RegistrationClient(client, settings, runtime)
