"""Domain events of monitoring, in the past tense, stored in the service's own event store; one module per aggregate.

``register`` (RegisterEntry), ``plans`` (InspectionPlan), ``inspections`` (Inspection and its follow-up),
``reports`` (DistrictReport), ``targets`` (TargetSetting). ``ALL`` lists every one, for the service's registry.
"""

from services.monitoring.domain.events.inspections import (
    FollowUpClosed,
    InspectionConcluded,
    ProductFailedInspection,
    ProductPassedInspection,
)
from services.monitoring.domain.events.plans import InspectionPlanned, PlannedProductDropped, PlannedProductInspected
from services.monitoring.domain.events.register import ProductNoted, RatingNoted, RewardNoted
from services.monitoring.domain.events.reports import ReportAmended, ReportFiled
from services.monitoring.domain.events.targets import TargetsSet

ALL = (ProductNoted, RatingNoted, RewardNoted, InspectionPlanned, PlannedProductInspected, PlannedProductDropped,
       ProductPassedInspection, ProductFailedInspection, FollowUpClosed, ReportFiled, ReportAmended, TargetsSet)

__all__ = [
    "ALL", "FollowUpClosed", "InspectionConcluded", "InspectionPlanned", "PlannedProductDropped",
    "PlannedProductInspected", "ProductFailedInspection", "ProductNoted", "ProductPassedInspection", "RatingNoted",
    "ReportAmended", "ReportFiled", "RewardNoted", "TargetsSet",
]
