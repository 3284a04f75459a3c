"""Handlers of the feed: the subscription that appends every public event, and the keys' issue and revocation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from services.monitoring.feed.adapters import log
from services.monitoring.feed.domain.keys import FeedSubscription, full_key, secret_hash, stream_of
from shared.consumer import consumed_value
from shared.contracts import serialize_event
from shared.ports import Clock, UnitOfWorkFactory


async def append_public_event(envelope: Any, uow: Any, _ports: Any) -> None:
    """Any of the four public events (the consumer's unit of work is open and commits with the inbox row): into the
    feed log at the next position, once. The envelope is written as its producer published it: the record's value,
    not the envelope parsed (which drops fields this code does not know and upcasts older versions)."""
    await log.append(uow.connection, envelope, _as_published(envelope))


def _as_published(envelope: Any) -> str:
    value = consumed_value()
    try:
        return value.decode("utf-8") if value is not None else serialize_event(envelope).decode("utf-8")
    except UnicodeDecodeError:  # JSON in UTF-16 or -32 parses too; the log keeps UTF-8 text
        return serialize_event(envelope).decode("utf-8")


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str
    """The whole key, shown once: only its secret's hash is stored."""


async def issue_key(uow: UnitOfWorkFactory, clock: Clock, *, organisation: str, event_types: list[str],
                    rate_per_minute: int, issued_by: str) -> IssuedKey:
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    async with uow() as unit:
        subscription = FeedSubscription(stream_of(key_id))
        subscription.issue(key_id, organisation, event_types, rate_per_minute, issued_by, clock(), secret_hash(secret))
        unit.repository(FeedSubscription).add(subscription)
        await unit.commit()
    return IssuedKey(key_id, full_key(key_id, secret))


async def revoke_key(uow: UnitOfWorkFactory, clock: Clock, *, key_id: str, revoked_by: str) -> None:
    async with uow() as unit:
        subscription = await unit.repository(FeedSubscription).get(stream_of(key_id))
        subscription.revoke(revoked_by, clock())
        await unit.commit()
