"""One scenario's frame: load under way, a fault (bounded, healed), consistency awaited, the history checked.

The short and the long suite run the same scenarios: ``OCOP_FAULTS_LONG=1`` (``make faults``) raises the load and
repeats each scenario with further seeds (``OCOP_FAULTS_REPEAT`` times, 2 by default; ``OCOP_FAULTS_SEED`` is the
first seed, 9 by default). Every scenario adds a line to :data:`FIGURES`, which the terminal summary
prints (faults injected, commands acknowledged, effects lost, duplicated, time to consistency).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.faults.history import Checker, Verdict
from tests.faults.load import History, Load, Plan, wait_for
from tests.faults.system import FaultSystem

LONG = os.environ.get("OCOP_FAULTS_LONG", "") not in ("", "0")
SEED = int(os.environ.get("OCOP_FAULTS_SEED", "9"))


REPEAT = int(os.environ.get("OCOP_FAULTS_REPEAT", "2" if LONG else "1"))


def seeds() -> list[int]:
    """The short suite runs each scenario once with the fixed seed; the long one repeats it with the next seeds."""
    return [SEED + i for i in range(REPEAT)]


def plan(**overrides: object) -> Plan:
    base = Plan(products=16, concurrency=4, list_size=3, rate_batch=3) if LONG else Plan(products=6)
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


@dataclass
class Figures:
    scenario: str
    seed: int
    faults: int
    acknowledged: int
    events: int
    lost: int
    duplicated: int
    republished: int
    consistency_seconds: float | None  # None: never consistent within the scenario's deadline


FIGURES: list[Figures] = []
READINESS: list[str] = []  # how soon a restarted process was ready: a figure printed, never asserted


class Scenario:
    def __init__(self, system: FaultSystem, name: str, seed: int, load_plan: Plan | None = None) -> None:
        self.system = system
        self.name = name
        self.seed = seed
        self.history = History()
        urls = {key: system.url(key) for key in ("registration", "rating")}
        self.load = Load(urls, self.history, seed=seed, plan=load_plan or plan())
        self.checker = Checker(system.database_url, system.bootstrap_servers)
        self._faults_before = self._fault_count()
        self.healed_at = 0.0
        self.outcome: object = None
        self.verdict: Verdict | None = None
        self.since: dict[str, int] | None = None

    def _fault_count(self) -> int:
        proxies = [self.system.pg_proxy, *([self.system.kafka_proxy] if self.system.kafka_proxy else [])]
        return len(self.system.faults) + sum(len(p.injected) for p in proxies)

    async def under_load(self, fault: Callable[[], Awaitable[object]], *, after_acks: int = 6,
                         timeout: float = 150.0) -> None:
        """Start the load, inject ``fault`` once ``after_acks`` commands were acknowledged, let the load finish.

        ``fault`` returns when the fault is over (healed); what it returns is the scenario's to inspect.
        """
        self.since = await self.checker.watermark()
        run = asyncio.create_task(self.load.run(timeout=timeout))
        try:
            await wait_for(self._acknowledged(after_acks, run), timeout=60, what=f"{after_acks} commands acknowledged")
            self.outcome = await fault()
            self.healed_at = time.monotonic()
            await run
        finally:
            if not run.done():
                run.cancel()

    def _acknowledged(self, count: int, run: asyncio.Task[History]) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            if run.done():
                run.result()  # a load that crashed says so here
                return True
            return len(self.history.acks) >= count

        return check

    async def settle(self, *, republish_faults: int = 0, new_log: bool = False, timeout: float = 90.0) -> Verdict:
        """Wait until nothing is in flight, then check the history; records the figures and asserts them clean.

        ``new_log``: the broker was replaced, so every event's copies on it count, not only the scenario's own.

        The time to consistency runs from the end of the fault or the last acknowledgement, whichever came later.
        """
        async def consistent() -> bool:
            # A new log: the relays must have noticed it first, or the outbox of the old one looks drained.
            return (not new_log or await self.checker.relays_saw_the_broker()) and await self.checker.consistent()

        stuck = ""
        try:
            await wait_for(consistent, timeout=timeout, interval=0.2,
                           what="every published event handled by its subscribers (outbox drained, inboxes complete)")
        except AssertionError as exc:
            stuck = f"{exc}; still in flight: {self.checker.in_flight}"
        consistent_at = time.monotonic()
        last_ack = self.load.last_ack_at or consistent_at
        # Checked even when it never got consistent: the figures then count what was lost.
        verdict = await self.checker.check(self.history, republish_faults=republish_faults,
                                           since=None if new_log else self.since, rebuild_projections=not stuck)
        self.verdict = verdict
        FIGURES.append(Figures(self.name, self.seed, self._fault_count() - self._faults_before, verdict.acknowledged,
                               verdict.events, len(verdict.lost), len(verdict.duplicated), verdict.republished,
                               None if stuck else round(max(consistent_at - max(self.healed_at, last_ack), 0.0), 2)))
        assert not stuck, stuck
        assert self.history.acks, "the load got no command acknowledged"
        verdict.assert_clean()
        return verdict
