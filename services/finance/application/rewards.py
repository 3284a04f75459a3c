"""Reward claims (khen thưởng): what finance does when it hears a rating, and the finance officer's commands on claims
and recoveries. Each command loads → decides through the domain → commits, in one unit (``in_unit``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.finance.application import translators, unit
from services.finance.application.funding import try_line
from services.finance.application.ports import FinancePorts
from services.finance.application.unit_of_work import in_unit
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.claims import Claim, Recovery, product_of
from services.finance.domain.errors import FinanceError, NotAllowed
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.products import RegisteredProduct, product_stream
from services.finance.domain.recognitions import Recognition, Withdrawal
from services.finance.domain.tariff_book import TARIFF_BOOK, TariffBook
from services.finance.domain.tariffs import TariffTable
from services.finance.domain.values import Decision, LineRef, Payment
from shared.auth import Actor

# ----------------------------------------------------------------------------------------- inbound events


async def enter_product(envelope: Any, uow: Any, ports: FinancePorts) -> None:
    """ProductRegistered (in the consumer's open unit): finance learns where the product is and whose it is."""
    entry = translators.product_entry(envelope)
    product = await unit.find_or_add(uow, RegisteredProduct, product_stream(entry.product_id))
    product.enter(entry)
    await unit.flush(uow)


async def hear_rating(envelope: Any, uow: Any, ports: FinancePorts) -> None:
    """ProductRated (in the consumer's open unit): a recognition opens a claim and tries its line at once; a
    revocation or downgrade holds and recovers; other kinds are not finance's. A payload the domain cannot use, or a
    withdrawal of a product finance holds nothing of, raises ``FinanceError``: the event goes to the dead letters."""
    product = await unit.find(uow, RegisteredProduct, product_stream(envelope.product_id))
    heard = translators.heard(envelope, product.district_code if product else "")
    if isinstance(heard, Recognition):
        await recognise(uow, ports, heard)
    elif isinstance(heard, Withdrawal):
        rewards = await unit.find(uow, ProductRewards, envelope.product_id)
        if rewards is None:
            raise FinanceError(f"finance holds no rewards of product {envelope.product_id}: a {heard.status} of a "
                               "product it never heard recognised", field="product_id")
        rewards.withdraw(heard)
    await unit.flush(uow)


async def tariffs_in_force(uow: Any, ports: FinancePorts) -> TariffTable:
    """The last installed table, else the one the settings name."""
    book = await unit.find(uow, TariffBook, TARIFF_BOOK)
    return book.table if book is not None and book.table is not None else ports.tariffs


async def recognise(uow: Any, ports: FinancePorts, recognition: Recognition) -> str | None:
    rewards = await unit.find_or_add(uow, ProductRewards, recognition.product_id)
    claim_id = rewards.recognise(recognition, await tariffs_in_force(uow, ports), ports.policy)
    if claim_id is not None:
        await try_line(uow, ports, rewards, claim_id)
    return claim_id


# ----------------------------------------------------------------------------------------- claims


async def _claim_line(uow: Any, ref: LineRef) -> BudgetLine:
    line = await unit.find(uow, BudgetLine, ref.stream_id)
    if line is None:
        raise NotAllowed(f"budget line {ref.stream_id} is not allocated", field="budget_line")
    return line


async def approve_claim(ports: FinancePorts, actor: Actor, claim_id: str, *, decision: Decision, on: date,
                        budget_line: str | None = None, funding_source: str | None = None) -> Claim:
    """A finance officer's approval (the policy's manual step, or an officer approving a waiting claim): a claim still
    waiting first takes its money from its line, or another line or source of its plan year the officer names,
    refused whole when it does not fit."""
    async def work(uow: Any) -> Claim:
        rewards = await unit.get(uow, ProductRewards, product_of(claim_id))
        claim = rewards.claim(claim_id)
        if claim.status == "waiting_for_budget":
            ref = LineRef(claim.plan_year, budget_line or claim.line.line, funding_source or claim.line.source)
            (await _claim_line(uow, ref)).reserve(claim_id, claim.amount, on)
            claim = rewards.reserve(claim_id, ref)
        rewards.approve(claim_id, ports.policy, on=on, by=actor.id, decision=decision)
        (await _claim_line(uow, claim.line)).commit(claim_id, on)
        return rewards.claim(claim_id)

    return await in_unit(ports, work)


async def pay_claim(ports: FinancePorts, claim_id: str, payment: Payment) -> Claim:
    """Chi trả: the claim and its line both record the payment (partials; never above the approved amount)."""
    async def work(uow: Any) -> Claim:
        rewards = await unit.get(uow, ProductRewards, product_of(claim_id))
        claim = rewards.record_payment(claim_id, payment)
        (await _claim_line(uow, claim.line)).disburse(claim_id, payment)
        return claim

    return await in_unit(ports, work)


async def release_hold(ports: FinancePorts, actor: Actor, claim_id: str, *, decision: Decision, reason: str) -> Claim:
    """The claim goes on from where the hold found it; one that was waiting for budget tries its line again."""
    async def work(uow: Any) -> Claim:
        rewards = await unit.get(uow, ProductRewards, product_of(claim_id))
        rewards.release_hold(claim_id, decision=decision, decided_by=actor.id, reason=reason)
        await try_line(uow, ports, rewards, claim_id)
        return rewards.claim(claim_id)

    return await in_unit(ports, work)


async def cancel_claim(ports: FinancePorts, actor: Actor, claim_id: str, *, decision: Decision, reason: str) -> Claim:
    """A held claim is cancelled; what its line still holds for it (unpaid) goes back to the line."""
    async def work(uow: Any) -> Claim:
        rewards = await unit.get(uow, ProductRewards, product_of(claim_id))
        claim = rewards.cancel(claim_id, decision=decision, decided_by=actor.id, reason=reason)
        line = await unit.find(uow, BudgetLine, claim.line.stream_id)
        if line is not None and claim_id in line.holdings:
            line.release(claim_id, decision.date)
        return claim

    return await in_unit(ports, work)


async def pay_back(ports: FinancePorts, recovery_id: str, payment: Payment) -> Recovery:
    """Money paid back on a recovery item (nộp trả), in parts or whole."""
    async def work(uow: Any) -> Recovery:
        rewards = await unit.get(uow, ProductRewards, product_of(recovery_id))
        return rewards.record_recovery(recovery_id, payment)

    return await in_unit(ports, work)


async def waive_recovery(ports: FinancePorts, actor: Actor, recovery_id: str, *, decision: Decision,
                         reason: str) -> Recovery:
    async def work(uow: Any) -> Recovery:
        rewards = await unit.get(uow, ProductRewards, product_of(recovery_id))
        return rewards.waive_recovery(recovery_id, decision=decision, decided_by=actor.id, reason=reason)

    return await in_unit(ports, work)
