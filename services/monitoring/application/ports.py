"""The ports monitoring's handlers receive (its composition root, bootstrap.py, builds them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.monitoring.config import MonitoringSettings
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.reference import Reference
from shared.ports import ServicePorts

# (unit of work, product id) → ids of the product's failed inspections whose follow-up is still open: those a
# certificate's expiry closes (each inspection still decides whether it is about the certificate that expired).
OpenFollowUps = Callable[[Any, str], Awaitable[list[str]]]


@dataclass(frozen=True, kw_only=True)
class MonitoringPorts(ServicePorts):
    """Units of work and the clock, plus the [POLICY] choices, the reference data (district-level units, report
    deadlines, shipped targets), the settings and the read side the expiry's follow-up closing starts from."""

    policy: MonitoringPolicy
    reference: Reference
    settings: MonitoringSettings
    open_follow_ups: OpenFollowUps
