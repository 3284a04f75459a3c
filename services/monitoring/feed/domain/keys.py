"""A subscribing organisation's API key to the HTTP event feed (khóa truy cập nguồn sự kiện), event sourced so that
issuing and revoking are audited like any other decision.

The key a subscriber presents is ``ocopfeed_<key_id>_<secret>``. Only the secret's SHA-256 is stored: the secret is
256 random bits (``secrets.token_urlsafe(32)``), so a fast hash is enough: nobody can search a space that large,
and a slow password hash would only protect secrets people choose. The comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from services.monitoring.feed.domain.errors import InvalidKeyRequest, KeyAlreadyRevoked
from shared.aggregate import Aggregate, DomainEvent

#: The public event types a key may be scoped to (the feed carries these four).
EVENT_TYPES = ("ProductRegistered", "ProductRated", "RewardApproved", "InspectionFailed")
KEY_PREFIX = "ocopfeed"
MAX_RATE_PER_MINUTE = 60_000


@dataclass(frozen=True)
class KeyIssued(DomainEvent):
    key_id: str
    organisation: str
    event_types: tuple[str, ...]
    rate_per_minute: int
    issued_by: str
    issued_at: datetime
    secret_hash: str
    """SHA-256 of the secret, hex."""


@dataclass(frozen=True)
class KeyRevoked(DomainEvent):
    key_id: str
    revoked_by: str
    revoked_at: datetime


def stream_of(key_id: str) -> str:
    return f"feed-key/{key_id}"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret).encode(), stored_hash.encode())


def presented(key: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a key as presented, or None when it is not shaped like one of ours."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def full_key(key_id: str, secret: str) -> str:
    return f"{KEY_PREFIX}_{key_id}_{secret}"


def checked_scope(event_types: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The scope as stored: each known type once, in the contract's order."""
    if not event_types:
        raise InvalidKeyRequest("a key is scoped to at least one event type", field="event_types")
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise InvalidKeyRequest(f"unknown event types {unknown}; one of {', '.join(EVENT_TYPES)}", field="event_types")
    return tuple(t for t in EVENT_TYPES if t in event_types)


class FeedSubscription(Aggregate):
    """One organisation's key: issued once, revoked at most once."""

    stream_type = "feed-subscription"
    event_types = {"KeyIssued": KeyIssued, "KeyRevoked": KeyRevoked}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.issued: KeyIssued | None = None
        self.revoked: KeyRevoked | None = None

    def issue(self, key_id: str, organisation: str, event_types: list[str] | tuple[str, ...], rate_per_minute: int,
              issued_by: str, at: datetime, secret_digest: str) -> None:
        if not organisation.strip():
            raise InvalidKeyRequest("the organisation is named", field="organisation")
        if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
            raise InvalidKeyRequest(f"the rate is 1–{MAX_RATE_PER_MINUTE} requests per minute", field="rate_per_minute")
        self.record(KeyIssued(key_id, organisation.strip(), checked_scope(event_types), rate_per_minute, issued_by,
                              at, secret_digest))

    def revoke(self, revoked_by: str, at: datetime) -> None:
        assert self.issued is not None, "a key is issued before it is revoked"
        if self.revoked is not None:
            raise KeyAlreadyRevoked(f"key {self.issued.key_id} was revoked at {self.revoked.revoked_at.isoformat()}",
                                    field="key_id")
        self.record(KeyRevoked(self.issued.key_id, revoked_by, at))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, KeyIssued):
            self.issued = event
        elif isinstance(event, KeyRevoked):
            self.revoked = event
