"""Councils, sessions and the dossier outcomes, pure: district → province → centre, decisions, certificates."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

import pytest

from services.rating.application.translators import rated_data
from services.rating.domain import outcomes as out
from services.rating.domain import rounds
from services.rating.domain.council import Council
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import AlreadyExists, Duplicate, NotAllowed, NotReady, RatingError
from services.rating.domain.rulings import Ruling, rule
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.scorecards import MemberScorecards
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision, Finding, Inspection, Member
from tests.rating.support import card_with_total, shipped
from tests.rating.test_dossier_domain import entry

POLICY = RatingPolicy()
TODAY = date(2026, 1, 1)


def council(level: str = "district", district: str | None = "380", size: int = 4) -> Council:
    members = [Member("chair", "Lê Văn Chủ", "chair", "UBND")] + [
        Member(f"m{i}", f"Thành viên {i}", "member", "Sở NN&PTNT") for i in range(1, size)]
    members.append(Member("sec", "Thư ký", "secretary", "VP Điều phối"))
    return Council.form(level, district, "Hội đồng", members)


def dossier(product_id: str = "prod-1") -> RatingDossier:
    d = RatingDossier.open(entry(), shipped())
    d.id = product_id
    d.collect()
    return d


_PANELS: WeakKeyDictionary[CouncilSession, dict[str, MemberScorecards]] = WeakKeyDictionary()


def panel(session: CouncilSession) -> dict[str, MemberScorecards]:
    """Each member's scorecards in the session (their own streams), as the handlers load them."""
    if session not in _PANELS:
        _PANELS[session] = {m: MemberScorecards(MemberScorecards.key(session.id, m)) for m in session.members}
    return _PANELS[session]


def submit(session: CouncilSession, member: str, product_id: str, choices: dict[str, str], note: str | None = None):
    cards = panel(session).get(member) or MemberScorecards(MemberScorecards.key(session.id, member))
    return rounds.score(session, cards, member, shipped(), product_id=product_id, choices=choices, note=note)


def score(session: CouncilSession, product_id: str, *totals: int) -> None:
    sheet = shipped().sheet(session.products[product_id].product_set)
    for member, total in zip(session.members, totals):
        card = card_with_total(sheet, total)
        submit(session, member, product_id, {c: o.id for c, o in card.choices.items()})


def finalise(session: CouncilSession, dossiers: dict[str, RatingDossier], on: date, policy: RatingPolicy = POLICY):
    return rounds.finalise(session, dossiers, shipped(), policy, on, panel(session))


def run(level: str, dossiers: dict[str, RatingDossier], totals: dict[str, tuple[int, ...]], *, held: date,
        decision: date | None = None, policy: RatingPolicy = POLICY, name: str = "s1") -> CouncilSession:
    district = "380" if level == "district" else None
    session = CouncilSession.open(name, council(level, district), cycle_year=2021, round_=1, title="Phiên", held_on=held)
    rounds.examine(session, dossiers, policy)
    for product_id, scores in totals.items():
        score(session, product_id, *scores)
    finalise(session, dossiers, held, policy)
    if decision is not None:
        rounds.decide(session, dossiers, shipped(), policy, decision=Decision(f"{name}/QĐ-UBND", decision, "UBND tỉnh"),
                      today=TODAY)
    return session


def published(facts: list[Any]) -> list[dict[str, Any]]:
    """The ProductRated data the facts are heard as (facts the public never hears left out)."""
    return [data for data in map(rated_data, facts) if data is not None]


def heard(d: RatingDossier) -> list[Any]:
    """The dossier's new facts that the public hears of (as ProductRated)."""
    return [e for e in d.collect() if rated_data(e) is not None]


def outcomes(d: RatingDossier) -> list[tuple[str, str, int]]:
    return [(r["level"], r["status"], r["stars"]) for r in published(d.collect())]


def inspection(d: RatingDossier, inspection_id: str = "I-1", *, severity: str = "major",
               recommended_action: str = "revocation", findings: tuple[Finding, ...] = ()) -> Inspection:
    assert d.holds is not None
    return Inspection(inspection_id, date(2022, 3, 1), d.holds.number, severity, recommended_action, findings)


DECISION = Decision("9/QĐ", date(2022, 4, 1), "UBND")


def test_a_council_has_one_chair_and_unique_members():
    with pytest.raises(RatingError, match="exactly one chair"):
        Council.form("district", "380", "HĐ", [Member("a", "A", "member", "X")])
    with pytest.raises(RatingError) as refused:
        Council.form("provincial", "380", "HĐ", [Member("a", "A", "chair", "X")])
    assert refused.value.field == "district_code"
    c = council()
    assert c.id == "council-district-380" and [m.member_id for m in c.scoring_members] == ["chair", "m1", "m2", "m3"]
    with pytest.raises(AlreadyExists):
        c.appoint(Member("m1", "again", "member", "X"))
    with pytest.raises(NotAllowed, match="exactly one chair"):
        c.withdraw("chair", "moved")
    with pytest.raises(NotAllowed, match="exactly one chair"):
        c.appoint(Member("chair-2", "B", "chair", "X"))
    with pytest.raises(Duplicate, match="member 'a' is listed twice") as twice:
        Council.form("provincial", None, "HĐ", [Member("a", "A", "chair", "X"), Member("a", "B", "member", "Y")])
    assert twice.value.field == "members"


def test_a_decision_names_each_product_once():
    """Before any product is touched: a decision is refused whole."""
    twice = [Ruling("p-1", "insp-1", "mất an toàn thực phẩm"), Ruling("p-1", "insp-2", "nhãn sai")]
    with pytest.raises(Duplicate, match="product 'p-1' is listed twice") as refused:
        rule("revocation", {}, twice, DECISION, date(2022, 4, 2))
    assert refused.value.field == "products"


def test_district_forwards_from_50_and_the_rest_may_re_enter():
    good, weak = dossier("good"), dossier("weak")
    run("district", {"good": good, "weak": weak}, {"good": (60, 62, 58, 60), "weak": (40, 42, 44, 46)}, held=date(2021, 3, 1))
    assert outcomes(good) == [("district", "proposed", 3)] and good.stage == "provincial"
    assert outcomes(weak) == [("district", "not_recognized", 2)] and weak.stage == "district"
    assert weak.purpose_at("district") == "re_entry"
    with pytest.raises(NotAllowed, match="awaits the provincial council"):
        good.purpose_at("district")


def test_a_scorecard_correction_is_a_new_version_and_the_latest_counts():
    d = dossier()
    session = CouncilSession.open("s", council(), cycle_year=2021, round_=1, title="P", held_on=date(2021, 3, 1))
    rounds.examine(session, {"prod-1": d})
    score(session, "prod-1", 40, 60, 60, 60)
    sheet = shipped().sheet(5)
    fixed = card_with_total(sheet, 61)
    card = submit(session, "chair", "prod-1", {c: o.id for c, o in fixed.choices.items()}, "đã chấm lại")
    assert (card.version, card.total) == (2, 61)
    assert session.result_of(shipped(), POLICY, "prod-1", session.cards(panel(session))).totals["chair"] == 61


def test_finalising_is_refused_below_quorum_and_over_the_spread_naming_the_product():
    d = dossier()
    session = CouncilSession.open("s", council(), cycle_year=2021, round_=1, title="P", held_on=date(2021, 3, 1))
    rounds.examine(session, {"prod-1": d})
    score(session, "prod-1", 60, 60)
    with pytest.raises(NotReady, match="prod-1: 2 of 4 members scored"):
        finalise(session, {"prod-1": d}, date(2021, 3, 1))
    score(session, "prod-1", 60, 60, 75)
    with pytest.raises(NotReady, match="differ by 15 points"):
        finalise(session, {"prod-1": d}, date(2021, 3, 1))
    assert not session.finalised


def test_province_certifies_3_and_4_stars_for_36_months_and_proposes_90_to_the_centre():
    a, b, c = dossier("a"), dossier("b"), dossier("c")
    ds = {"a": a, "b": b, "c": c}
    run("district", ds, {k: (80, 80, 80, 80) for k in ds}, held=date(2021, 3, 1), name="d1")
    for d in ds.values():
        d.collect()
    run("provincial", ds, {"a": (60, 60, 60, 60), "b": (75, 75, 75, 75), "c": (92, 92, 92, 92)}, held=date(2021, 4, 1),
        decision=date(2021, 4, 6), name="p1")
    assert outcomes(a) == [("provincial", "recognized", 3)]
    assert a.holds.valid_until == date(2024, 4, 6) and a.holds.number == "p1/QĐ-UBND#2021-001"
    assert outcomes(b) == [("provincial", "recognized", 4)]
    assert outcomes(c) == [("provincial", "proposed", 4)] and c.holds is None and c.stage == "central"


def test_a_first_time_90_gets_a_provincial_4_star_while_waiting_when_the_policy_says_so():
    c = dossier("c")
    run("district", {"c": c}, {"c": (80,) * 4}, held=date(2021, 3, 1), name="d1")
    c.collect()
    policy = RatingPolicy(certify_first_time_90_at_province=True)
    run("provincial", {"c": c}, {"c": (95,) * 4}, held=date(2021, 4, 1), decision=date(2021, 4, 6), policy=policy)
    assert outcomes(c) == [("provincial", "recognized", 4), ("provincial", "proposed", 4)]
    assert c.holds.stars == 4 and c.stage == "central"


def _certified(stars_total: int, product_id: str = "p") -> RatingDossier:
    d = dossier(product_id)
    run("district", {product_id: d}, {product_id: (80,) * 4}, held=date(2021, 3, 1), name="d1")
    run("provincial", {product_id: d}, {product_id: (stars_total,) * 4}, held=date(2021, 4, 1),
        decision=date(2021, 4, 6), name="p1")
    d.collect()
    return d


def test_the_centre_alone_gives_5_stars_and_a_product_it_does_not_pass_keeps_its_star():
    d = _certified(80)
    assert d.purpose_at("provincial") == "upgrade"
    run("provincial", {"p": d}, {"p": (93,) * 4}, held=date(2021, 6, 1), decision=date(2021, 6, 10), name="p2")
    assert outcomes(d) == [("provincial", "proposed", 4)] and d.holds.stars == 4
    session = run("central", {"p": d}, {"p": (85,) * 4}, held=date(2021, 9, 1), decision=date(2021, 9, 20), name="c1")
    assert outcomes(d) == [("central", "not_recognized", 4)] and d.holds.number == "p1/QĐ-UBND#2021-001"
    assert session.decision.number == "c1/QĐ-UBND"
    run("provincial", {"p": d}, {"p": (93,) * 4}, held=date(2022, 6, 1), decision=date(2022, 6, 10), name="p3")
    d.collect()
    run("central", {"p": d}, {"p": (95,) * 4}, held=date(2022, 9, 1), decision=date(2022, 9, 20), name="c2")
    assert outcomes(d) == [("central", "recognized", 5)] and d.holds.valid_until == date(2025, 9, 20)


def test_an_upgrade_supersedes_and_a_lower_voluntary_attempt_keeps_the_certificate():
    d = _certified(60)
    run("provincial", {"p": d}, {"p": (45,) * 4}, held=date(2021, 6, 1), decision=date(2021, 6, 10), name="p2")
    assert outcomes(d) == [("provincial", "not_recognized", 3)] and d.holds.number == "p1/QĐ-UBND#2021-001"
    run("provincial", {"p": d}, {"p": (75,) * 4}, held=date(2021, 8, 1), decision=date(2021, 8, 5), name="p3")
    [fact] = heard(d)
    [upgraded] = published([fact])
    assert (upgraded["status"], upgraded["stars"], d.holds.number) == ("recognized", 4, "p3/QĐ-UBND#2021-001")
    assert upgraded["certificate"]["number"] == d.holds.number and "upgraded from 3★" in upgraded["reason"]
    assert isinstance(fact, out.CertificateIssued) and (fact.supersedes, fact.lower) == ("p1/QĐ-UBND#2021-001", False)


def test_expiry_is_reported_once_from_the_day_after_the_last_valid_day():
    d = _certified(60)  # decision 06/04/2021 → valid until 06/04/2024
    assert not d.expire(date(2024, 4, 6))
    assert d.expire(date(2024, 4, 7))
    assert outcomes(d) == [("provincial", "expired", 0)] and d.holds is None
    assert not d.expire(date(2024, 5, 1))


def test_the_expired_fact_carries_the_first_day_the_certificate_no_longer_holds():
    d = _certified(60)  # valid until 06/04/2024
    d.expire(date(2024, 5, 1))
    [expired] = d.collect()
    assert isinstance(expired, out.CertificateExpired) and expired.ended_on == date(2024, 4, 7)
    assert "expired from 2024-05-01" in expired.reason


def test_a_failed_inspection_puts_the_certificate_under_review_then_revocation():
    d = _certified(75)
    failed = inspection(d, findings=(Finding("C2.1", "x"),))
    d.flag_under_review(failed)
    d.flag_under_review(failed)
    assert [type(e).__name__ for e in d.collect()] == ["CertificateUnderReview"] and d.status == "under_review"
    with pytest.raises(NotAllowed, match="under review"):
        d.purpose_at("provincial")
    with pytest.raises(NotAllowed, match="not under review for inspection 'I-2'"):
        d.revoke("I-2", DECISION, "x", TODAY)
    with pytest.raises(RatingError) as undecided:
        d.revoke("I-1", None, "không đạt ATTP", TODAY)
    assert undecided.value.field == "decision"
    d.revoke("I-1", DECISION, "không đạt ATTP", TODAY)
    [fact] = d.collect()
    [revoked] = published([fact])
    assert (revoked["status"], revoked["stars"], revoked["inspection_id"], d.holds) == ("revoked", 0, "I-1", None)
    assert isinstance(fact, out.CertificateRevoked) and fact.decision == DECISION


def test_a_re_rating_ordered_after_inspection_may_end_downgraded():
    d = _certified(75)
    d.flag_under_review(inspection(d, recommended_action="downgrade"))
    d.order_re_rating("I-1", "chấm lại", None, TODAY)
    assert d.purpose_at("provincial") == "re_rating"
    run("provincial", {"p": d}, {"p": (60,) * 4}, held=date(2022, 5, 1), decision=date(2022, 5, 5), name="p9")
    [down] = published(d.collect())
    assert (down["status"], down["stars"], down["inspection_id"], d.holds.stars) == ("downgraded", 3, "I-1", 3)
    assert d.under_review is None


def test_a_warning_keeps_the_certificate_and_names_the_inspection():
    d = _certified(60)
    d.flag_under_review(inspection(d, severity="minor", recommended_action="warning"))
    d.warn("I-1", "nhắc nhở ghi nhãn", date(2022, 3, 10), None, TODAY)
    [fact] = heard(d)
    [warned] = published([fact])
    assert (warned["status"], warned["stars"], warned["inspection_id"]) == ("recognized", 3, "I-1")
    assert warned["reason"] == "warning: nhắc nhở ghi nhãn" and d.under_review is None and d.holds is not None
    assert isinstance(fact, out.WarningIssued), "a warning is recorded as a warning, not as a recognition"


def test_districts_record_no_decision_and_a_session_takes_one_decision():
    d = dossier()
    s = run("district", {"prod-1": d}, {"prod-1": (60,) * 4}, held=date(2021, 3, 1))
    with pytest.raises(NotAllowed, match="certifies nothing"):
        s.record_decision(Decision("1/QĐ", date(2021, 3, 2), "UBND huyện"), TODAY)
    p = run("provincial", {"prod-1": d}, {"prod-1": (60,) * 4}, held=date(2021, 4, 1), decision=date(2021, 4, 6))
    with pytest.raises(AlreadyExists):
        p.record_decision(Decision("2/QĐ", date(2021, 4, 7), "UBND tỉnh"), TODAY)


def test_a_member_outside_the_session_and_a_product_off_the_list_are_refused():
    d = dossier()
    session = CouncilSession.open("s", council(), cycle_year=2021, round_=1, title="P", held_on=date(2021, 3, 1))
    rounds.examine(session, {"prod-1": d})
    best = {c: o.id for c, o in card_with_total(shipped().sheet(5), 90).choices.items()}
    with pytest.raises(NotAllowed) as outsider:
        submit(session, "sec", "prod-1", best)
    assert outsider.value.field == "member_id"
    with pytest.raises(NotAllowed) as off_list:
        submit(session, "m1", "other", best)
    assert off_list.value.field == "product_id"
    other = dossier("x")
    other.opened = dataclasses.replace(other.opened, district_code="381")
    with pytest.raises(NotAllowed, match="district 381"):
        rounds.examine(session, {"x": other})


def test_a_product_withdrawn_before_its_result_awaits_the_same_level_again():
    stuck, ready = dossier("stuck"), dossier("ready")
    session = CouncilSession.open("s", council(), cycle_year=2021, round_=1, title="P", held_on=date(2021, 3, 1))
    rounds.examine(session, {"stuck": stuck, "ready": ready})
    score(session, "ready", 60, 60, 60, 60)
    score(session, "stuck", 60)
    finalise(session, {"stuck": stuck, "ready": ready}, date(2021, 3, 1))
    assert list(session.results) == ["ready"] and list(session.still_open) == ["stuck"] and not session.finalised
    with pytest.raises(NotAllowed, match="has its result"):
        session.withdraw("ready", "too late")
    rounds.withdraw(session, stuck, "chủ thể xin rút hồ sơ")
    assert session.finalised and list(session.results) == ["ready"] and session.still_open == {}
    assert stuck.session_id is None and stuck.purpose_at("district") == "first"
    with pytest.raises(NotAllowed):
        stuck.withdraw_from("s", "again")


def test_a_finalisation_takes_the_products_that_are_ready_and_a_later_one_the_rest():
    ready, late, apart = dossier("ready"), dossier("late"), dossier("apart")
    ds = {"ready": ready, "late": late, "apart": apart}
    session = CouncilSession.open("s", council(), cycle_year=2021, round_=1, title="P", held_on=date(2021, 3, 1))
    rounds.examine(session, ds)
    score(session, "ready", 62, 62, 62, 62)
    score(session, "late", 60, 60)
    score(session, "apart", 50, 50, 50, 75)

    [first] = finalise(session, ds, date(2021, 3, 1))
    assert first.product_id == "ready" and outcomes(ready) == [("district", "proposed", 3)]
    assert "2 of 4 members scored" in session.still_open["late"] and "differ by 25" in session.still_open["apart"]
    assert late.session_id == "s" and apart.session_id == "s", "the open products stay on the list"
    with pytest.raises(NotAllowed, match="'ready' has its result"):
        score(session, "ready", 70)

    score(session, "late", 60, 60, 60, 60)
    second = finalise(session, ds, date(2021, 3, 2))
    assert [r.product_id for r in second] == ["late"] and list(session.still_open) == ["apart"]
    score(session, "apart", 50, 50, 50, 58)
    finalise(session, ds, date(2021, 3, 3))
    assert session.finalised and list(session.results) == ["ready", "late", "apart"]
    assert [o for d in (late, apart) for o in outcomes(d)] == [("district", "proposed", 3), ("district", "proposed", 3)]
    with pytest.raises(NotAllowed, match="is finalised"):
        finalise(session, ds, date(2021, 3, 3))


def test_a_round_decision_waits_until_every_product_on_the_list_has_its_result():
    done, open_ = dossier("done"), dossier("open")
    for d in (done, open_):
        d.stage = "provincial"
    session = CouncilSession.open("p", council("provincial", None), cycle_year=2021, round_=1, title="Đợt",
                                  held_on=date(2021, 4, 1))
    rounds.examine(session, {"done": done, "open": open_})
    score(session, "done", 70, 70, 70, 70)
    finalise(session, {"done": done, "open": open_}, date(2021, 4, 1))
    with pytest.raises(NotReady, match=r"open without a result\): finalise or withdraw them") as refused:
        session.record_decision(Decision("1/QĐ", date(2021, 4, 6), "UBND tỉnh"), TODAY)
    assert refused.value.field == "session" and session.decision is None
