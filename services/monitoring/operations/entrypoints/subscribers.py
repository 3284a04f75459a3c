"""What audit hears: every public event of the four topics, for the products' timelines."""

from __future__ import annotations

from services.monitoring.operations.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

TIMELINE_TOPICS = tuple(sorted({contract.topic for contract in CONTRACTS.values()}))

SUBSCRIPTIONS = (Subscription("timeline", TIMELINE_TOPICS, handlers.observe_public_event),)
