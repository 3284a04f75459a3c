"""Who may read the feed: the key check (one answer for every failure), the key's scope and its rate limit.

The rate limit is a token bucket per key in this process: with N monitoring replicas behind a balancer a key gets
up to N times its rate. Its clock is injected (tests drive it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from services.monitoring.feed.adapters.keys import FeedKey
from services.monitoring.feed.domain.keys import EVENT_TYPES, secret_hash, secret_matches
from services.monitoring.feed.domain.rate import TokenBucket

# Compared against when the key id names no key, so an unknown key costs what a wrong secret costs.
_NO_KEY_HASH = secret_hash("no such key")


class Unauthorised(Exception):
    """Missing, malformed, unknown, wrong or revoked key: the caller learns nothing more."""


class OutOfScope(Exception):
    def __init__(self, event_types: Sequence[str]) -> None:
        super().__init__(f"the key is not scoped to {', '.join(event_types)}")
        self.event_types = tuple(event_types)


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"over the key's rate limit; retry after {retry_after} s")
        self.retry_after = retry_after


def authenticated(found: FeedKey | None, secret: str) -> FeedKey:
    matches = secret_matches(secret, found.secret_hash if found else _NO_KEY_HASH)
    if found is None or not matches or found.revoked_at is not None:
        raise Unauthorised()
    return found


def scoped(key: FeedKey, asked: Sequence[str] | None) -> tuple[str, ...]:
    """The event types a read covers: those asked (default: every type of the key's scope), each within it."""
    if not asked:
        return key.event_types
    outside = [t for t in EVENT_TYPES if t in asked and t not in key.event_types]
    if outside:
        raise OutOfScope(outside)
    return tuple(t for t in EVENT_TYPES if t in asked)


class RateGate:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def admit(self, key: FeedKey) -> None:
        now = self.clock()
        bucket = self._buckets.get(key.key_id)
        if bucket is None:
            bucket = self._buckets[key.key_id] = TokenBucket.full(key.rate_per_minute, now)
        if wait := bucket.take(now):
            raise RateLimited(wait)
