"""Real parts for the integration tests: the project's launcher starts PostgreSQL and the broker once per session."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import shutil
import sys
import threading
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ocop.infra.ports import free_port
from ocop.launcher import ROOT, Launcher
from shared.tracing import configure_tracing
from tests import broker_probe

# The daily expiry check runs on the real date (2026+), which would expire the tests' 2021 certificates at 00:30
# in the middle of a run; tests ask for expiry on demand with explicit dates instead.
os.environ.setdefault("OCOP_RATING_EXPIRY_CHECK_AT", "")


# Point the suite at another Kafka-protocol broker (e.g. `.ci/run`'s noida-db) instead of the embedded Tansu.
EXTERNAL_BROKER = "OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS"


class ExternalBroker:
    """``launcher.broker`` when the suite runs on an external broker: whatever a test would do to the broker (pause,
    resume, restart it empty, read the cluster id it started it with) skips that test, with the reason."""

    refuses_idempotence = False  # the environment says (OCOP_KAFKA_IDEMPOTENCE), not the launcher

    def __init__(self, servers: str) -> None:
        self.servers = servers

    def stop(self) -> None:
        """Not ours to stop."""

    def __getattr__(self, name: str) -> object:
        pytest.skip(f"needs a broker of its own ({name}); the suite runs on the external broker {self.servers}"
                    f" ({EXTERNAL_BROKER})")


@pytest.fixture(scope="session")
def launcher() -> Iterator[Launcher]:
    """Embedded PostgreSQL (unless OCOP_DATABASE_URL is set) and a Tansu broker on free ports.

    With OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS set, that broker instead of Tansu; tests that pause or replace the broker
    are then skipped with the reason (never otherwise).
    """
    env = dict(os.environ)
    env.pop("OCOP_KAFKA_BOOTSTRAP_SERVERS", None)  # tests pause and restart the broker, so it must be ours
    external = os.environ.get(EXTERNAL_BROKER, "")
    if external:
        env["OCOP_KAFKA_BOOTSTRAP_SERVERS"] = external
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
    if external:
        started.broker = ExternalBroker(external)
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


_SPANS = InMemorySpanExporter()


@pytest.fixture(scope="session", autouse=True)
def tracer_provider() -> TracerProvider:
    """The process's one tracer provider (OpenTelemetry lets it be set once), configured as a service's is, so
    trace context is created, sampled and carried as in production; its spans are kept in memory (:func:`spans`)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = configure_tracing("tests")
        provider.add_span_processor(SimpleSpanProcessor(_SPANS))
    return provider


@pytest.fixture(autouse=True)
def spans(tracer_provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    """The spans ended during the test; every test forgets the earlier ones, so the session's memory stays small."""
    _SPANS.clear()
    yield _SPANS
    _SPANS.clear()


@pytest.fixture(scope="session")
def dead_members_expire() -> None:
    """For tests that kill -9 a consumer process: its members must leave their groups when their sessions time out.

    Tansu does; an external broker is probed once (:mod:`tests.broker_probe`), and when it keeps a killed member for
    ever (noida-db 0.2.3) the test skips with the reason: the member would hold its group, and every later test of
    that group, for the rest of the run.
    """
    external = os.environ.get(EXTERNAL_BROKER, "")
    if external and not broker_probe.dead_members_expire(external):
        pytest.skip(f"kills a consumer with kill -9; the external broker {external} ({EXTERNAL_BROKER}) keeps such a"
                    f" member in its group for ever (it did not leave within {broker_probe.REJOIN_SECONDS:.0f} s of"
                    f" its {broker_probe.SESSION_MS / 1000:.0f} s session: noida-db 0.2.3 never expires sessions)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test ``integration`` (PostgreSQL, the broker, other processes) or ``unit`` (in memory, fast).

    A test is integration when it (transitively) uses the ``launcher`` fixture or is marked so itself (a test that
    starts processes of its own, a ``pytest.param`` of a fixture).
    """
    for item in items:
        uses_launcher = "launcher" in getattr(item, "fixturenames", ())
        if uses_launcher or item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


WATCHDOG_SECONDS = float(os.environ.get("OCOP_TEST_WATCHDOG_SECONDS", "240"))


def awaited_chain(coro: object) -> Iterator[str]:
    """The frames a suspended coroutine is waiting in, outermost first (Task.print_stack shows only the first)."""
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            yield f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None) or getattr(coro, "gi_yieldfrom", None)


def dump_tasks(test: str) -> None:
    """Where every pending asyncio task of the process waits; tasks are found through gc, so every loop's show."""
    out = io.StringIO()
    print(f"asyncio watchdog: {test} still running after {WATCHDOG_SECONDS:.0f} s; pending tasks:", file=out)
    for task in [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]:
        print(f"task {task.get_name()}:", file=out)
        for line in awaited_chain(task.get_coro()):
            print("   ", line, file=out)
    sys.stderr.write(out.getvalue())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Before pytest-timeout kills a stuck test, print where each asyncio task waits.

    pytest-timeout dumps threads only, and a stuck coroutine shows there as an idle event loop.
    """
    watchdog = threading.Timer(WATCHDOG_SECONDS, dump_tasks, args=(item.nodeid,))
    watchdog.daemon = True
    watchdog.start()
    try:
        return (yield)
    finally:
        watchdog.cancel()
