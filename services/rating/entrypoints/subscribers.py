"""What rating hears from other services: products entering rating."""

from __future__ import annotations

from services.rating.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

SUBSCRIPTIONS = (
    Subscription("product-registered", (CONTRACTS["ProductRegistered"].topic,), handlers.open_dossier),
)
