"""What monitoring's register hears: products registered, rated and rewarded. (InspectionFailed is monitoring's own:
it has no effect here; the audit timeline in ``operations`` hears all four events.)"""

from __future__ import annotations

from services.monitoring.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

SUBSCRIPTIONS = (
    Subscription("product-registered", (CONTRACTS["ProductRegistered"].topic,), handlers.note_product),
    Subscription("product-rated", (CONTRACTS["ProductRated"].topic,), handlers.note_rating),
    Subscription("reward-approved", (CONTRACTS["RewardApproved"].topic,), handlers.note_reward),
)
