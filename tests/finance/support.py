"""What finance's handler and flow tests share: public events as rating and registration send them, budgets as the
province keeps them, and an in-memory stand-in for the read model that finds waiting claims."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from services.finance.application.ports import WaitingClaims
from services.finance.domain.claims import Claim
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.values import LineRef
from shared.contracts import new_envelope
from shared.memory import InMemoryStore

M = 1_000_000
PROVINCE = {"number": "1114/QĐ-UBND", "date": "2021-04-06", "issued_by": "UBND tỉnh Thanh Hóa"}
SOURCES = [{"code": "ntm", "name": "Kinh phí sự nghiệp Chương trình MTQG xây dựng NTM năm 2021",
            "kind": "ntm_non_business"},
           {"code": "kc", "name": "Kinh phí khuyến công", "kind": "industrial_extension"}]


def product_ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{uuid.uuid4().hex[:12]}" for _ in range(n)]


def rated(product_id: str, *, stars: int = 3, level: str = "provincial", status: str = "recognized",
          decision: dict[str, Any] | None = PROVINCE, reason: str | None = None, cycle_year: int = 2021,
          inspection_id: str | None = None, correlation_id: uuid.UUID | None = None,
          evaluation_id: str | None = None) -> Any:
    """ProductRated as rating publishes it."""
    certificate = None
    if status == "recognized" and decision is not None:
        certificate = {"number": f"{decision['number']}#{product_id[-4:]}", "valid_from": decision["date"],
                       "valid_until": "2024-04-06"}
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": evaluation_id or f"S-{uuid.uuid4().hex[:6]}/{product_id}", "cycle_year": cycle_year,
        "level": level, "average_score": 75.0, "stars": stars, "status": status, "decision": decision,
        "certificate": certificate, "reason": reason, "inspection_id": inspection_id,
    }, correlation_id=correlation_id)


def registered(product_id: str, district_code: str = "405", name: str | None = None) -> Any:
    return new_envelope("ProductRegistered", product_id, {
        "registration_id": f"reg-{product_id}", "cycle_year": 2021,
        "product": {"name": name or f"Nem chua {product_id[-4:]}", "sector": "Thực phẩm",
                    "group": "Thực phẩm chế biến", "product_set": 5, "description": "Nem chua lá ổi"},
        "producer": {"producer_id": f"p-{product_id}", "name": "HTX Nem chua Hoa Lộc", "legal_form": "cooperative"},
        "location": {"district_code": district_code, "commune_code": "14758"},
    })


def revoked(product_id: str, number: str = "3763/QĐ-UBND", on: str = "2021-11-18") -> Any:
    return rated(product_id, stars=0, status="revoked", reason="Vi phạm quy chế quản lý sản phẩm OCOP",
                 decision={"number": number, "date": on, "issued_by": "UBND tỉnh Thanh Hóa"}, inspection_id="I-1")


def budget_body(plan_year: int = 2021, rewards: int = 100 * M, **other: int) -> dict[str, Any]:
    allotments = [{"line": "rewards", "source": "ntm", "amount": rewards},
                  {"line": "training", "source": "ntm", "amount": 300 * M},
                  {"line": "upgrade_support", "source": "kc", "amount": 50 * M}]
    allotments += [{"line": line, "source": "ntm", "amount": amount} for line, amount in other.items()]
    return {"plan_year": plan_year, "sources": SOURCES, "allotments": allotments, "on": f"{plan_year}-01-10"}


def decision(number: str, on: str, signer: str | None = "Nguyễn Văn A") -> dict[str, Any]:
    body = {"number": number, "date": on, "issued_by": "UBND tỉnh Thanh Hóa"}
    return {**body, "signer": signer} if signer else body


def in_store_waiting(store: InMemoryStore) -> WaitingClaims:
    """The read model's waiting-claims query, answered from the in-memory store (oldest claim first)."""
    async def waiting(uow: Any, lines: Sequence[LineRef] | None) -> list[str]:
        found: list[tuple[int, Claim]] = []
        for stream_id, events in store.streams.items():
            if events[0].stream_type != ProductRewards.stream_type:
                continue
            opened = {e.data["claim_id"]: e.position for e in events if e.event_type == "ClaimOpened"}
            rewards = await uow.repository(ProductRewards).get(stream_id)
            found += [(opened[c.claim_id], c) for c in rewards.waiting()]
        return [c.claim_id for _, c in sorted(found, key=lambda p: p[0]) if lines is None or c.line in lines]

    return waiting


def on(day: str) -> date:
    return date.fromisoformat(day)
