"""Audit and operations (issue 11): the per-product and per-actor timeline across services, pipeline health, dead
letters and their re-drive, and the trace store. ``OPERATIONS`` is what ``services/monitoring/service.py`` wires in:
its routers (the OTLP intake's lifespan runs the span store's background work), subscriptions, projections,
aggregates (into the event registry) and errors.

Inside: ``domain`` (the audit entries, a dead letter's re-drive, the alert rules), ``application`` (handlers,
translators of public events, the health report), ``adapters`` (read models, the broker's offsets, the services'
kernel tables, the span store), ``entrypoints`` (routes, the timeline's subscription), ``config``
(``OCOP_MONITORING_*``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.monitoring.operations.adapters.projection import RedriveProjection, TimelineProjection
from services.monitoring.operations.adapters.republish import PublishFailed
from services.monitoring.operations.domain.audit import AuditEntry
from services.monitoring.operations.domain.errors import (
    AlreadyRedriven,
    NotRedrivable,
    OperationsError,
    RedriveInProgress,
    TraceRejected,
)
from services.monitoring.operations.domain.redrive import DeadLetterRedrive
from services.monitoring.operations.entrypoints import otlp, pipeline_api, timeline_api
from services.monitoring.operations.entrypoints.subscribers import SUBSCRIPTIONS


@dataclass(frozen=True)
class Operations:
    """The parts of the monitoring service that belong to audit and operations."""

    routers: tuple[Any, ...] = ()
    subscriptions: tuple[Any, ...] = ()
    projections: Callable[[], tuple[Any, ...]] = lambda: ()  # fresh per runtime, as ServiceDefinition's
    aggregates: tuple[Any, ...] = ()
    errors: dict[type[Exception], tuple[int, str]] = field(default_factory=dict)


OPERATIONS = Operations(
    routers=(timeline_api.router, pipeline_api.router, otlp.router),
    subscriptions=SUBSCRIPTIONS,
    projections=lambda: (TimelineProjection(), RedriveProjection()),
    aggregates=(AuditEntry, DeadLetterRedrive),
    errors={
        AlreadyRedriven: (409, "already_redriven"),
        NotRedrivable: (409, "not_redrivable"),
        RedriveInProgress: (409, "redrive_in_progress"),
        TraceRejected: (400, "invalid_otlp"),
        OperationsError: (422, "invalid_input"),
        PublishFailed: (503, "redrive_not_published"),
    },
)
