"""What the feed hears: every public event of the four topics, on a consumer of its own (``monitoring.feed``)."""

from __future__ import annotations

from services.monitoring.feed.application import handlers
from shared.consumer import Subscription
from shared.contracts import CONTRACTS

FEED_TOPICS = tuple(sorted({contract.topic for contract in CONTRACTS.values()}))

SUBSCRIPTIONS = (Subscription("feed", FEED_TOPICS, handlers.append_public_event),)
