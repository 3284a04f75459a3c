"""What registration hears from other services: ratings and failed inspections of its products."""

from __future__ import annotations

from services.registration.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

SUBSCRIPTIONS = (
    Subscription("product-rated", (CONTRACTS["ProductRated"].topic,), handlers.record_rating),
    Subscription("inspection-failed", (CONTRACTS["InspectionFailed"].topic,), handlers.record_inspection_failure),
)
