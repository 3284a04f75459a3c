"""The subscriber's SQLite state: a page's events, the table and the position commit together or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.store import Incoming, Store
from tests.subscribe.events import rating, registration


def feed_page(*envelopes: dict, first: int) -> list[Incoming]:
    return [Incoming(e, position=first + i) for i, e in enumerate(envelopes)]


def test_a_page_moves_the_table_and_the_position_together(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    page = feed_page(registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1"), first=1)
    assert store.apply_page(page, after=2) == 2
    reopened = Store(tmp_path / "s.sqlite")
    assert reopened.feed_after() == 2
    assert reopened.product("sp-1").stars == 4
    assert [a["position"] for a in reopened.applied()] == [1, 2]


def test_an_event_heard_again_is_not_applied_twice(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    first = feed_page(registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1"), first=1)
    store.apply_page(first, after=2)
    again = [Incoming(first[1].envelope, position=3), Incoming(rating("sp-1", "revoked", 0, "GCN-1"), position=4)]
    assert store.apply_page(again, after=4) == 1
    assert store.applied_count() == 3
    assert store.product("sp-1").stars == 0


def test_a_page_that_fails_half_way_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    broken = {"event_id": "e-broken", "product_id": "sp-1"}  # no event_type: the insert fails after the first event
    with pytest.raises(KeyError):
        store.apply_page(feed_page(registration("sp-1", "380"), broken, first=1), after=2)
    assert (store.feed_after(), store.applied_count(), store.products()) == (0, 0, [])


def test_kafka_offsets_are_kept_per_partition(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    event = Incoming(registration("sp-1", "380"), topic="ocop.product-registered.v1", partition=2, offset=7)
    store.apply_page([event], offsets={("ocop.product-registered.v1", 2): 8})
    store.apply_page([], offsets={("ocop.product-rated.v1", 0): 3})
    assert store.kafka_offsets() == {("ocop.product-registered.v1", 2): 8, ("ocop.product-rated.v1", 0): 3}


def test_a_state_file_follows_one_source(tmp_path: Path) -> None:
    Store(tmp_path / "s.sqlite").bind("feed", "http://a/v1/feed")
    with pytest.raises(SubscribeError, match="follows feed http://a/v1/feed, not kafka"):
        Store(tmp_path / "s.sqlite").bind("kafka", "127.0.0.1:9092")


def test_a_state_file_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(SubscribeError, match="cannot use .* as the subscriber's state file"):
        Store(tmp_path / "dir.sqlite")
