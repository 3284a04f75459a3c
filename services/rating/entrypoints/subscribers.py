"""What rating hears from other services: products entering rating, failed inspections."""

from __future__ import annotations

from services.rating.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

SUBSCRIPTIONS = (
    Subscription("product-registered", (CONTRACTS["ProductRegistered"].topic,), handlers.open_dossier),
    Subscription("inspection-failed", (CONTRACTS["InspectionFailed"].topic,), handlers.put_under_review),
)
