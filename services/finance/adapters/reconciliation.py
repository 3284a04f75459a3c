"""Đối soát: every total recomputed from the event store, set against the read models and the RewardApproved events
the outbox published; the report lists each difference (none when all is well).

In one snapshot (REPEATABLE READ): the budget lines and the products' rewards are replayed from their events, then
compared with

- the ``budget_lines`` and ``claims`` read models (approved, reserved, committed, disbursed; status, amount, paid);
- each claim's own holding on its line (a paid claim's line disbursed the same; an approved one committed it);
- the outbox's RewardApproved rows, by reward id (amount, plan year, line, source); an approval older than the
  outbox's retention may have had its published row pruned, so only newer ones count as missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import asyncpg

from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.claims import Claim
from services.finance.domain.product_rewards import ProductRewards
from shared.aggregate import Aggregate
from shared.contracts import CONTRACTS, parse_event
from shared.events import EventRegistry
from shared.eventstore import EventStore

_KINDS: dict[str, type[Aggregate]] = {BudgetLine.stream_type: BudgetLine, ProductRewards.stream_type: ProductRewards}
_APPROVED = ("approved", "partly_paid", "paid")
_LINE_MONEY = ("approved", "reserved", "committed", "disbursed")


def _difference(what: str, key: str, field: str, from_events: Any, found: Any) -> dict[str, Any]:
    return {"what": what, "key": key, "field": field, "from_events": from_events, "found": found}


async def _replayed(conn: asyncpg.Connection,
                    registry: EventRegistry) -> tuple[dict[str, Any], dict[str, datetime], int]:
    """Every budget line and product's rewards as their events leave them; when each claim was approved."""
    states: dict[str, Any] = {}
    approved_at: dict[str, datetime] = {}
    store, after, count = EventStore(conn), 0, 0
    while batch := await store.read_all(after, 1000):
        after, count = batch[-1].position, count + len(batch)
        for stored in batch:
            kind = _KINDS.get(stored.stream_type)
            if kind is None:
                continue
            event = registry.decode(stored.event_type, stored.schema_version, stored.data)
            states.setdefault(stored.stream_id, kind(stored.stream_id)).replay(event)
            if stored.event_type == "ClaimApproved":
                approved_at[event.claim_id] = stored.recorded_at  # type: ignore[attr-defined]
    return states, approved_at, count


def _lines(states: dict[str, Any], rows: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for line in (s for s in states.values() if isinstance(s, BudgetLine)):
        row = rows.get(line.id)
        for field in _LINE_MONEY:
            found = row[field] if row else None
            if found != getattr(line, field):
                yield _difference("budget line read model", line.id, field, getattr(line, field), found)


def _claims(claims: list[Claim], rows: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for claim in claims:
        row = rows.get(claim.claim_id)
        for field in ("status", "amount", "paid"):
            found = row[field] if row else None
            if found != getattr(claim, field):
                yield _difference("claim read model", claim.claim_id, field, getattr(claim, field), found)


def _holdings(claims: list[Claim], states: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for claim in claims:
        line = states.get(claim.line.stream_id)
        held = line.holdings.get(claim.claim_id) if isinstance(line, BudgetLine) else None
        disbursed = held.disbursed if held else 0
        if disbursed != claim.paid:
            yield _difference("claim and its line", claim.claim_id, "paid", claim.paid, disbursed)
        if claim.status in _APPROVED and (not held or held.committed + held.disbursed != claim.amount):
            yield _difference("claim and its line", claim.claim_id, "committed",
                              claim.amount, held.committed + held.disbursed if held else 0)


def _published(claims: list[Claim], approved_at: dict[str, datetime], rows: dict[str, dict[str, Any]],
               since: datetime) -> Iterator[dict[str, Any]]:
    approved = {c.claim_id: c for c in claims if c.decision is not None}
    for claim_id, claim in approved.items():
        row = rows.get(claim_id)
        expected = {"amount_vnd": claim.amount, "plan_year": claim.line.plan_year, "budget_line": claim.line.line,
                    "funding_source": claim.line.source}
        if row is None:
            if approved_at[claim_id] >= since:
                yield _difference("RewardApproved in the outbox", claim_id, "reward_id", claim_id, None)
            continue
        for field, value in expected.items():
            if row[field] != value:
                yield _difference("RewardApproved in the outbox", claim_id, field, value, row[field])
    for claim_id in rows.keys() - approved.keys():
        yield _difference("RewardApproved in the outbox", claim_id, "reward_id", None, claim_id)


def _totals(claims: list[Claim], rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (plan year, line, source): approved rewards and payments from the events, RewardApproved from the outbox."""
    totals: dict[tuple[int, str, str], dict[str, Any]] = {}

    def total(key: tuple[int, str, str]) -> dict[str, Any]:
        return totals.setdefault(key, {"plan_year": key[0], "line": key[1], "source": key[2], "approved_claims": 0,
                                       "approved_vnd": 0, "paid_vnd": 0, "published_events": 0, "published_vnd": 0,
                                       "pending_events": 0})

    for claim in claims:
        if claim.decision is not None:
            t = total((claim.line.plan_year, claim.line.line, claim.line.source))
            t["approved_claims"] += 1
            t["approved_vnd"] += claim.amount
            t["paid_vnd"] += claim.paid
    for row in rows.values():
        t = total((row["plan_year"], row["budget_line"], row["funding_source"]))
        t["published_events" if row["published"] else "pending_events"] += 1
        t["published_vnd"] += row["amount_vnd"] if row["published"] else 0
    return [totals[k] for k in sorted(totals)]


async def reconcile(conn: asyncpg.Connection, registry: EventRegistry, outbox_since: datetime) -> dict[str, Any]:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        states, approved_at, events = await _replayed(conn, registry)
        lines = {r["line_id"]: dict(r) for r in await conn.fetch("SELECT * FROM budget_lines")}
        claim_rows = {r["claim_id"]: dict(r)
                      for r in await conn.fetch("SELECT claim_id, status, amount, paid FROM claims")}
        outbox = await conn.fetch("SELECT payload, published_at IS NOT NULL AS published FROM outbox WHERE topic = $1",
                                  CONTRACTS["RewardApproved"].topic)
    published = {}
    for row in outbox:
        envelope = parse_event(row["payload"])
        published[envelope.data.reward_id] = {**envelope.data.model_dump(), "published": row["published"]}
    claims = [c for s in states.values() if isinstance(s, ProductRewards) for c in s.claims.values()]
    differences = [*_lines(states, lines), *_claims(claims, claim_rows), *_holdings(claims, states),
                   *_published(claims, approved_at, published, outbox_since)]
    return {"events": events, "outbox_since": outbox_since, "rewards": _totals(claims, published),
            "differences": differences}
