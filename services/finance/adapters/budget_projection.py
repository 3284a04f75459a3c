"""Read models of budgets and their lines, written in the transaction that stores the events.

Each writer stores what its fact says: amounts with the date of the step that set them, money movements with the
date they count from (the fact's ``on``, a payment's date, or — for facts stored without one — the day recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import asyncpg
from pydantic_core import to_jsonable_python

from services.finance.domain.events import budgets as bev
from services.finance.domain.events import lines as lev
from shared.contracts.envelope import VIETNAM_TZ
from shared.events import Recorded
from shared.projections import Writer


def civil_day(r: Recorded, on: date | None = None) -> date:
    return on if on is not None else r.recorded_at.astimezone(VIETNAM_TZ).date()


def json(value: Any) -> Any:
    return to_jsonable_python(value)


def _year(r: Recorded) -> int:
    return int(r.stream_id.split(":")[1])  # budget:<plan year>


async def _amounts(conn: asyncpg.Connection, r: Recorded, kind: str, items: Iterable[Any], on: date, step: str) -> None:
    rows = [(r.position, _year(r), i.line, i.source, kind, i.amount, on, step) for i in items]
    if rows:
        await conn.executemany("INSERT INTO budget_amounts (position, plan_year, line, source, kind, amount, on_date,"
                               " step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", rows)


async def _budget(conn: asyncpg.Connection, r: Recorded, **changes: Any) -> None:
    columns = list(changes)
    assignments = ", ".join(f"{c} = ${i + 3}" for i, c in enumerate(columns))
    await conn.execute(f"UPDATE budgets SET updated_at = $2, {assignments} WHERE plan_year = $1",
                       _year(r), r.recorded_at, *changes.values())


async def _drafted(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.BudgetDrafted = r.event  # type: ignore[assignment]
    await conn.execute("INSERT INTO budgets (plan_year, status, version, sources, drafted_by, drafted_on, updated_at)"
                       " VALUES ($1, 'drafted', 0, $2::jsonb, $3, $4, $5)",
                       e.plan_year, json(e.sources), e.drafted_by, e.drafted_on, r.recorded_at)
    await _amounts(conn, r, "estimate", e.allotments, e.drafted_on, "drafted")


async def _appraised(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.BudgetAppraised = r.event  # type: ignore[assignment]
    await _budget(conn, r, status="appraised", appraised_by=e.appraised_by, appraised_on=e.appraised_on)
    await _amounts(conn, r, "estimate", e.changes, e.appraised_on, "appraised")


async def _approved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.BudgetApproved = r.event  # type: ignore[assignment]
    await _budget(conn, r, status="approved", version=e.version, decision=json(e.decision))
    await _amounts(conn, r, "approved", e.allotments, e.decision.date, f"version {e.version}")


async def _allocated(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.BudgetAllocated = r.event  # type: ignore[assignment]
    await _budget(conn, r, status="allocated", allocated_by=e.allocated_by, allocated_on=e.allocated_on)


async def _amendment_proposed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.AmendmentProposed = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO budget_amendments (plan_year, amendment, status, changes, new_sources, proposed_by, proposed_on)"
        " VALUES ($1, $2, 'pending', $3::jsonb, $4::jsonb, $5, $6)",
        _year(r), e.amendment, json(e.changes), json(e.new_sources), e.proposed_by, e.proposed_on)
    await conn.execute("UPDATE budgets SET sources = sources || $2::jsonb, pending_amendment = $3, updated_at = $4"
                       " WHERE plan_year = $1", _year(r), json(e.new_sources), e.amendment, r.recorded_at)


async def _amendment_approved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.AmendmentApproved = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE budget_amendments SET status = 'approved', version = $3, decision = $4::jsonb,"
                       " decided_on = $5 WHERE plan_year = $1 AND amendment = $2",
                       _year(r), e.amendment, e.version, json(e.decision), e.decision.date)
    await _budget(conn, r, version=e.version, decision=json(e.decision), pending_amendment=None)
    await _amounts(conn, r, "approved", e.allotments, e.decision.date, f"version {e.version}")


async def _amendment_rejected(conn: asyncpg.Connection, r: Recorded) -> None:
    e: bev.AmendmentRejected = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE budget_amendments SET status = 'rejected', reason = $3, rejected_by = $4,"
                       " decided_on = $5 WHERE plan_year = $1 AND amendment = $2",
                       _year(r), e.amendment, e.reason, e.rejected_by, e.rejected_on)
    await _budget(conn, r, pending_amendment=None)


# ------------------------------------------------------------------------------------------- lines


async def _line_opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.LineOpened = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO budget_lines (line_id, plan_year, line, source, approved, budget_version, funded_on, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        r.stream_id, e.line.plan_year, e.line.line, e.line.source, e.approved, e.budget_version, civil_day(r, e.on),
        r.recorded_at)


async def _line_changed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.LineAmountChanged = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE budget_lines SET approved = $2, budget_version = $3, funded_on = $4, updated_at = $5"
                       " WHERE line_id = $1", r.stream_id, e.approved, e.budget_version, civil_day(r, e.on),
                       r.recorded_at)


async def _move(conn: asyncpg.Connection, r: Recorded, holder: str, kind: str, on: date, reserved: int = 0,
                committed: int = 0, disbursed: int = 0, voucher: str | None = None) -> None:
    """One movement: its row, and the line's totals after it."""
    await conn.execute(
        "WITH l AS (UPDATE budget_lines SET reserved = reserved + $7, committed = committed + $8,"
        " disbursed = disbursed + $9, updated_at = $10 WHERE line_id = $2 RETURNING plan_year, line, source)"
        " INSERT INTO line_movements (position, line_id, plan_year, line, source, holder, kind, on_date, reserved,"
        " committed, disbursed, voucher)"
        " SELECT $1, $2, l.plan_year, l.line, l.source, $3, $4, $5, $7, $8, $9, $6 FROM l",
        r.position, r.stream_id, holder, kind, on, voucher, reserved, committed, disbursed, r.recorded_at)


async def _reserved(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.MoneyReserved = r.event  # type: ignore[assignment]
    await _move(conn, r, e.claim_id, "reserved", civil_day(r, e.on), reserved=e.amount)


async def _committed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.MoneyCommitted = r.event  # type: ignore[assignment]
    await _move(conn, r, e.claim_id, "committed", civil_day(r, e.on), reserved=-e.amount, committed=e.amount)


async def _disbursed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.MoneyDisbursed = r.event  # type: ignore[assignment]
    p = e.payment
    await _move(conn, r, e.claim_id, "disbursed", p.paid_on, committed=-p.amount, disbursed=p.amount, voucher=p.voucher)


async def _released(conn: asyncpg.Connection, r: Recorded) -> None:
    e: lev.MoneyReleased = r.event  # type: ignore[assignment]
    await _move(conn, r, e.claim_id, "released", civil_day(r, e.on), reserved=-e.reserved, committed=-e.committed)


WRITERS: dict[type, Writer] = {
    bev.BudgetDrafted: _drafted,
    bev.BudgetAppraised: _appraised,
    bev.BudgetApproved: _approved,
    bev.BudgetAllocated: _allocated,
    bev.AmendmentProposed: _amendment_proposed,
    bev.AmendmentApproved: _amendment_approved,
    bev.AmendmentRejected: _amendment_rejected,
    lev.LineOpened: _line_opened,
    lev.LineAmountChanged: _line_changed,
    lev.MoneyReserved: _reserved,
    lev.MoneyCommitted: _committed,
    lev.MoneyDisbursed: _disbursed,
    lev.MoneyReleased: _released,
}
