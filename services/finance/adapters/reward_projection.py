"""Read models of products, reward claims, recognitions, recoveries, support items and each product's money history,
written in the transaction that stores the events. Writers store what their fact says and decide nothing."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.finance.adapters import history
from services.finance.adapters.budget_projection import json
from services.finance.domain.events import products as pev
from services.finance.domain.events import rewards as rev
from services.finance.domain.events import support as sev
from shared.events import Recorded
from shared.projections import Writer, memo_of


# Where a claim is comes from two consumers at once: ProductRegistered (the product's district, then the claims opened
# without one) and ProductRated (a claim, with the district of its product as far as finance knows). Two such
# transactions in flight together would each miss the other's uncommitted row and leave the claim without a district;
# this lock, taken by both writers before they read, orders them (one key per schema, so no lock-order deadlock).
# A rebuild is the only writer of its tables and takes none.
_PLACES = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ': where products are'))"
_NO_DISTRICT = "claims opened without a district"


async def _order_places(conn: asyncpg.Connection) -> None:
    if memo_of(conn) is None:
        await conn.execute(_PLACES)


async def _entered(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event.entry  # type: ignore[attr-defined]
    await _order_places(conn)
    await conn.execute(
        "INSERT INTO products (product_id, product_name, producer_id, producer_name, district_code, commune_code,"
        " cycle_year, registration_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (product_id) DO UPDATE SET"
        " product_name = $2, producer_id = $3, producer_name = $4, district_code = $5, commune_code = $6,"
        " cycle_year = $7, registration_id = $8 WHERE products.cycle_year <= $7",
        e.product_id, e.name, e.producer_id, e.producer_name, e.district_code, e.commune_code, e.cycle_year,
        e.registration_id)
    # Claims opened without a district (before this registration was heard) are where the product is. A fresh rebuild
    # knows which products have such claims (few: a product is registered before it is rated) and skips the others:
    # while it fills, claims has no index on product_id, and the statement would scan the table for each product.
    memo = memo_of(conn)
    if memo is None or not memo.complete or memo.get((_NO_DISTRICT, e.product_id)):
        await conn.execute(
            "UPDATE claims c SET district = p.district_code FROM products p WHERE p.product_id = $1"
            " AND c.product_id = $1 AND c.district_code = '' AND c.district <> p.district_code", e.product_id)


async def _history(conn: asyncpg.Connection, r: Recorded, product_id: str, reference: str | None = None) -> None:
    e = r.event
    await conn.execute(
        "INSERT INTO money_history (position, product_id, stream_id, event_type, reference, amount, on_date, summary,"
        " actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)",
        r.position, product_id, r.stream_id, r.event_type, reference or history.reference(e), history.amount(e),
        history.on(e), history.summary(e), r.actor, r.recorded_at)


async def _claim(conn: asyncpg.Connection, r: Recorded, claim_id: str, **changes: Any) -> None:
    columns = list(changes)
    assignments = ", ".join(f"{c} = ${i + 3}" for i, c in enumerate(columns))
    await conn.execute(f"UPDATE claims SET updated_at = $2, {assignments} WHERE claim_id = $1",
                       claim_id, r.recorded_at, *changes.values())


async def _recognition(conn: asyncpg.Connection, r: Recorded, claim_id: str | None, amount: int) -> None:
    e: Any = r.event  # ClaimOpened or RecognitionWithoutReward
    rec = e.recognition
    await conn.execute(
        "INSERT INTO recognitions (position, product_id, evaluation_id, level, stars, cycle_year, district_code,"
        " decision_number, decision_date, issued_by, claim_id, amount, rule, flags)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        r.position, r.stream_id, rec.evaluation_id, rec.level, rec.stars, rec.cycle_year, rec.district_code,
        rec.decision.number, rec.decision.date, rec.decision.issued_by, claim_id, amount, e.rule, list(e.flags))


async def _opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimOpened = r.event  # type: ignore[assignment]
    rec = e.recognition
    await _order_places(conn)
    if not rec.district_code and (memo := memo_of(conn)) is not None:
        memo.keep((_NO_DISTRICT, r.stream_id), True)
    await conn.execute(
        "INSERT INTO claims (claim_id, product_id, opened_position, evaluation_id, level, stars, cycle_year,"
        " district_code, certificate_number, decision_number, decision_date, decision_issued_by, amount, rule, flags,"
        " tariff, plan_year, line, source, status, opened_at, updated_at, district) VALUES ($1, $2, $3, $4, $5, $6, $7,"
        " $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18, $19, 'waiting_for_budget', $20, $20,"
        " coalesce(nullif($8, ''), (SELECT district_code FROM products WHERE product_id = $2), ''))",
        e.claim_id, r.stream_id, r.position, rec.evaluation_id, rec.level, rec.stars, rec.cycle_year,
        rec.district_code, rec.certificate_number, rec.decision.number, rec.decision.date, rec.decision.issued_by,
        e.amount, e.rule, list(e.flags), json(e.tariff), e.line.plan_year, e.line.line, e.line.source, r.recorded_at)
    await _recognition(conn, r, e.claim_id, e.amount)


async def _without_reward(conn: asyncpg.Connection, r: Recorded) -> None:
    await _recognition(conn, r, None, 0)


async def _awaits(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimAwaitsBudget = r.event  # type: ignore[assignment]
    await _claim(conn, r, e.claim_id, requested=e.requested, available=e.available)


async def _reserved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimReserved = r.event  # type: ignore[assignment]
    await _claim(conn, r, e.claim_id, status="reserved", plan_year=e.line.plan_year, line=e.line.line,
                 source=e.line.source)


async def _approved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimApproved = r.event  # type: ignore[assignment]
    await _claim(conn, r, e.claim_id, status="approved", approval_decision=json(e.decision), approved_on=e.approved_on,
                 approved_by=e.approved_by)


async def _paid(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimPaid = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE claims SET paid = paid + $2, status = CASE WHEN paid + $2 = amount THEN 'paid'"
                       " ELSE 'partly_paid' END, updated_at = $3 WHERE claim_id = $1",
                       e.claim_id, e.payment.amount, r.recorded_at)


async def _on_hold(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimPutOnHold = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE claims SET held_from = status, status = 'on_hold', hold_reason = $2,"
                       " hold_decision = $3::jsonb, hold_outcome = NULL, updated_at = $4 WHERE claim_id = $1",
                       e.claim_id, e.reason, json(e.decision), r.recorded_at)


def _outcome(e: Any, outcome: str) -> Any:
    return json({"outcome": outcome, "decision": e.decision, "decided_by": e.decided_by, "reason": e.reason})


async def _released(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.HoldReleased = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE claims SET status = held_from, held_from = NULL, hold_outcome = $2::jsonb,"
                       " updated_at = $3 WHERE claim_id = $1", e.claim_id, _outcome(e, "released"), r.recorded_at)


async def _cancelled(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.ClaimCancelled = r.event  # type: ignore[assignment]
    await _claim(conn, r, e.claim_id, status="cancelled", hold_outcome=_outcome(e, "cancelled"))


async def _recovery_opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.RecoveryOpened = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO recoveries (recovery_id, claim_id, product_id, amount, status, reason, decision, opened_at,"
        " updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6::jsonb, $7, $7)",
        e.recovery_id, e.claim_id, r.stream_id, e.amount, e.reason, json(e.decision), r.recorded_at)


async def _recovery_paid(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.RecoveryPaid = r.event  # type: ignore[assignment]
    claim_id = await conn.fetchval(
        "UPDATE recoveries SET recovered = recovered + $2, status = CASE WHEN recovered + $2 = amount THEN 'recovered'"
        " ELSE 'open' END, updated_at = $3 WHERE recovery_id = $1 RETURNING claim_id",
        e.recovery_id, e.payment.amount, r.recorded_at)
    await conn.execute("UPDATE claims SET recovered = recovered + $2, updated_at = $3 WHERE claim_id = $1",
                       claim_id, e.payment.amount, r.recorded_at)


async def _recovery_waived(conn: asyncpg.Connection, r: Recorded) -> None:
    e: rev.RecoveryWaived = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE recoveries SET status = 'waived', waiver = $2::jsonb, updated_at = $3"
                       " WHERE recovery_id = $1", e.recovery_id, _outcome(e, "waived"), r.recorded_at)


# ------------------------------------------------------------------------------------------- support items


def _item_id(r: Recorded) -> str:
    return r.stream_id.removeprefix("support:")


async def _support_proposed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: sev.SupportProposed = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO support_items (item_id, plan_item, purpose, amount, plan_year, line, source, product_id,"
        " producer_id, status, proposed_by, proposed_on, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'proposed', $10, $11, $12)",
        _item_id(r), e.plan_item, e.purpose, e.amount, e.line.plan_year, e.line.line, e.line.source, e.product_id,
        e.producer_id, e.proposed_by, e.proposed_on, r.recorded_at)


async def _support(conn: asyncpg.Connection, r: Recorded, sql: str, *args: Any) -> None:
    product_id = await conn.fetchval(f"UPDATE support_items SET updated_at = $2, {sql} WHERE item_id = $1"
                                     " RETURNING product_id", _item_id(r), r.recorded_at, *args)
    await _history(conn, r, product_id, _item_id(r))


async def _support_approved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: sev.SupportApproved = r.event  # type: ignore[assignment]
    await _support(conn, r, "status = 'approved', decision = $3::jsonb, approved_by = $4, approved_on = $5",
                   json(e.decision), e.approved_by, e.approved_on)


async def _support_paid(conn: asyncpg.Connection, r: Recorded) -> None:
    e: sev.SupportPaid = r.event  # type: ignore[assignment]
    await _support(conn, r, "paid = paid + $3, status = CASE WHEN paid + $3 = amount THEN 'paid'"
                   " ELSE 'partly_paid' END", e.payment.amount)


async def _support_cancelled(conn: asyncpg.Connection, r: Recorded) -> None:
    e: sev.SupportCancelled = r.event  # type: ignore[assignment]
    await _support(conn, r, "status = 'cancelled', cancel_reason = $3, cancelled_on = $4", e.reason, e.cancelled_on)


def _then_history(writer: Writer) -> Writer:
    async def write(conn: asyncpg.Connection, r: Recorded) -> None:
        await writer(conn, r)
        await _history(conn, r, r.stream_id)

    return write


async def _proposal_history(conn: asyncpg.Connection, r: Recorded) -> None:
    await _support_proposed(conn, r)
    await _history(conn, r, r.event.product_id, _item_id(r))  # type: ignore[attr-defined]


async def _nothing(conn: asyncpg.Connection, r: Recorded) -> None:
    """A fact kept in the product's history only."""


_REWARD_WRITERS: dict[type, Writer] = {
    rev.ClaimOpened: _opened,
    rev.RecognitionWithoutReward: _without_reward,
    rev.ClaimAwaitsBudget: _awaits,
    rev.ClaimReserved: _reserved,
    rev.ClaimApproved: _approved,
    rev.ClaimPaid: _paid,
    rev.RecognitionWithdrawn: _nothing,
    rev.ClaimPutOnHold: _on_hold,
    rev.HoldReleased: _released,
    rev.ClaimCancelled: _cancelled,
    rev.RecoveryOpened: _recovery_opened,
    rev.RecoveryPaid: _recovery_paid,
    rev.RecoveryWaived: _recovery_waived,
}

WRITERS: dict[type, Writer] = {
    pev.ProductEntered: _entered,
    **{kind: _then_history(writer) for kind, writer in _REWARD_WRITERS.items()},
    sev.SupportProposed: _proposal_history,
    sev.SupportApproved: _support_approved,
    sev.SupportPaid: _support_paid,
    sev.SupportCancelled: _support_cancelled,
}
