"""What the subscriber takes as a public event: what the published contract parses, of the topic's type; the rest
is passed with the reason."""

from __future__ import annotations

import json
from types import SimpleNamespace

from ocop.subscribe.kafka import _incoming
from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC
from tests.subscribe.events import rating, registration


def record(topic: str, value: bytes | None, offset: int = 7) -> SimpleNamespace:
    return SimpleNamespace(topic=topic, partition=2, offset=offset, value=value)


def test_a_public_event_of_its_topic_is_taken_with_where_it_was_read() -> None:
    envelope = registration("sp-1", "380")
    taken = _incoming(record(PRODUCT_REGISTERED_TOPIC, json.dumps(envelope).encode()))
    assert (taken.envelope["event_id"], taken.topic, taken.partition, taken.offset) == (
        envelope["event_id"], PRODUCT_REGISTERED_TOPIC, 2, 7)


def test_what_the_contract_refuses_or_the_topic_does_not_carry_is_passed_with_the_reason() -> None:
    rated = json.dumps(rating("sp-1", "recognized", 4, "GCN-1")).encode()
    broken = json.dumps({**rating("sp-1", "recognized", 4, "GCN-1"), "data": {"stars": "four"}}).encode()
    assert _incoming(record(PRODUCT_REGISTERED_TOPIC, rated)) == \
        "a ProductRated where only ProductRegistered belongs"
    for value in (b"\xff{not json", None, b"[1, 2]", broken):
        assert _incoming(record(PRODUCT_RATED_TOPIC, value)).startswith("refused by the contract")
