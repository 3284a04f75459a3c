"""Support items of Circular 08/2019/TT-BTC (hỗ trợ chủ thể): proposed, approved with their money committed on
their line in the same unit, paid in parts, or cancelled (the line gets back what it still held)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.finance.application import unit
from services.finance.application.access import may_propose_support
from services.finance.application.ports import FinancePorts
from services.finance.application.unit_of_work import in_unit, on_stream
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import AlreadyExists, NotAllowed
from services.finance.domain.products import RegisteredProduct, product_stream
from services.finance.domain.support import SupportItem, support_id
from services.finance.domain.values import Decision, LineRef, Payment
from shared.auth import Actor


async def _line(uow: Any, ref: LineRef) -> BudgetLine:
    line = await unit.find(uow, BudgetLine, ref.stream_id)
    if line is None:
        raise NotAllowed(f"budget line {ref.stream_id} is not allocated", field="budget_line")
    return line


async def propose(ports: FinancePorts, actor: Actor, item_id: str, *, plan_item: str, purpose: str, amount: int,
                  line: LineRef, product_id: str, producer_id: str, on: date) -> SupportItem:
    async def work(uow: Any) -> SupportItem:
        product = await unit.find(uow, RegisteredProduct, product_stream(product_id))
        may_propose_support(actor, product.district_code if product else None)
        if await uow.events.stream_version(support_id(item_id)):
            raise AlreadyExists(f"support item {item_id!r} already exists", field="item_id")
        return unit.add(uow, SupportItem.propose(item_id, plan_item=plan_item, purpose=purpose, amount=amount,
                                                 line=line, product_id=product_id, producer_id=producer_id,
                                                 proposed_by=actor.id, on=on))

    return await in_unit(ports, work)


async def _on_item(ports: FinancePorts, item_id: str, decide: Any) -> SupportItem:
    return await on_stream(ports, SupportItem, support_id(item_id), decide)


async def approve(ports: FinancePorts, actor: Actor, item_id: str, *, decision: Decision, on: date) -> SupportItem:
    """Approved only with its money: a line that cannot hold it refuses the approval (nothing written)."""
    async def decide(uow: Any, item: SupportItem) -> None:
        item.approve(decision, approved_by=actor.id, on=on)
        line = await _line(uow, item.line)
        line.reserve(item.id, item.amount, on)
        line.commit(item.id, on)

    return await _on_item(ports, item_id, decide)


async def pay(ports: FinancePorts, item_id: str, payment: Payment) -> SupportItem:
    async def decide(uow: Any, item: SupportItem) -> None:
        item.record_payment(payment)
        (await _line(uow, item.line)).disburse(item.id, payment)

    return await _on_item(ports, item_id, decide)


async def cancel(ports: FinancePorts, actor: Actor, item_id: str, *, reason: str, on: date) -> SupportItem:
    async def decide(uow: Any, item: SupportItem) -> None:
        item.cancel(reason=reason, cancelled_by=actor.id, on=on)
        line = await unit.find(uow, BudgetLine, item.line.stream_id)
        if line is not None and item.id in line.holdings:
            line.release(item.id, on)

    return await _on_item(ports, item_id, decide)


async def item(ports: FinancePorts, item_id: str) -> SupportItem:
    async with ports.uow() as uow:
        return await unit.get(uow, SupportItem, support_id(item_id))
