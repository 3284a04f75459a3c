"""Composition root of monitoring: settings → policy and checked reference data → the ports every handler receives.

Production calls ``bootstrap`` once the pool exists (``ServiceDefinition.bootstrap``); tests pass an in-memory unit of
work, a fixed clock, their own reference data or policy. Nothing is read at import time.
"""

from __future__ import annotations

from services.monitoring.adapters.queries import open_follow_ups
from services.monitoring.application.ports import MonitoringPorts, OpenFollowUps
from services.monitoring.config import MonitoringSettings
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.reference import Reference, load_reference
from shared.ports import Clock, UnitOfWorkFactory, system_clock


def bootstrap(uow: UnitOfWorkFactory, *, reference: Reference | None = None, policy: MonitoringPolicy | None = None,
              settings: MonitoringSettings | None = None, clock: Clock | None = None,
              follow_ups: OpenFollowUps | None = None) -> MonitoringPorts:
    """The service's ports; what is not given comes from ``OCOP_MONITORING_*`` and, for the follow-ups an expiry
    closes, from the inspections read model.

    The reference data is loaded and checked here, and the policy built, so either not adding up stops the service
    at start.
    """
    settings = settings or MonitoringSettings()
    return MonitoringPorts(uow=uow, clock=clock or system_clock, policy=policy or settings.policy(),
                           reference=reference or load_reference(settings.reference), settings=settings,
                           open_follow_ups=follow_ups or open_follow_ups)
