"""Real parts for the integration tests: the project's launcher starts PostgreSQL and the broker once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

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
