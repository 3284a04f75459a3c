"""District reports (OCOP-RULES §10): 54 expected in 2021, "before 15/6" read strictly or inclusively, late and
missing as of a date, filings and their refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.deadlines import expected_report, expected_reports, last_on_time_day
from services.monitoring.domain.errors import AlreadyRecorded, InvalidInput, NotAllowed, NotKnown, OutOfOrder
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.reporting import Filing, report_status, schedule_status
from services.monitoring.domain.reports import DistrictReport
from tests.monitoring import TODAY, shipped

STRICT, INCLUSIVE = MonitoringPolicy(), MonitoringPolicy(report_deadline_inclusive=True)


def owed(kind: str = "six_month", district: str = "394", year: int = 2021):
    return expected_report(year, district, kind, shipped().units, shipped().deadlines)


def filed(kind: str, on: date, ref: str = "125/BC-UBND") -> DistrictReport:
    expected = owed(kind)
    report = DistrictReport(expected.report_id)
    report.file(expected, on, ref, today=TODAY)
    return report


def test_every_district_level_unit_owes_a_six_month_and_an_annual_report_54_in_2021():
    reports = expected_reports(2021, shipped().units, shipped().deadlines)
    assert len(reports) == 54
    assert {r.kind for r in reports[:27]} == {"six_month"} and {r.kind for r in reports[27:]} == {"annual"}
    assert {r.due_before for r in reports} == {date(2021, 6, 15), date(2021, 12, 1)}
    assert len({r.report_id for r in reports}) == 54


def test_read_strictly_before_15_june_the_last_on_time_day_is_the_14th():
    assert last_on_time_day(date(2021, 6, 15), STRICT) == date(2021, 6, 14)
    assert last_on_time_day(date(2021, 6, 15), INCLUSIVE) == date(2021, 6, 15)


def test_filed_on_the_15th_is_late_by_default_and_on_time_when_before_admits_the_day():
    filing = Filing(date(2021, 6, 15), "125/BC-UBND")
    strict = report_status(owed(), filing, date(2021, 7, 1), STRICT)
    inclusive = report_status(owed(), filing, date(2021, 7, 1), INCLUSIVE)
    assert (strict.state, strict.days_late) == ("late", 1)
    assert (inclusive.state, inclusive.days_late) == ("on_time", 0)


def test_filed_on_the_14th_is_on_time_under_either_reading():
    filing = Filing(date(2021, 6, 14), "125/BC-UBND")
    assert report_status(owed(), filing, TODAY, STRICT).state == "on_time"
    assert report_status(owed(), filing, TODAY, INCLUSIVE).state == "on_time"


def test_an_annual_report_filed_on_1_december_is_late_by_default():
    assert report_status(owed("annual"), Filing(date(2021, 12, 1), "x"), TODAY, STRICT).state == "late"


def test_an_unfiled_report_is_not_due_until_its_last_on_time_day_then_missing():
    assert report_status(owed(), None, date(2021, 6, 14), STRICT).state == "not_due"
    missing = report_status(owed(), None, date(2021, 6, 15), STRICT)
    assert (missing.state, missing.days_late) == ("missing", 1)
    assert report_status(owed(), None, date(2021, 6, 15), INCLUSIVE).state == "not_due"
    assert report_status(owed(), None, date(2021, 6, 16), INCLUSIVE).state == "missing"


def test_a_filing_after_the_date_asked_was_not_there_yet():
    late = Filing(date(2021, 7, 20), "130/BC-UBND")
    assert report_status(owed(), late, date(2021, 7, 1), STRICT).state == "missing"
    assert report_status(owed(), late, date(2021, 7, 20), STRICT).days_late == 36


@given(due=st.dates(min_value=date(2021, 1, 2), max_value=date(2030, 12, 30)),
       offset=st.integers(min_value=-60, max_value=60), inclusive=st.booleans())
def test_a_filing_is_late_exactly_when_it_is_after_the_last_on_time_day(due, offset, inclusive):
    policy = MonitoringPolicy(report_deadline_inclusive=inclusive)
    expected = replace(owed(), due_before=due)
    filed_on = due + timedelta(days=offset)
    status = report_status(expected, Filing(filed_on, "x"), filed_on, policy)
    on_time = filed_on < due or (inclusive and filed_on == due)
    assert status.state == ("on_time" if on_time else "late")
    assert status.days_late == (0 if on_time else (filed_on - last_on_time_day(due, policy)).days)


def test_a_filing_is_recorded_with_its_date_and_document_and_the_same_filing_again_is_a_no_op():
    report = filed("six_month", date(2021, 6, 10))
    assert report.filing == Filing(date(2021, 6, 10), "125/BC-UBND")
    assert report.file(owed(), date(2021, 6, 10), "125/BC-UBND", today=TODAY) is False
    assert len(report.pending) == 1


def test_a_second_filing_with_another_document_is_refused_amend_it_instead():
    report = filed("six_month", date(2021, 6, 10))
    with pytest.raises(AlreadyRecorded) as caught:
        report.file(owed(), date(2021, 6, 12), "126/BC-UBND", today=TODAY)
    assert caught.value.field == "document_ref"


def test_an_amendment_replaces_the_document_but_the_report_stays_as_timely_as_its_first_filing():
    report = filed("six_month", date(2021, 6, 10))
    report.amend("125b/BC-UBND", date(2021, 6, 20), "bổ sung số liệu", today=TODAY)
    assert report.filing == Filing(date(2021, 6, 10), "125b/BC-UBND")
    assert report_status(owed(), report.filing, TODAY, STRICT).state == "on_time"


@pytest.mark.parametrize("filed_on, ref, error, field", [
    (TODAY + timedelta(days=1), "125/BC-UBND", OutOfOrder, "filed_on"),
    (date(2020, 12, 31), "125/BC-UBND", OutOfOrder, "filed_on"),
    (date(2021, 6, 10), "   ", InvalidInput, "document_ref"),
])
def test_a_bad_filing_is_refused_naming_the_field(filed_on, ref, error, field):
    expected = owed()
    with pytest.raises(error) as caught:
        DistrictReport(expected.report_id).file(expected, filed_on, ref, today=TODAY)
    assert caught.value.field == field


def test_a_filing_for_another_report_or_an_amendment_before_filing_is_refused():
    with pytest.raises(NotAllowed) as caught:
        DistrictReport(owed("annual").report_id).file(owed("six_month"), date(2021, 6, 1), "x", today=TODAY)
    assert caught.value.field == "report_id"
    with pytest.raises(NotAllowed):
        DistrictReport(owed().report_id).amend("x", date(2021, 6, 1), "", today=TODAY)


@pytest.mark.parametrize("year, district, kind, field", [
    (2021, "383", "six_month", "district_code"),  # 383 is no district-level unit of Thanh Hóa
    (2021, "394", "quarterly", "kind"),
    (2020, "394", "six_month", "plan_year"),
])
def test_a_report_nobody_owes_is_refused_naming_the_field(year, district, kind, field):
    with pytest.raises(NotKnown) as caught:
        owed(kind, district, year)
    assert caught.value.field == field


def test_the_schedule_as_of_a_date_shows_each_units_report_filed_on_time_late_or_missing():
    reports = expected_reports(2021, shipped().units, shipped().deadlines)
    six_month = {r.district_code: r for r in reports if r.kind == "six_month"}
    filings = {six_month["394"].report_id: Filing(date(2021, 6, 11), "88/BC-UBND"),
               six_month["380"].report_id: Filing(date(2021, 6, 15), "1502/BC-UBND")}
    statuses = schedule_status(reports, filings, date(2021, 7, 1), STRICT)
    by_unit = {(s.expected.district_code, s.expected.kind): s.state for s in statuses}
    assert by_unit[("394", "six_month")] == "on_time" and by_unit[("380", "six_month")] == "late"
    assert by_unit[("384", "six_month")] == "missing" and by_unit[("384", "annual")] == "not_due"
    assert sum(s.state == "missing" for s in statuses) == 25
