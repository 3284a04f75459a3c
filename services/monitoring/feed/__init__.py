"""The HTTP event feed (issue 14): the four public events for systems off our Kafka cluster, as pages of CloudEvents
in a total order with resume positions, long-polling, read-only API keys per subscribing organisation, rate limits
and a read audit. ``services/monitoring/service.py`` wires in its
``ROUTERS``, ``SUBSCRIPTIONS``, ``projections``, ``AGGREGATES`` and ``ERRORS``.

It lives in monitoring because monitoring already hears all four topics: the feed is fed from Kafka like any other
subscriber, so each event keeps exactly one owner, its producer (monitoring's own InspectionFailed enters the feed
the same way, from its topic). Inside: ``domain`` (keys, the rate bucket), ``application`` (the subscription's
handler, key issue and revocation, the key check), ``adapters`` (the feed log, keys, read audit, the NOTIFY
listener), ``entrypoints`` (routes, the subscription), ``config`` (``OCOP_MONITORING_FEED_*``).
"""

from __future__ import annotations

from services.monitoring.feed.adapters.keys import FeedKeysProjection
from services.monitoring.feed.domain.errors import FeedError, InvalidKeyRequest, KeyAlreadyRevoked
from services.monitoring.feed.domain.keys import FeedSubscription
from services.monitoring.feed.entrypoints import api
from services.monitoring.feed.entrypoints.subscribers import SUBSCRIPTIONS

ROUTERS = (api.router,)
AGGREGATES = (FeedSubscription,)
ERRORS: dict[type[Exception], tuple[int, str]] = {
    InvalidKeyRequest: (422, "invalid_input"), KeyAlreadyRevoked: (409, "already_revoked"), FeedError: (422, "invalid_input")}


def projections() -> tuple[FeedKeysProjection]:
    """Fresh per runtime, as ServiceDefinition's. Only the keys: the feed log is no projection (see the migration)."""
    return (FeedKeysProjection(),)


__all__ = ["AGGREGATES", "ERRORS", "ROUTERS", "SUBSCRIPTIONS", "projections"]
