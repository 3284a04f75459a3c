"""Finance's handlers in memory (no PostgreSQL, no broker): the composition root with an in-memory unit of work, a
fixed clock and the waiting-claims query answered from the store. The same flows run over the real broker and
PostgreSQL in the flow modules of this folder."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

import pytest

from services.finance.application import budgets, rewards, support, tariffs
from services.finance.application.funding import retry_waiting
from services.finance.application.ports import FinancePorts
from services.finance.bootstrap import bootstrap
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import (AbovePermitted, AlreadyExists, FinanceError, InsufficientFunds,
                                            NotAllowed, TariffError)
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange, LineRef, Payment
from services.finance.service import definition
from shared.auth import Actor, DistrictForbiddenError
from shared.contracts import parse_event, serialize_event
from shared.contracts.envelope import VIETNAM_TZ
from shared.contracts.roles import Role
from shared.context import message_context
from shared.memory import InMemoryStore
from shared.ports import fixed_clock
from shared.publication import Publications
from tests.finance.support import M, in_store_waiting, rated, registered, revoked

pytestmark = pytest.mark.asyncio
OFFICE = Actor(id="vpdp-01", role=Role.provincial_office)
OFFICER = Actor(id="stc-07", role=Role.finance_officer)
PPC = Decision("600/QĐ-UBND", date(2021, 3, 15), "UBND tỉnh Thanh Hóa", "Nguyễn Văn A")
STC = Decision("90/QĐ-STC", date(2021, 12, 1), "Sở Tài chính Thanh Hóa")
REWARDS = LineRef(2021, "rewards", "ntm")
NTM = FundingSource("ntm", "Kinh phí sự nghiệp NTM", "ntm_non_business")


def make_ports(store: InMemoryStore, policy: FinancePolicy | None = None) -> FinancePorts:
    return bootstrap(store.unit_of_work, policy=policy, clock=fixed_clock(datetime(2021, 12, 20, 9, tzinfo=VIETNAM_TZ)),
                     waiting=in_store_waiting(store))


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore(definition.events, Publications(definition.publishers))


@pytest.fixture
def ports(store: InMemoryStore) -> FinancePorts:
    return make_ports(store)


async def deliver(ports: FinancePorts, handler: Any, *envelopes: Any) -> None:
    """As the consumer does: one unit of work per delivery, committed after the handler."""
    for envelope in envelopes:
        async with ports.uow() as uow:
            await handler(envelope, uow, ports)
            await uow.commit()


async def allocated(ports: FinancePorts, rewards_vnd: int = 100 * M, year: int = 2021) -> list[str]:
    await budgets.draft(ports, OFFICE, plan_year=year, sources=[NTM],
                        allotments=[Allotment("rewards", "ntm", rewards_vnd), Allotment("training", "ntm", 50 * M)],
                        on=date(year, 1, 10))
    await budgets.appraise(ports, OFFICER, year, [], date(year, 2, 1))
    await budgets.approve(ports, year, PPC)
    return (await budgets.allocate(ports, OFFICER, year, date(year, 3, 20)))[1]


async def line(ports: FinancePorts, ref: LineRef = REWARDS) -> BudgetLine:
    async with ports.uow() as uow:
        return await uow.repository(BudgetLine).get(ref.stream_id)


async def product(ports: FinancePorts, product_id: str) -> ProductRewards:
    async with ports.uow() as uow:
        return await uow.repository(ProductRewards).get(product_id)


def approvals(store: InMemoryStore) -> list[Any]:
    return [e for e in store.published if e.event_type == "RewardApproved"]


async def test_a_provincial_recognition_is_approved_from_the_rewards_line_and_publishes_reward_approved(store, ports):
    await allocated(ports)
    flow = uuid.uuid4()
    await deliver(ports, rewards.enter_product, registered("nem", "392"))
    await deliver(ports, rewards.hear_rating, rated("nem", stars=4, correlation_id=flow))

    [published] = approvals(store)
    again = parse_event(serialize_event(published))  # valid against the public contract
    assert (again.product_id, again.correlation_id, again.actor, again.source) == ("nem", flow, None, "finance")
    assert again.data.model_dump() == {
        "reward_id": "nem:1", "plan_year": 2021, "level": "provincial", "stars": 4, "amount_vnd": 20 * M,
        "funding_source": "ntm", "budget_line": "rewards",
        "decision": {"number": "1114/QĐ-UBND", "date": date(2021, 4, 6)}}
    claim = (await product(ports, "nem")).claim("nem:1")
    assert (claim.status, claim.rule, claim.approved_on, claim.recognition.district_code) == (
        "approved", "first_reward", date(2021, 4, 6), "392")
    held = await line(ports)
    assert (held.committed, held.reserved, held.available) == (20 * M, 0, 80 * M)


async def test_a_rating_heard_twice_opens_one_claim_and_pays_once(store, ports):
    await allocated(ports)
    recognised = rated("tra", stars=3)
    await deliver(ports, rewards.hear_rating, recognised, recognised)
    assert len(approvals(store)) == 1
    assert (await line(ports)).committed == 10 * M
    assert list((await product(ports, "tra")).claims) == ["tra:1"]


async def test_kinds_finance_does_not_act_on_record_nothing(store, ports):
    await allocated(ports)
    before = len(store.events)
    await deliver(ports, rewards.hear_rating,
                  rated("a", stars=3, level="district", status="proposed", decision=None),
                  rated("a", stars=2, level="district", status="not_recognized", decision=None),
                  rated("a", stars=4, status="proposed"),
                  rated("a", stars=4, level="central", status="not_recognized"),
                  rated("a", stars=0, status="expired", decision=None),
                  rated("a", stars=3, reason="warning: nhãn mác chưa đúng quy định", inspection_id="I-2"))
    assert len(store.events) == before and approvals(store) == []


@pytest.mark.parametrize("envelope, field", [
    (rated("x", stars=5, level="provincial"), "level"),
    (rated("x", stars=2, level="provincial"), "stars"),
    (rated("x", stars=3, decision=None), "decision"),
    (revoked("never-recognised"), "product_id"),
])
async def test_a_rating_finance_cannot_use_or_place_is_refused_naming_why(store, ports, envelope, field):
    with pytest.raises(FinanceError) as refused:
        await deliver(ports, rewards.hear_rating, envelope)
    assert refused.value.field == field and store.events == []


async def test_a_claim_without_an_allocated_budget_waits_and_allocation_approves_it(store, ports):
    await deliver(ports, rewards.hear_rating, rated("early", stars=3))
    claim = (await product(ports, "early")).claim("early:1")
    assert (claim.status, claim.shortfall) == ("waiting_for_budget", 10 * M)
    assert approvals(store) == []

    assert await allocated(ports) == ["early:1"]
    claim = (await product(ports, "early")).claim("early:1")
    assert (claim.status, claim.approved_on) == ("approved", date(2021, 4, 6)), "dated by the recognition decision"
    assert [e.data.reward_id for e in approvals(store)] == ["early:1"]


async def test_a_claim_the_line_cannot_hold_waits_until_an_amendment_then_is_approved_on_its_date(store, ports):
    await allocated(ports, rewards_vnd=25 * M)
    await deliver(ports, rewards.hear_rating, rated("first", stars=4), rated("second", stars=4),
                  rated("third", stars=3))
    statuses = {p: (await product(ports, p)).claim(f"{p}:1").status for p in ("first", "second", "third")}
    assert statuses == {"first": "approved", "second": "waiting_for_budget", "third": "waiting_for_budget"}
    assert (await line(ports)).available == 5 * M

    async def amend(amount: int, number: str, on: date) -> list[str]:
        await budgets.propose_amendment(ports, OFFICE, 2021, [LineChange("rewards", "ntm", amount, "bổ sung")], [],
                                        on)
        return (await budgets.approve_amendment(ports, 2021, (await budgets.budget(ports, 2021)).amendments,
                                                Decision(number, on, "UBND tỉnh Thanh Hóa", "Lê Văn B")))[1]

    assert await amend(45 * M, "2000/QĐ-UBND", date(2021, 8, 20)) == ["second:1"], "oldest first; third does not fit"
    second = (await product(ports, "second")).claim("second:1")
    assert (second.status, second.approved_on) == ("approved", date(2021, 8, 20))
    third = (await product(ports, "third")).claim("third:1")
    assert (third.status, third.shortfall) == ("waiting_for_budget", 5 * M)

    assert await amend(50 * M, "2100/QĐ-UBND", date(2021, 9, 1)) == ["third:1"]
    assert (await line(ports)).available == 0 and len(approvals(store)) == 3
    assert (await budgets.budget(ports, 2021)).version_number == 3


async def test_an_amendment_below_what_a_line_holds_is_refused_whole(store, ports):
    await allocated(ports)
    await deliver(ports, rewards.hear_rating, rated("big", stars=5, level="central"))
    await budgets.propose_amendment(ports, OFFICE, 2021, [LineChange("rewards", "ntm", 50 * M, "cắt giảm")], [],
                                    date(2021, 8, 1))
    events = len(store.events)
    with pytest.raises(InsufficientFunds):
        await budgets.approve_amendment(ports, 2021, 1, Decision("2001/QĐ-UBND", date(2021, 8, 20), "UBND", "B"))
    assert len(store.events) == events and (await budgets.budget(ports, 2021)).version_number == 1
    with pytest.raises(NotAllowed):
        await budgets.approve_amendment(ports, 2021, 2, Decision("2001/QĐ-UBND", date(2021, 8, 20), "UBND", "B"))


async def test_concurrent_approvals_of_waiting_claims_approve_exactly_the_money_there_is(store, ports):
    """Twelve officers approve twelve 10 M claims at once on a line of 50 M: five get the money, seven still wait."""
    await allocated(ports, rewards_vnd=0)
    products = [f"p{n:02}" for n in range(12)]
    await deliver(ports, rewards.hear_rating, *(rated(p, stars=3) for p in products))
    await budgets.propose_amendment(ports, OFFICE, 2021, [LineChange("rewards", "ntm", 50 * M, "bổ sung")], [],
                                    date(2021, 5, 1))
    async with ports.uow() as uow:  # the amendment's own retry is not what is tested: approve it behind its back
        (await uow.repository(BudgetLine).get(REWARDS.stream_id)).change_amount(
            50 * M, budget_version=2, decision_number="x", on=date(2021, 5, 2))
        await uow.commit()

    async def approve(product_id: str) -> str:
        try:
            await rewards.approve_claim(ports, OFFICER, f"{product_id}:1", decision=STC, on=date(2021, 12, 2))
            return "approved"
        except InsufficientFunds:
            return "waits"

    outcomes = await asyncio.gather(*(approve(p) for p in products))
    assert sorted(outcomes).count("approved") == 5
    held = await line(ports)
    assert (held.committed, held.reserved, held.available) == (50 * M, 0, 0)
    assert len(approvals(store)) == 5
    for p, outcome in zip(products, outcomes):
        status = (await product(ports, p)).claim(f"{p}:1").status
        assert status == ("approved" if outcome == "approved" else "waiting_for_budget")


async def test_manual_approval_holds_the_money_then_an_officer_approves_with_their_decision(store):
    ports = make_ports(store, FinancePolicy(approval="manual"))
    await allocated(ports)
    await deliver(ports, rewards.hear_rating, rated("tay", stars=3))
    assert (await product(ports, "tay")).claim("tay:1").status == "reserved" and approvals(store) == []

    with message_context(actor=OFFICER.as_event_actor()):  # as the route's ``acting`` does
        claim = await rewards.approve_claim(ports, OFFICER, "tay:1", decision=STC, on=date(2021, 12, 2))
    assert (claim.status, claim.decision) == ("approved", STC)
    [published] = approvals(store)
    assert published.actor.model_dump() == {"id": "stc-07", "role": "finance_officer"}
    assert published.data.decision.number == "90/QĐ-STC"


async def test_payments_are_partial_never_above_the_approved_amount_and_a_voucher_counts_once(store, ports):
    await allocated(ports)
    await deliver(ports, rewards.hear_rating, rated("pay", stars=4))
    claim = await rewards.pay_claim(ports, "pay:1", Payment(5 * M, "PC-01", date(2021, 5, 1)))
    assert (claim.status, claim.paid) == ("partly_paid", 5 * M)
    with pytest.raises(AbovePermitted) as above:
        await rewards.pay_claim(ports, "pay:1", Payment(15 * M + 1, "PC-02", date(2021, 5, 2)))
    assert above.value.field == "amount"
    with pytest.raises(AlreadyExists):
        await rewards.pay_claim(ports, "pay:1", Payment(1 * M, "PC-01", date(2021, 5, 2)))
    claim = await rewards.pay_claim(ports, "pay:1", Payment(15 * M, "PC-02", date(2021, 5, 2)))
    assert (claim.status, claim.paid) == ("paid", 20 * M)
    held = await line(ports)
    assert (held.committed, held.disbursed) == (0, 20 * M)


async def test_a_revocation_after_payment_opens_a_recovery_and_holds_what_was_not_paid(store, ports):
    await allocated(ports)
    await deliver(ports, rewards.hear_rating, rated("rev", stars=3), rated("rev", stars=4,
                  decision={"number": "2222/QĐ-UBND", "date": "2021-09-01", "issued_by": "UBND tỉnh Thanh Hóa"}))
    await rewards.pay_claim(ports, "rev:1", Payment(10 * M, "PC-11", date(2021, 5, 1)))
    await deliver(ports, rewards.hear_rating, revoked("rev"), revoked("rev"))

    product_ = await product(ports, "rev")
    assert {c.claim_id: c.status for c in product_.claims.values()} == {"rev:1": "paid", "rev:2": "on_hold"}
    [recovery] = product_.recoveries.values()
    assert (recovery.claim_id, recovery.amount, recovery.decision.number) == ("rev:1", 10 * M, "3763/QĐ-UBND")

    cancelled = await rewards.cancel_claim(ports, OFFICER, "rev:2", decision=STC, reason="sản phẩm bị thu hồi")
    assert cancelled.status == "cancelled"
    held = await line(ports)
    assert (held.committed, held.disbursed, held.available) == (0, 10 * M, 90 * M), "the upgrade's 10 M went back"
    paid_back = await rewards.pay_back(ports, recovery.recovery_id, Payment(4 * M, "PT-1", date(2021, 12, 5)))
    assert (paid_back.status, paid_back.recovered) == ("open", 4 * M)
    waived = await rewards.waive_recovery(ports, OFFICER, recovery.recovery_id, decision=STC, reason="khó khăn")
    assert waived.status == "waived"


async def test_a_released_hold_of_a_waiting_claim_tries_its_line_again(store, ports):
    await deliver(ports, rewards.hear_rating, rated("hold", stars=3), revoked("hold"))
    await allocated(ports)
    assert (await product(ports, "hold")).claim("hold:1").status == "on_hold", "a held claim is not funded"
    claim = await rewards.release_hold(ports, OFFICER, "hold:1", decision=STC, reason="quyết định thu hồi bị hủy")
    assert claim.status == "approved" and len(approvals(store)) == 1


async def test_an_installed_tariff_table_decides_later_recognitions_and_a_missing_star_is_refused(store, ports):
    await allocated(ports)
    table = {"format": "ocop-reward-tariffs/1", "province": "Thanh Hóa", "title": "2021 sửa đổi",
             "tariffs": [{"plan_year": 2021, "valid_from": "2021-01-01", "valid_until": None,
                          "stars": {"3": 15_000_000, "4": 30_000_000}, "no_reward": []}]}
    with pytest.raises(TariffError) as refused:
        await tariffs.install(ports, OFFICER, table, date(2021, 6, 1))
    assert refused.value.field == "tariffs[0].stars.5" and store.events[-1].stream_type != "tariff-book"

    table["tariffs"][0]["stars"]["5"] = 150_000_000
    installed = await tariffs.install(ports, OFFICER, table, date(2021, 6, 1))
    assert installed.tariffs[0].amount(3) == 15 * M
    await deliver(ports, rewards.hear_rating, rated("new", stars=3))
    assert (await product(ports, "new")).claim("new:1").amount == 15 * M
    in_force, book = await tariffs.in_force(ports)
    assert in_force.title == "2021 sửa đổi" and book is not None and book.installed[-1].installed_by == "stc-07"


async def test_a_support_item_takes_its_money_on_approval_or_is_refused_whole(store, ports):
    await allocated(ports)
    training = LineRef(2021, "training", "ntm")
    big = await support.propose(ports, OFFICE, "HT-1", plan_item="II.6.2", purpose="Thiết kế bao bì", amount=60 * M,
                                line=training, product_id="nem", producer_id="p-nem", on=date(2021, 5, 1))
    with pytest.raises(InsufficientFunds):
        await support.approve(ports, OFFICER, "HT-1", decision=STC, on=date(2021, 12, 2))
    assert (await support.item(ports, "HT-1")).status == "proposed" == big.status
    small = await support.propose(ports, OFFICE, "HT-2", plan_item="II.6.2", purpose="Tem truy xuất", amount=20 * M,
                                  line=training, product_id="nem", producer_id="p-nem", on=date(2021, 5, 1))
    assert small.status == "proposed"
    await support.approve(ports, OFFICER, "HT-2", decision=STC, on=date(2021, 12, 2))
    await support.pay(ports, "HT-2", Payment(5 * M, "PC-S1", date(2021, 12, 3)))
    cancelled = await support.cancel(ports, OFFICER, "HT-2", reason="chủ thể dừng thực hiện", on=date(2021, 12, 4))
    assert (cancelled.status, cancelled.paid) == ("cancelled", 5 * M)
    held = await line(ports, training)
    assert (held.committed, held.disbursed, held.available) == (0, 5 * M, 45 * M)
    with pytest.raises(AlreadyExists):
        await support.propose(ports, OFFICE, "HT-2", plan_item="II.6.2", purpose="lần hai", amount=1 * M,
                              line=training, product_id="nem", producer_id="p-nem", on=date(2021, 5, 1))


async def test_a_district_officer_proposes_support_only_for_a_product_of_their_district(store, ports):
    await deliver(ports, rewards.enter_product, registered("mine", "380"), registered("theirs", "381"))
    officer = Actor(id="dist-380", role=Role.district_officer, district="380")
    item = await support.propose(ports, officer, "HT-9", plan_item="II.6.1", purpose="Tư vấn", amount=5 * M,
                                 line=LineRef(2021, "consulting", "ntm"), product_id="mine", producer_id="p-mine",
                                 on=date(2021, 5, 1))
    assert item.status == "proposed"
    with pytest.raises(DistrictForbiddenError):
        await support.propose(ports, officer, "HT-10", plan_item="II.6.1", purpose="Tư vấn", amount=5 * M,
                              line=LineRef(2021, "consulting", "ntm"), product_id="theirs", producer_id="p",
                              on=date(2021, 5, 1))


async def test_retrying_waiting_claims_funds_them_oldest_first_and_never_more_than_the_line_holds(store, ports):
    await deliver(ports, rewards.hear_rating, rated("w1", stars=4), rated("w2", stars=3), rated("w3", stars=4))
    await allocated(ports, rewards_vnd=30 * M)
    assert [c.data.reward_id for c in approvals(store)] == ["w1:1", "w2:1"]
    assert await retry_waiting(ports) == [], "w3 still does not fit"
    assert (await product(ports, "w3")).claim("w3:1").shortfall == 20 * M
