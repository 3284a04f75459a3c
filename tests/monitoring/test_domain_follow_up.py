"""Follow-up of a failed inspection: under review from the failure until rating decides (revoked, downgraded,
re-rated, warning, or the certificate expired), overdue when open longer than the policy's days, as of any date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.errors import InvalidInput, NotAllowed
from services.monitoring.domain.follow_up import FOLLOW_UP_OUTCOMES, follow_up_status, outcome_of_rating
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.policy import DEFAULT_POLICY, MonitoringPolicy
from services.monitoring.domain.values import ReviewDecision
from tests.monitoring import TODAY, certified, finding, new_id, report, shipped

FAILED_ON = date(2021, 9, 15)


def inspected(severity: str = "major") -> Inspection:
    product_id = new_id("product")
    return Inspection.conclude(report(product_id, finding(severity=severity), inspected_on=FAILED_ON),
                               entry=certified(product_id), units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)


def decision(outcome: str = "revoked", on: date = date(2021, 11, 18), evaluation: str = "eval-1") -> ReviewDecision:
    return ReviewDecision(outcome, on, evaluation, 0 if outcome == "revoked" else 3, "3763/QĐ-UBND", "vi phạm ATTP")


def test_a_failed_inspection_is_under_review_from_the_failure_until_the_decision():
    inspection = inspected()
    inspection.close_follow_up(decision("revoked", date(2021, 11, 18)))
    assert follow_up_status(inspection, FAILED_ON - timedelta(days=1), DEFAULT_POLICY) is None
    during = follow_up_status(inspection, date(2021, 11, 17), DEFAULT_POLICY)
    assert (during.state, during.outcome, during.days_open) == ("under_review", None, 63)
    after = follow_up_status(inspection, TODAY, DEFAULT_POLICY)
    assert (after.state, after.outcome, after.days_open, after.overdue) == ("closed", "revoked", 64, False)


def test_a_passed_inspection_has_no_follow_up_and_takes_no_decision():
    inspection = inspected("none")
    assert follow_up_status(inspection, TODAY, DEFAULT_POLICY) is None
    with pytest.raises(NotAllowed) as caught:
        inspection.close_follow_up(decision())
    assert caught.value.field == "inspection_id"


def test_a_follow_up_open_longer_than_the_setting_is_overdue_not_on_the_last_day():
    inspection = inspected()
    last_day = FAILED_ON + timedelta(days=90)
    assert not follow_up_status(inspection, last_day, DEFAULT_POLICY).overdue
    assert follow_up_status(inspection, last_day + timedelta(days=1), DEFAULT_POLICY).overdue
    thirty_days = MonitoringPolicy(follow_up_overdue_days=30)
    assert follow_up_status(inspection, FAILED_ON + timedelta(days=31), thirty_days).overdue


@given(days=st.integers(0, 400), setting=st.integers(0, 200), closed_after=st.none() | st.integers(0, 400))
def test_overdue_means_still_under_review_for_more_than_the_setting(days, setting, closed_after):
    inspection = inspected()
    if closed_after is not None:
        inspection.close_follow_up(decision("warning", FAILED_ON + timedelta(days=closed_after)))
    policy = MonitoringPolicy(follow_up_overdue_days=setting)
    status = follow_up_status(inspection, FAILED_ON + timedelta(days=days), policy)
    open_then = closed_after is None or closed_after > days
    assert status.state == ("under_review" if open_then else "closed")
    assert status.overdue == (open_then and days > setting)


@pytest.mark.parametrize("outcome", FOLLOW_UP_OUTCOMES)
def test_every_outcome_of_rating_closes_the_follow_up(outcome):
    inspection = inspected()
    assert inspection.close_follow_up(decision(outcome, date(2021, 12, 1)))
    assert follow_up_status(inspection, TODAY, DEFAULT_POLICY).outcome == outcome


def test_the_same_decision_again_changes_nothing_another_one_is_refused():
    inspection = inspected()
    inspection.close_follow_up(decision())
    assert inspection.close_follow_up(decision()) is False and inspection.version == 2
    with pytest.raises(NotAllowed) as caught:
        inspection.close_follow_up(decision("re_rated", date(2021, 12, 2), "eval-2"))
    assert caught.value.field == "inspection_id"


@pytest.mark.parametrize("bad, field", [
    (decision("pardoned"), "outcome"),
    (decision("revoked", FAILED_ON - timedelta(days=1)), "decided_on"),
])
def test_a_bad_decision_is_refused_naming_the_field(bad, field):
    with pytest.raises(InvalidInput) as caught:
        inspected().close_follow_up(bad)
    assert caught.value.field == field


@pytest.mark.parametrize("status, warned, outcome", [
    ("revoked", False, "revoked"), ("downgraded", False, "downgraded"), ("expired", False, "expired"),
    ("recognized", False, "re_rated"), ("recognized", True, "warning"), ("proposed", False, "re_rated"),
    ("not_recognized", False, "re_rated"),
])
def test_product_rated_statuses_map_to_follow_up_outcomes(status, warned, outcome):
    assert outcome_of_rating(status, warned=warned) == outcome


def test_an_unknown_rating_status_is_refused():
    with pytest.raises(InvalidInput) as caught:
        outcome_of_rating("warned", warned=True)
    assert caught.value.field == "status"


def test_a_negative_overdue_setting_is_refused_at_start():
    with pytest.raises(ValueError):
        MonitoringPolicy(follow_up_overdue_days=-1)
