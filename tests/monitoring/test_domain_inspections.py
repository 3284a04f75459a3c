"""Inspection records: the worst finding's severity decides pass/fail and the recommended action through the
policy's table; a failed record holds everything InspectionFailed needs; bad reports are refused naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.errors import InvalidInput, NotAllowed, NotKnown, OutOfOrder
from services.monitoring.domain.events import ProductFailedInspection, ProductPassedInspection
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.policy import DEFAULT_POLICY, SCALE, MonitoringPolicy
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.values import AREAS, Body, ProductFacts
from services.monitoring.domain.verdict import judge
from shared.contracts.events import InspectionFailedData
from tests.monitoring import TODAY, YEN_DINH, certified, finding, new_id, report, shipped


def conclude(rep, entry: RegisterEntry | None = None, policy: MonitoringPolicy = DEFAULT_POLICY) -> Inspection:
    return Inspection.conclude(rep, entry=entry or certified(rep.product_id), units=shipped().units, policy=policy,
                               today=TODAY)


def refused(rep, error=InvalidInput, **kwargs) -> str:
    with pytest.raises(error) as caught:
        conclude(rep, **kwargs)
    return caught.value.field


@pytest.mark.parametrize("worst, outcome", [
    ("none", "pass"), ("minor", "warning"), ("major", "downgrade"), ("critical", "revocation"),
])
def test_the_worst_severity_decides_the_outcome(worst, outcome):
    findings = [finding("packaging_labelling", "none"), finding("food_safety", worst)]
    assert judge(findings, DEFAULT_POLICY).outcome == outcome
    assert judge(findings, DEFAULT_POLICY).severity == worst


def test_the_mapping_is_the_policys_a_minor_finding_may_pass_with_its_remark_kept():
    lenient = MonitoringPolicy(action_by_severity={"minor": "pass", "major": "warning", "critical": "revocation"})
    verdict = judge([finding(severity="minor")], lenient)
    assert verdict.passed and verdict.severity == "minor" and verdict.recommended_action is None
    assert judge([finding(severity="major")], lenient).recommended_action == "warning"


@pytest.mark.parametrize("actions", [
    {"minor": "revocation", "major": "downgrade", "critical": "warning"},  # a worse severity, a milder outcome
    {"minor": "warning", "major": "downgrade"},  # critical missing
    {"minor": "warning", "major": "downgrade", "critical": "withdrawal"},
])
def test_a_policy_table_that_does_not_add_up_is_refused_at_start(actions):
    with pytest.raises(ValueError):
        MonitoringPolicy(action_by_severity=actions)


@given(st.lists(st.tuples(st.sampled_from(AREAS), st.sampled_from(SCALE)), min_size=1, max_size=8),
       st.tuples(st.sampled_from(AREAS), st.sampled_from(SCALE)))
def test_another_finding_never_makes_the_outcome_milder(findings, extra):
    outcomes = ("pass", "warning", "downgrade", "revocation")
    before = judge([finding(a, s) for a, s in findings], DEFAULT_POLICY)
    after = judge([finding(a, s) for a, s in [*findings, extra]], DEFAULT_POLICY)
    assert outcomes.index(after.outcome) >= outcomes.index(before.outcome)
    assert after.severity == max([s for _, s in [*findings, extra]], key=SCALE.index)


def test_a_failed_inspection_records_everything_the_public_inspection_failed_carries():
    entry = certified()
    rep = report(entry.id, finding("production_process", "none"),
                 finding("food_safety", "major", "Vượt ngưỡng vi sinh", ("PKQ-112/2021",)),
                 finding("packaging_labelling", "minor", "Nhãn thiếu hạn sử dụng", ("ẢNH-3",), criterion="B2.3"))
    fact = conclude(rep, entry).pending[0]
    assert isinstance(fact, ProductFailedInspection)
    data = InspectionFailedData(
        inspection_id=fact.inspection_id, inspected_on=fact.inspected_on, inspector_org=fact.inspector_org,
        certificate_number=fact.certificate_number, severity=fact.severity,
        recommended_action=fact.recommended_action,
        findings=[{"criterion": f.criterion, "description": f.description} for f in fact.non_compliant])
    assert (data.severity, data.recommended_action) == ("major", "downgrade")
    assert data.certificate_number == entry.periods[0].number and data.inspector_org == "Sở Công Thương Thanh Hóa"
    assert [(f.criterion, f.description) for f in data.findings] == \
        [("food_safety", "Vượt ngưỡng vi sinh"), ("B2.3", "Nhãn thiếu hạn sử dụng")]
    assert fact.findings[0].area == "production_process" and fact.findings[1].evidence == ("PKQ-112/2021",)


def test_a_passed_inspection_is_recorded_too():
    inspection = conclude(report(new_id("product"), finding("food_safety"), finding("producer_operating")))
    assert isinstance(inspection.pending[0], ProductPassedInspection)
    assert inspection.passed and inspection.failed is None and inspection.pending[0].severity == "none"


def test_a_product_without_a_certificate_in_force_on_the_day_is_not_inspected():
    entry = certified()  # in force from 6 April 2021
    assert refused(report(entry.id, inspected_on=date(2021, 4, 5)), NotAllowed, entry=entry) == "product_id"
    assert refused(report(entry.id), NotAllowed, entry=RegisterEntry(entry.id)) == "product_id"
    assert refused(report(entry.id), NotAllowed, entry=certified()) == "product_id"  # another product's entry


@pytest.mark.parametrize("rep, field", [
    (report("p", finding("taste")), "findings[0].area"),
    (report("p", finding(), finding("food_safety", "severe")), "findings[1].severity"),
    (report("p", finding(severity="major", evidence=())), "findings[0].evidence"),
    (report("p", finding(severity="minor", description=" ")), "findings[0].description"),
    (report("p", finding(severity="minor", evidence=("",))), "findings[0].evidence[0]"),
    (report("p", inspectors=()), "inspectors"),
    (report("p", inspectors=("Lê Văn Hùng", "Lê Văn Hùng")), "inspectors[1]"),
    (report("p", body=Body("ministry", "Bộ Công Thương")), "body.kind"),
    (report("p", body=Body("department", "Sở Y tế", "Sở Y tế")), "body.code"),
    (report("p", body=Body("district", " ", "394")), "body.name"),
    (report(" "), "product_id"),
])
def test_a_bad_report_is_refused_naming_the_field(rep, field):
    assert refused(rep, entry=certified(rep.product_id)) == field


@pytest.mark.parametrize("rep, error, field", [
    (report("p", inspected_on=TODAY + timedelta(days=1)), OutOfOrder, "inspected_on"),  # today decides: 409
    (report("p", body=Body("district", "UBND huyện X", "999")), NotKnown, "body.code"),  # the reference decides: 404
])
def test_a_report_dated_after_today_or_naming_a_unit_the_reference_lacks_is_refused(rep, error, field):
    assert refused(rep, error) == field


def test_an_inspection_records_at_least_one_finding():
    rep = report("p")
    empty = type(rep)(rep.inspection_id, rep.product_id, rep.inspected_on, rep.body, rep.inspectors, ())
    assert refused(empty, entry=certified("p")) == "findings"


def test_without_the_evidence_rule_a_finding_needs_no_evidence():
    policy = MonitoringPolicy(evidence_required=False)
    inspection = conclude(report("p", finding(severity="critical", evidence=())), certified("p"), policy)
    assert inspection.failed.recommended_action == "revocation"


def test_a_district_body_inspects_under_its_own_code():
    inspection = conclude(report("p", body=YEN_DINH), certified("p"))
    assert inspection.concluded.body == YEN_DINH


def test_a_failure_continues_the_products_flow_from_its_registration():
    entry = certified()
    entry.note_product(ProductFacts("reg-1", 2021, "Nem chua", 3, "380", "14755", "hp-9", "Cơ sở Nem Thanh",
                                    correlation_id="2f0c1a64-6b1e-4d8e-9d7a-1f3b0c5e7a90"))
    failed = conclude(report(entry.id, finding(severity="major")), entry).failed
    assert failed.correlation_id == "2f0c1a64-6b1e-4d8e-9d7a-1f3b0c5e7a90"
    assert conclude(report("p", finding(severity="major")), certified("p")).failed.correlation_id is None
