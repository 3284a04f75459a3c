"""The monitoring service (kiểm tra, giám sát; báo cáo; chỉ tiêu): the certified-product register, inspections and
their follow-up (publishing InspectionFailed), district reports, programme targets — and, wired in from
``operations``, the audit timeline and pipeline health, and from ``feed``, the HTTP event feed."""

from pathlib import Path

from services.monitoring import feed
from services.monitoring.adapters.projection import MonitoringProjection
from services.monitoring.application.translators import PUBLISHER
from services.monitoring.bootstrap import bootstrap
from services.monitoring.domain.errors import (
    AlreadyRecorded,
    InvalidInput,
    MonitoringError,
    NotAllowed,
    NotKnown,
    OutOfOrder,
)
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.plans import InspectionPlan
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.reports import DistrictReport
from services.monitoring.domain.target_setting import TargetSetting
from services.monitoring.entrypoints.api import router
from services.monitoring.entrypoints.subscribers import SUBSCRIPTIONS
from services.monitoring.operations import OPERATIONS
from shared.events import EventRegistry
from shared.runtime import ServiceDefinition

definition = ServiceDefinition(
    name="monitoring",
    events=EventRegistry.of(RegisterEntry, InspectionPlan, Inspection, DistrictReport, TargetSetting,
                            *OPERATIONS.aggregates, *feed.AGGREGATES),
    migrations=Path(__file__).parent / "migrations",
    projections=lambda: (MonitoringProjection(), *OPERATIONS.projections(), *feed.projections()),
    subscriptions=(*SUBSCRIPTIONS, *OPERATIONS.subscriptions, *feed.SUBSCRIPTIONS),
    routers=(router, *OPERATIONS.routers, *feed.ROUTERS),
    errors={
        InvalidInput: (422, "invalid_input"),
        NotAllowed: (409, "not_allowed"),
        NotKnown: (404, "not_known"),
        OutOfOrder: (409, "out_of_order"),
        AlreadyRecorded: (409, "already_recorded"),
        MonitoringError: (422, "invalid_input"),
        **OPERATIONS.errors,
        **feed.ERRORS,
    },
    bootstrap=bootstrap,
    publishers=(PUBLISHER,),
)
