"""The ports a service's bootstrap (composition root) injects into its handlers: units of work and a clock.

Each service extends ``ServicePorts`` with its own (catalogue, policy, reference data) in ``services/<name>/bootstrap.py``;
production passes PostgreSQL units of work, tests pass the in-memory one and a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.contracts.envelope import VIETNAM_TZ

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], Any]


def system_clock() -> datetime:
    """Now, aware, in Asia/Ho_Chi_Minh (the civil time of every OCOP date)."""
    return datetime.now(VIETNAM_TZ)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (tests, replays of a past day)."""
    return lambda: at


@dataclass(frozen=True)
class ServicePorts:
    """What every handler may need: a fresh unit of work per attempt, and the time."""

    uow: UnitOfWorkFactory
    clock: Clock = system_clock

    def today(self) -> date:
        """The civil date in Asia/Ho_Chi_Minh."""
        return self.clock().astimezone(VIETNAM_TZ).date()
