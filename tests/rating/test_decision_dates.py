"""A decision's date is the day it was signed: never after today, never before what it decides on (the session, the
certificate's issue, the inspection). Each refusal names ``decision.date`` and leaves nothing recorded."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.domain import rounds
from services.rating.domain.decision_dates import ensure_not_before, ensure_signed_by
from services.rating.domain.errors import DecisionDateRefused
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision
from tests.rating.test_rounds_domain import POLICY, _certified, council, finalise, inspection, score
from tests.rating.support import shipped

TODAY = date(2022, 6, 30)


def refused(call, rule: str) -> DecisionDateRefused:
    with pytest.raises(DecisionDateRefused) as caught:
        call()
    assert caught.value.field == "decision.date" and rule in str(caught.value)
    return caught.value


def test_a_decision_may_be_dated_today_but_not_tomorrow():
    ensure_signed_by(TODAY, TODAY)
    refused(lambda: ensure_signed_by(date(2022, 7, 1), TODAY), rule="never in the future")


def test_a_decision_may_be_dated_the_day_of_what_it_decides_on_but_not_the_day_before():
    ensure_not_before(date(2021, 4, 6), "the session", date(2021, 4, 6))
    message = refused(lambda: ensure_not_before(date(2021, 4, 5), "the session", date(2021, 4, 6)),
                      rule="cannot be dated before what it decides on")
    assert "2021-04-05 is before the session (2021-04-06)" in str(message)


def decided_session(held_on: date) -> CouncilSession:
    product = _certified(60)
    product.stage, product.holds = "provincial", None  # awaiting the province, as a forwarded product does
    session = CouncilSession.open("p9", council("provincial", None), cycle_year=2022, round_=1, title="Đợt",
                                  held_on=held_on)
    rounds.examine(session, {"p": product})
    score(session, "p", 70, 70, 70, 70)
    finalise(session, {"p": product}, held_on)
    return session


def test_a_round_decision_in_the_future_or_before_the_session_is_refused_and_nothing_is_recorded():
    session = decided_session(date(2022, 6, 1))
    before = session.version
    refused(lambda: session.record_decision(Decision("9/QĐ", date(2022, 7, 1), "UBND tỉnh"), TODAY),
            rule="in the future")
    refused(lambda: session.record_decision(Decision("9/QĐ", date(2022, 5, 31), "UBND tỉnh"), TODAY),
            rule="before the session p9 was held")
    assert session.version == before and session.decision is None
    session.record_decision(Decision("9/QĐ", date(2022, 6, 1), "UBND tỉnh"), TODAY)
    assert session.decision is not None


def test_an_upgrade_decided_before_the_certificate_it_would_supersede_was_issued_is_refused():
    d = _certified(60)  # certificate p1/QĐ-UBND#2021-001 from 2021-04-06
    session = CouncilSession.open("up", council("provincial", None), cycle_year=2021, round_=2, title="Đợt",
                                  held_on=date(2021, 3, 20))
    rounds.examine(session, {"p": d})
    score(session, "p", 75, 75, 75, 75)
    finalise(session, {"p": d}, date(2021, 3, 20))
    d.collect()
    decision = Decision("up/QĐ-UBND", date(2021, 4, 1), "UBND tỉnh")
    refused(lambda: rounds.decide(session, {"p": d}, shipped(), POLICY, decision=decision, today=TODAY),
            rule="before the issue of certificate p1/QĐ-UBND#2021-001")
    assert d.pending == () and d.holds.stars == 3


def test_a_revocation_dated_before_the_certificate_the_inspection_or_after_today_is_refused():
    d = _certified(75)  # certificate from 2021-04-06; the inspection is of 2022-03-01
    d.flag_under_review(inspection(d))
    d.collect()
    for on, rule in ((date(2021, 4, 5), "before the issue of certificate"),
                     (date(2022, 2, 28), "before inspection I-1"), (date(2022, 7, 1), "in the future")):
        decision = Decision("3763/QĐ-UBND", on, "UBND tỉnh")
        refused(lambda: d.revoke("I-1", decision, "vi phạm", TODAY), rule=rule)
        refused(lambda: d.warn("I-1", "nhắc nhở", on, decision, TODAY), rule=rule)
    assert d.pending == () and d.status == "under_review"
    d.revoke("I-1", Decision("3763/QĐ-UBND", date(2022, 3, 1), "UBND tỉnh"), "vi phạm", TODAY)
    assert d.status == "revoked"
