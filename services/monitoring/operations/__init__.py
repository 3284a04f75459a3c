"""Audit and operations (issue 11): the per-product and per-actor timeline across services, pipeline health, dead
letters and their re-drive, and the trace store. ``OPERATIONS`` is what ``services/monitoring/service.py`` wires in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operations:
    """The parts of the monitoring service that belong to audit and operations."""

    routers: tuple[Any, ...] = ()
    subscriptions: tuple[Any, ...] = ()
    projections: Callable[[], tuple[Any, ...]] = lambda: ()  # fresh per runtime, as ServiceDefinition's
    aggregates: tuple[Any, ...] = ()
    errors: dict[type[Exception], tuple[int, str]] = field(default_factory=dict)


OPERATIONS = Operations()
