"""The fault suite's system: one per test session (its own PostgreSQL, broker, proxies and service processes),
mended after every scenario; the figures of every scenario are printed at the end of the run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.faults.history import Checker
from tests.faults.scenario import FIGURES, LONG, READINESS
from tests.faults.system import FaultSystem


@pytest.fixture(scope="session")
def fault_system() -> Iterator[FaultSystem]:
    system = FaultSystem()
    try:
        system.start()
        yield system
    finally:
        system.stop()


@pytest.fixture
async def system(fault_system: FaultSystem) -> AsyncIterator[FaultSystem]:
    """The session's system, whole again after the scenario whatever it broke.

    A scenario that left events in flight (a consumer that never came back, say) has failed already; the services
    are then started afresh, so the next scenarios are judged on their own faults and not on that one's.
    """
    await fault_system.heal()
    try:
        yield fault_system
    finally:
        await fault_system.heal()
        checker = Checker(fault_system.database_url, fault_system.bootstrap_servers)
        if not await checker.consistent():
            RESTARTS.append(f"services restarted after a scenario left {checker.in_flight}")
            for key in ("registration", "rating"):
                if fault_system.external_broker:  # a killed member may hold its group for ever there (noida-db)
                    await asyncio.to_thread(fault_system.terminate, key)
                else:
                    fault_system.kill(key)
                await fault_system.restart(key)


RESTARTS: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    write = terminalreporter.write_line
    times = [f.consistency_seconds for f in FIGURES if f.consistency_seconds is not None]
    terminalreporter.section(f"fault suite figures ({'long' if LONG else 'short'} run)")
    write(f"{'scenario':<52} {'seed':>4} {'faults':>6} {'acked':>6} {'events':>6} {'lost':>4} {'dup':>4}"
          f" {'republ':>6} {'consistent after':>16}")
    for f in FIGURES:
        write(f"{f.scenario:<52} {f.seed:>4} {f.faults:>6} {f.acknowledged:>6} {f.events:>6} {f.lost:>4}"
              f" {f.duplicated:>4} {f.republished:>6} {_seconds(f.consistency_seconds):>16}")
    write(f"{'total':<52} {'':>4} {sum(f.faults for f in FIGURES):>6} {sum(f.acknowledged for f in FIGURES):>6}"
          f" {'':>6} {sum(f.lost for f in FIGURES):>4} {sum(f.duplicated for f in FIGURES):>4}"
          f" {sum(f.republished for f in FIGURES):>6} {_seconds(max(times, default=None)):>16} max")
    for line in (*READINESS, *RESTARTS):
        write(line)


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f}s"
