"""The plan year's budget: drafted by the Coordination Office, appraised by the Department of Finance, approved by
the People's Committee, allocated; amendments are new versions that keep the history."""

from __future__ import annotations

from datetime import date

import pytest

from services.finance.domain.budget import Budget
from services.finance.domain.errors import AlreadyExists, FinanceError, InvalidAmount, NotAllowed, Unknown
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange, LineRef

NTM = FundingSource("ntm", "Sự nghiệp NTM tỉnh Thanh Hóa 2021", "ntm_non_business")
KHUYEN_CONG = FundingSource("kc", "Kinh phí khuyến công 2021", "industrial_extension")
PPC = "UBND tỉnh Thanh Hóa"


def decision(number: str, day: date, signer: str | None = "Lê Đức Giang") -> Decision:
    return Decision(number, day, PPC, signer)


def drafted() -> Budget:
    return Budget.draft(2021, [NTM], [Allotment("communication", "ntm", 540_000_000),
                                      Allotment("training", "ntm", 1_282_040_000),
                                      Allotment("rewards", "ntm", 800_000_000)],
                        drafted_by="Văn phòng Điều phối NTM", on=date(2021, 2, 1))


def approved() -> Budget:
    budget = drafted()
    budget.appraise([LineChange("communication", "ntm", 539_320_000, "theo định mức chi hội nghị")],
                    appraised_by="Sở Tài chính", on=date(2021, 2, 20))
    budget.approve(decision("600/QĐ-UBND", date(2021, 3, 1)))
    return budget


def test_the_approved_version_holds_the_appraised_amounts_by_line_and_source() -> None:
    budget = approved()
    assert budget.status == "approved" and budget.version_number == 1
    amounts = budget.amounts()
    assert amounts[LineRef(2021, "communication", "ntm")] == 539_320_000
    assert amounts[LineRef(2021, "rewards", "ntm")] == 800_000_000
    assert budget.versions[0].decision.signer == "Lê Đức Giang"


def test_the_steps_go_in_order_only() -> None:
    budget = drafted()
    with pytest.raises(NotAllowed) as caught:
        budget.approve(decision("600/QĐ-UBND", date(2021, 3, 1)))
    assert caught.value.field == "status" and "drafted" in str(caught.value)
    with pytest.raises(NotAllowed):
        budget.allocate(allocated_by="Sở Tài chính", on=date(2021, 3, 2))
    with pytest.raises(NotAllowed):
        approved().appraise([], appraised_by="Sở Tài chính", on=date(2021, 3, 5))


def test_an_approval_names_its_signer_and_is_not_dated_before_the_appraisal() -> None:
    budget = drafted()
    budget.appraise([], appraised_by="Sở Tài chính", on=date(2021, 2, 20))
    with pytest.raises(FinanceError) as unsigned:
        budget.approve(decision("600/QĐ-UBND", date(2021, 3, 1), signer=None))
    assert unsigned.value.field == "decision.signer"
    with pytest.raises(FinanceError) as early:
        budget.approve(decision("600/QĐ-UBND", date(2021, 2, 19)))
    assert early.value.field == "decision.date"


def test_an_estimate_names_only_its_own_sources_each_line_once_and_known_lines() -> None:
    with pytest.raises(Unknown) as unknown:
        Budget.draft(2021, [NTM], [Allotment("training", "kc", 1)], drafted_by="VPĐP", on=date(2021, 2, 1))
    assert unknown.value.field == "allotments.source"
    with pytest.raises(AlreadyExists):
        Budget.draft(2021, [NTM], [Allotment("training", "ntm", 1), Allotment("training", "ntm", 2)],
                     drafted_by="VPĐP", on=date(2021, 2, 1))
    with pytest.raises(FinanceError) as line:
        Allotment("banquets", "ntm", 1)
    assert line.value.field == "allotments.line"
    with pytest.raises(InvalidAmount):
        LineChange("training", "ntm", -5, "giảm")


def test_every_appraisal_change_gives_its_reason() -> None:
    with pytest.raises(FinanceError) as caught:
        LineChange("training", "ntm", 1_000_000_000, " ")
    assert caught.value.field == "changes.reason"


def test_an_amendment_is_a_new_version_saying_what_changed_and_by_whose_decision() -> None:
    budget = approved()
    budget.allocate(allocated_by="Sở Tài chính", on=date(2021, 3, 10))
    change = LineChange("rewards", "kc", 300_000_000, "bổ sung kinh phí khen thưởng đợt 4")
    budget.propose_amendment([change], proposed_by="Sở Tài chính", on=date(2021, 10, 1), new_sources=[KHUYEN_CONG])
    version = budget.approve_amendment(decision("3500/QĐ-UBND", date(2021, 10, 15)))
    assert (version.version, version.changes, version.decision.number) == (2, (change,), "3500/QĐ-UBND")
    assert budget.amounts()[LineRef(2021, "rewards", "kc")] == 300_000_000
    assert LineRef(2021, "rewards", "kc") not in budget.amounts(1)
    assert [v.version for v in budget.versions] == [1, 2] and budget.status == "allocated"


def test_one_amendment_is_pending_at_a_time_and_a_rejected_one_leaves_the_version() -> None:
    budget = approved()
    budget.propose_amendment([LineChange("rewards", "ntm", 900_000_000, "thêm")], proposed_by="STC",
                             on=date(2021, 6, 1))
    with pytest.raises(AlreadyExists):
        budget.propose_amendment([LineChange("training", "ntm", 1, "bớt")], proposed_by="STC", on=date(2021, 6, 2))
    budget.reject_amendment(reason="chưa đủ căn cứ", rejected_by=PPC, on=date(2021, 6, 10))
    assert budget.version_number == 1 and budget.amounts()[LineRef(2021, "rewards", "ntm")] == 800_000_000
    with pytest.raises(NotAllowed):
        budget.approve_amendment(decision("1/QĐ-UBND", date(2021, 6, 11)))
    second = budget.propose_amendment([LineChange("rewards", "ntm", 850_000_000, "thêm")], proposed_by="STC",
                                      on=date(2021, 6, 12))
    assert second == 2


def test_an_amendment_changes_something_and_needs_an_approved_budget() -> None:
    with pytest.raises(NotAllowed):
        drafted().propose_amendment([LineChange("rewards", "ntm", 1, "x")], proposed_by="STC", on=date(2021, 6, 1))
    with pytest.raises(FinanceError) as empty:
        approved().propose_amendment([], proposed_by="STC", on=date(2021, 6, 1))
    assert empty.value.field == "changes"


def test_the_budget_replays_from_its_events_to_the_same_versions() -> None:
    budget = approved()
    budget.propose_amendment([LineChange("training", "ntm", 0, "cắt giảm")], proposed_by="STC", on=date(2021, 7, 1))
    budget.approve_amendment(decision("2000/QĐ-UBND", date(2021, 7, 5)))
    again = Budget(budget.id)
    for event in budget.collect():
        again.replay(event)
    assert again.versions == budget.versions and again.amounts() == budget.amounts()
    assert again.amounts()[LineRef(2021, "training", "ntm")] == 0


@pytest.mark.parametrize("year", [2017, "2021", True, 2021.0])
def test_a_plan_year_is_a_whole_year_from_ocops_start(year: object) -> None:
    with pytest.raises(FinanceError) as caught:
        Budget.draft(year, [NTM], [], drafted_by="VPĐP", on=date(2021, 2, 1))  # type: ignore[arg-type]
    assert caught.value.field == "plan_year"
