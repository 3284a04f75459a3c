"""The feed's keys and rate bucket, in memory."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.monitoring.feed.application.handlers import issue_key, revoke_key
from services.monitoring.feed.domain.errors import InvalidKeyRequest, KeyAlreadyRevoked
from services.monitoring.feed.domain.keys import (
    FeedSubscription,
    KeyIssued,
    KeyRevoked,
    presented,
    secret_hash,
    secret_matches,
    stream_of,
)
from services.monitoring.feed.domain.rate import TokenBucket
from shared.contracts import VIETNAM_TZ
from shared.events import EventRegistry
from shared.memory import InMemoryStore
from shared.ports import fixed_clock

AT = datetime(2026, 11, 30, 9, 0, tzinfo=VIETNAM_TZ)


def test_a_key_is_prefix_id_and_secret_and_anything_else_is_not_one():
    assert presented("ocopfeed_0a1b2c3d4e5f6a7b_s3cr_et-x") == ("0a1b2c3d4e5f6a7b", "s3cr_et-x")
    for shaped_otherwise in ("", "ocopfeed", "ocopfeed__secret", "ocopfeed_id_", "other_id_secret", "Bearer x"):
        assert presented(shaped_otherwise) is None


def test_only_the_right_secret_matches_its_hash():
    stored = secret_hash("bí mật")
    assert secret_matches("bí mật", stored) and not secret_matches("bi mat", stored)


def test_the_bucket_takes_a_minutes_worth_then_says_when_the_next_token_comes():
    bucket = TokenBucket.full(6, now=0.0)  # one token every 10 s
    assert [bucket.take(0.0) for _ in range(6)] == [0] * 6
    assert bucket.take(0.0) == 10
    assert bucket.take(9.5) == 1
    assert bucket.take(10.0) == 0
    assert bucket.take(1000.0) == 0 and bucket.tokens == 5, "never more than a minute's worth"


def test_a_scope_is_known_types_each_once_in_the_contracts_order():
    subscription = FeedSubscription(stream_of("k1"))
    subscription.issue("k1", " Sở NN&PTNT Nghệ An ", ["ProductRated", "ProductRegistered", "ProductRated"], 600,
                       "admin", AT, secret_hash("x"))
    issued = subscription.pending[0]
    assert isinstance(issued, KeyIssued)
    assert issued.event_types == ("ProductRegistered", "ProductRated") and issued.organisation == "Sở NN&PTNT Nghệ An"


@pytest.mark.parametrize("organisation,types,rate,field", [
    ("", ["ProductRated"], 600, "organisation"), ("Sở", [], 600, "event_types"),
    ("Sở", ["ProductDeleted"], 600, "event_types"), ("Sở", ["ProductRated"], 0, "rate_per_minute")])
def test_a_key_request_that_breaks_a_rule_is_refused_naming_the_field(organisation, types, rate, field):
    with pytest.raises(InvalidKeyRequest) as refused:
        FeedSubscription(stream_of("k1")).issue("k1", organisation, types, rate, "admin", AT, "h")
    assert refused.value.field == field


async def test_issue_and_revoke_are_facts_of_the_store_and_a_key_is_revoked_once():
    store = InMemoryStore(EventRegistry.of(FeedSubscription))
    issued = await issue_key(store.unit_of_work, fixed_clock(AT), organisation="Sở Công Thương Nghệ An",
                             event_types=["InspectionFailed"], rate_per_minute=60, issued_by="admin")
    key_id, secret = presented(issued.key)
    await revoke_key(store.unit_of_work, fixed_clock(AT), key_id=key_id, revoked_by="admin")

    async with store.unit_of_work() as uow:
        subscription = await uow.repository(FeedSubscription).get(stream_of(key_id))
    assert isinstance(subscription.revoked, KeyRevoked) and subscription.issued.key_id == key_id
    assert secret_matches(secret, subscription.issued.secret_hash) and secret not in str(subscription.issued)
    with pytest.raises(KeyAlreadyRevoked):
        await revoke_key(store.unit_of_work, fixed_clock(AT), key_id=key_id, revoked_by="admin")
