"""The rating service in-process on the session's PostgreSQL and broker, one per test module.

A module that needs more than ``RatingDriver`` names its subclass in a module-level ``DRIVER``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from services.rating.service import definition
from tests.kernel.support import running_service
from tests.rating.flow import RatingDriver


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def driver(launcher, request) -> AsyncIterator[RatingDriver]:
    driver_class = getattr(request.module, "DRIVER", RatingDriver)
    async with running_service(launcher, definition) as (client, settings, runtime):
        yield driver_class(client, settings, runtime)
