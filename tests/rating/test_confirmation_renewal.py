"""A certified product re-scored in its own star's band (OCOP-RULES §7): an upgrade request not granted is confirmed at
its star and keeps its certificate; only a re-evaluation at the end of validity (the renewal window) renews it."""

from __future__ import annotations

from datetime import date

from typing import Any

from services.rating.application.translators import rated_data
from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from services.rating.domain.certificates import due_for_renewal
from services.rating.domain.decisions import entry_for
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.dossier import RatingDossier
from tests.rating.test_rounds_domain import _certified, inspection, run


def decided(d: RatingDossier) -> list[Any]:
    """The dossier's new facts but its place on the session's list."""
    return [e for e in d.collect() if not isinstance(e, ev.ExaminationScheduled)]


def test_the_renewal_window_counts_back_from_the_last_valid_day():
    held = _certified(60).holds  # valid until 2024-04-06
    assert not due_for_renewal(held, date(2023, 10, 8), 180)
    assert due_for_renewal(held, date(2023, 10, 9), 180) and due_for_renewal(held, date(2024, 5, 1), 180)
    assert not due_for_renewal(held, date(2024, 5, 1), 0), "a window of 0 days renews nothing"


def test_an_upgrade_request_scored_in_the_same_band_is_confirmed_and_keeps_its_certificate():
    d = _certified(62)
    held = d.holds
    assert d.purpose_at("provincial", date(2022, 6, 1), 180) == "upgrade"
    run("provincial", {"p": d}, {"p": (66,) * 4}, held=date(2022, 6, 1), decision=date(2022, 6, 10), name="p2")
    [fact] = decided(d)
    assert isinstance(fact, out.CertificateConfirmed) and not isinstance(fact, out.CertificateIssued)
    assert fact.certificate == held and d.holds == held and d.status == "recognized" and d.stage is None
    assert fact.reason.startswith("confirmed at 3★") and held.number in fact.reason

    public = rated_data(fact)
    assert (public["status"], public["stars"], public["level"], public["average_score"]) == (
        "not_recognized", 3, "provincial", 66.0)
    assert public["certificate"] == {"number": held.number, "valid_from": date(2021, 4, 6),
                                     "valid_until": date(2024, 4, 6)}
    assert public["decision"]["number"] == "p2/QĐ-UBND"
    entry = entry_for("p", [fact], d.holds)
    assert (entry.outcome, entry.stars, entry.certificate_number, entry.issued) == ("confirmed", 3, held.number, False)


def test_a_re_evaluation_at_the_end_of_validity_renews_the_certificate_for_a_new_period():
    d = _certified(62)  # valid until 2024-04-06
    old = d.holds
    assert d.purpose_at("provincial", date(2024, 1, 15), 180) == "renewal"
    run("provincial", {"p": d}, {"p": (64,) * 4}, held=date(2024, 1, 15), decision=date(2024, 1, 25), name="p5")
    [fact] = decided(d)
    assert isinstance(fact, out.CertificateRenewed) and (fact.supersedes, fact.lower) == (old.number, False)
    assert (d.holds.number, d.holds.stars, d.holds.valid_from, d.holds.valid_until) == (
        "p5/QĐ-UBND#2024-001", 3, date(2024, 1, 25), date(2027, 1, 25))
    assert "renewed at 3★ at the end of its validity" in fact.reason
    assert (rated_data(fact)["status"], rated_data(fact)["certificate"]["number"]) == ("recognized", d.holds.number)
    assert entry_for("p", [fact], d.holds).outcome == "renewed"


def test_a_renewal_at_a_lower_star_gives_the_lower_certificate_and_without_a_window_nothing_is_renewed():
    lower = _certified(75)  # 4★
    run("provincial", {"p": lower}, {"p": (62,) * 4}, held=date(2024, 2, 1), decision=date(2024, 2, 5), name="p6")
    [fact] = decided(lower)
    assert isinstance(fact, out.CertificateRenewed) and fact.lower and lower.holds.stars == 3
    assert rated_data(fact)["status"] == "downgraded"

    never = _certified(62)
    policy = RatingPolicy(renewal_window_days=0)
    assert never.purpose_at("provincial", date(2024, 2, 1), policy.renewal_window_days) == "upgrade"
    run("provincial", {"p": never}, {"p": (62,) * 4}, held=date(2024, 2, 1), decision=date(2024, 2, 5), name="p7",
        policy=policy)
    [kept] = decided(never)
    assert isinstance(kept, out.CertificateConfirmed) and never.holds.number == "p1/QĐ-UBND#2021-001"


def test_a_re_rating_after_inspection_that_keeps_the_star_confirms_it_and_closes_the_review():
    d = _certified(75)
    held = d.holds
    d.flag_under_review(inspection(d, recommended_action="downgrade"))
    d.order_re_rating("I-1", "chấm lại", None, date(2026, 1, 1))
    d.collect()
    run("provincial", {"p": d}, {"p": (78,) * 4}, held=date(2022, 5, 1), decision=date(2022, 5, 5), name="p9")
    [fact] = decided(d)
    assert isinstance(fact, out.CertificateConfirmed) and fact.inspection_id == "I-1"
    assert d.holds == held and d.under_review is None and d.re_rating is None and d.status == "recognized"
    public = rated_data(fact)
    assert (public["status"], public["stars"], public["inspection_id"], public["certificate"]["number"]) == (
        "recognized", 4, "I-1", held.number)
