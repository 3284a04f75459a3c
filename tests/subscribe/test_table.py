"""The subscriber's rule: a product counts once, in the star of the certificate it holds now, under its district."""

from __future__ import annotations

from collections import Counter
from functools import reduce

from ocop.subscribe.table import Product, apply, counts
from tests.subscribe.events import envelope, rating, registration
from tests.monitoring.public import reward


def product_after(*events: dict) -> Product | None:
    return reduce(apply, events, None)


def test_a_recognised_product_counts_in_its_star_under_its_district() -> None:
    p = product_after(registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1"))
    assert (p.district_code, p.stars, p.certificate) == ("380", 4, "GCN-1")
    assert counts([p]) == {"380": Counter({4: 1})}


def test_proposed_and_not_recognised_keep_the_certificate_the_product_holds() -> None:
    held = [registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1")]
    assert product_after(*held, rating("sp-1", "proposed", 4, "GCN-1")).stars == 4
    assert product_after(*held, rating("sp-1", "not_recognized", 4, "GCN-1")).stars == 4
    assert product_after(registration("sp-2", "380"), rating("sp-2", "proposed", 2)).stars == 0


def test_an_upgrade_counts_the_product_once_in_its_new_star() -> None:
    p = product_after(registration("sp-1", "381"), rating("sp-1", "recognized", 4, "GCN-1"),
                      rating("sp-1", "recognized", 5, "GCN-5", level="central"))
    assert counts([p]) == {"381": Counter({5: 1})}


def test_a_downgrade_moves_the_product_and_below_three_stars_removes_it() -> None:
    held = [registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1")]
    assert product_after(*held, rating("sp-1", "downgraded", 3, "GCN-2")).stars == 3
    assert counts([product_after(*held, rating("sp-1", "downgraded", 2, "GCN-1"))]) == {}


def test_revoked_or_expired_ends_the_certificate_it_names_and_no_other() -> None:
    held = [registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1")]
    assert product_after(*held, rating("sp-1", "revoked", 0, "GCN-1")).stars == 0
    assert product_after(*held, rating("sp-1", "expired", 0, "GCN-1")).stars == 0
    assert product_after(*held, rating("sp-1", "expired", 0, "GCN-old")).stars == 4


def test_a_rating_heard_before_the_registration_counts_under_an_unknown_district_until_it_arrives() -> None:
    early = product_after(rating("sp-1", "recognized", 3, "GCN-1"))
    assert counts([early]) == {None: Counter({3: 1})}
    assert counts([apply(early, registration("sp-1", "392"))]) == {"392": Counter({3: 1})}


def test_rewards_and_inspections_change_nothing_in_the_table() -> None:
    held = product_after(registration("sp-1", "380"), rating("sp-1", "recognized", 4, "GCN-1"))
    assert apply(held, envelope(reward("sp-1"))) == held
    assert apply(None, envelope(reward("sp-9"))) is None
