"""Every finance event survives the event store's encoding: written as JSON, read back equal (dates, money, value
objects), so each aggregate replays from storage to the state it had."""

from __future__ import annotations

import json
from datetime import date

from services.finance.domain.budget import Budget
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.support import SupportItem
from services.finance.domain.values import Payment
from shared.aggregate import Aggregate
from shared.events import EventRegistry
from tests.finance.test_domain_budget import approved
from tests.finance.test_domain_budget_line import REWARDS
from tests.finance.test_domain_holds import approved_and_paid, revoked
from tests.finance.test_domain_support import proposed

REGISTRY = EventRegistry.of(Budget, BudgetLine, ProductRewards, SupportItem)


def through_the_store(aggregate: Aggregate) -> list:
    events = aggregate.collect()
    stored = [REGISTRY.encode(e, {}) for e in events]
    decoded = [REGISTRY.decode(s.event_type, s.schema_version, json.loads(json.dumps(s.data))) for s in stored]
    assert decoded == events
    return decoded


def test_every_event_type_is_registered_once() -> None:
    names = [n for a in (Budget, BudgetLine, ProductRewards, SupportItem) for n in a.event_types]
    assert len(names) == len(set(names)) == 30


def test_the_events_of_every_aggregate_round_trip_through_json() -> None:
    product, claim_id = approved_and_paid(5_000_000)
    (recovery_id,) = product.withdraw(revoked())[1]
    product.record_recovery(recovery_id, Payment(1_000_000, "PT-1", date(2021, 12, 5)))
    line = BudgetLine.open(REWARDS, 30_000_000, budget_version=1, decision_number="600/QĐ-UBND")
    line.reserve(claim_id, 20_000_000)
    line.commit(claim_id)
    line.disburse(claim_id, Payment(5_000_000, "PC-1", date(2021, 5, 1)))
    line.release(claim_id)
    for aggregate in (approved(), line, product, proposed()):
        again = type(aggregate)(aggregate.id)
        for event in through_the_store(aggregate):
            again.replay(event)
        assert {k: v for k, v in vars(again).items() if k != "_pending"} == {
            k: v for k, v in vars(aggregate).items() if k != "_pending"}
