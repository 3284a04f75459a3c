"""The monitoring service (kiểm tra, giám sát; báo cáo; chỉ tiêu): the certified-product register, inspections and
their follow-up (publishing InspectionFailed), district reports, programme targets — and, wired in from
``operations``, the audit timeline and pipeline health."""

from pathlib import Path

from services.monitoring.operations import OPERATIONS
from shared.events import EventRegistry
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="monitoring",
    events=EventRegistry.of(*OPERATIONS.aggregates),
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (*OPERATIONS.projections(),),
    subscriptions=(*OPERATIONS.subscriptions,),
    routers=(*OPERATIONS.routers,),
    errors={**OPERATIONS.errors},
)
