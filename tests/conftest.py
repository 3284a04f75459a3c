"""Real parts for the integration tests: the project's launcher starts PostgreSQL and the broker once per session."""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator

import pytest

from ocop.infra.ports import free_port
from ocop.launcher import ROOT, Launcher

# The daily expiry check runs on the real date (2026+), which would expire the tests' 2021 certificates at 00:30
# in the middle of a run; tests ask for expiry on demand with explicit dates instead.
os.environ.setdefault("OCOP_RATING_EXPIRY_CHECK_AT", "")


@pytest.fixture(scope="session")
def launcher() -> Iterator[Launcher]:
    """Embedded PostgreSQL (unless OCOP_DATABASE_URL is set) and a Tansu broker on free ports."""
    env = dict(os.environ)
    env.pop("OCOP_KAFKA_BOOTSTRAP_SERVERS", None)  # tests pause and restart the broker, so it must be ours
    # One folder per test session, so test runs side by side never share (or stop) each other's database.
    state_dir = ROOT / ".ocop" / f"test-{os.getpid()}"
    started = Launcher(
        state_dir=state_dir,
        env=env,
        services=(),
        broker_port=free_port(),
        postgres_port=free_port(),
    )
    started.start_infrastructure()
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


WATCHDOG_SECONDS = float(os.environ.get("OCOP_TEST_WATCHDOG_SECONDS", "240"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if inspect.iscoroutinefunction(getattr(item, "function", None)) and "asyncio_watchdog" not in item.fixturenames:
            item.fixturenames.append("asyncio_watchdog")


def awaited_chain(coro: object) -> Iterator[str]:
    """The frames a suspended coroutine is waiting in, outermost first (Task.print_stack shows only the first)."""
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            yield f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None) or getattr(coro, "gi_yieldfrom", None)


@pytest.fixture
async def asyncio_watchdog() -> AsyncIterator[None]:
    """Before pytest-timeout kills a stuck test, print where every asyncio task is waiting.

    pytest-timeout dumps threads only, and a stuck coroutine shows there as an idle event loop.
    """
    loop = asyncio.get_running_loop()

    def dump() -> None:
        out = io.StringIO()
        print(f"asyncio watchdog: test still running after {WATCHDOG_SECONDS:.0f} s; tasks:", file=out)
        for task in asyncio.all_tasks(loop):
            print(f"task {task.get_name()}:", file=out)
            for line in awaited_chain(task.get_coro()):
                print("   ", line, file=out)
        sys.stderr.write(out.getvalue())

    handle = loop.call_later(WATCHDOG_SECONDS, dump)
    try:
        yield
    finally:
        handle.cancel()
